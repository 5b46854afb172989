/**
 * The durable mailboxes of acknowledged delivery (a Nimbus extension of WebSocket APIs, opt-in
 * per API with the tag `nimbus:delivery` = `acknowledged`): per (account, API, client id) an
 * ordered list of messages, `seq` increasing by one, kept until the client acknowledges them
 * (cumulatively) or they expire. A mailbox's row outlives its messages so that `seq` never
 * restarts for a client.
 */
import type { Tx } from '../../../store/store.js';

/** Whose mailbox: the API's account walls it off, the client id names it within the API. */
export interface MailboxKey {
  accountId: string;
  apiId: string;
  clientId: string;
}

export interface MailboxMessage {
  seq: number;
  /** The payload as posted. */
  body: Buffer;
  /** Epoch ms after which the message is no longer delivered. */
  expiresAt: number;
}

export interface MailboxState {
  /** The highest seq ever given (0 for a new mailbox). */
  lastSeq: number;
  /** Everything up to this seq is acknowledged. */
  ackedSeq: number;
  /** Messages held (unacknowledged; expired ones count until swept). */
  count: number;
}

/** The first `accepted` bodies got the seqs from `firstSeq` on; the rest did not fit. `count`: messages held after. */
export interface AppendResult {
  firstSeq: number;
  accepted: number;
  count: number;
}

export interface MailboxRepo {
  state(key: MailboxKey, tx?: Tx): Promise<MailboxState>;
  /**
   * Appends messages with the next seqs, in order, as many as fit under `capacity` once the
   * mailbox's expired messages (at `now`) are removed when it would not fit them all.
   */
  append(tx: Tx, key: MailboxKey, bodies: Buffer[], now: number, expiresAt: number, capacity: number): Promise<AppendResult>;
  /**
   * Acknowledges everything up to `seq` (clamped to the last seq given; a lower or equal ack
   * than the last changes nothing) and removes those messages. Answers how many were removed.
   */
  ack(tx: Tx, key: MailboxKey, seq: number): Promise<{ ackedSeq: number; removed: number }>;
  /** Up to `limit` messages with a seq above `afterSeq` and at most `upToSeq`, unexpired at `now`, in seq order. */
  pending(key: MailboxKey, afterSeq: number, upToSeq: number, now: number, limit: number): Promise<MailboxMessage[]>;
  /** Removes up to `limit` messages expired at `now`; answers how many. */
  sweep(tx: Tx, now: number, limit: number): Promise<number>;
  /** The earliest expiry of any held message, if any. */
  nextExpiry(): Promise<number | undefined>;
  /** Messages held across all mailboxes (the backlog). */
  backlog(): Promise<number>;
  /** Removes an API's mailboxes and their messages (the API was deleted). */
  deleteApi(tx: Tx, accountId: string, apiId: string): Promise<void>;
}
