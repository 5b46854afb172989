/**
 * SQS's storage interface: what the engine needs from a backend, with no SQL in sight.
 * Every method answers a Promise. A method that writes takes the write's transaction first
 * (it runs inside Store.write: one group commit); a read takes it last when it runs inside a
 * write, so a networked backend reads that write's own changes.
 */
import type { Tx } from '../../store/store.js';
import type { MessageAttributeMap } from './engine/message-attributes.js';

/** The settable queue attributes, as strings, exactly as AWS returns them. */
export type QueueAttributes = Record<string, string>;

export interface QueueRecord {
  id: number;
  account: string;
  region: string;
  name: string;
  attributes: QueueAttributes;
  tags: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
}

export interface MessageRecord {
  /** Storage sequence: increases with every enqueue, so it is the FIFO order. */
  seq: number;
  queueId: number;
  messageId: string;
  body: string;
  md5Body: string;
  attributes: MessageAttributeMap | null;
  md5Attributes: string | null;
  /** AWSTraceHeader and DeadLetterQueueSourceArn. */
  systemAttributes: Record<string, string> | null;
  senderId: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt: number | null;
  /** Nonce of the latest receive; receipt handles carry it. */
  receipt: string | null;
  groupId: string | null;
  dedupId: string | null;
}

export interface DedupEntry {
  messageId: string;
  seq: number;
  md5Body: string;
  md5Attributes: string | null;
  md5System: string | null;
  expiresAt: number;
}

/** One message of a ReceiveRequestAttemptId: its sequence and the receipt nonce it was given. */
export interface AttemptEntry {
  seq: number;
  receipt: string;
}

export interface MoveTaskRecord {
  handle: string;
  sourceQueueId: number;
  sourceArn: string;
  destinationArn: string | null;
  maxPerSecond: number | null;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  moved: number;
  toMove: number;
  failureReason: string | null;
  startedAt: number;
}

/** What acknowledging or re-hiding a receipt needs to know about its message. */
export interface ReceiptState {
  queueId: number;
  receipt: string | null;
  visibleAt: number;
  /** When the current receive happened (null before the first, or for older rows). */
  receivedAt: number | null;
}

/** Where a moved message goes, and what of its identity changes on the way. */
export interface MessageMove {
  toQueueId: number;
  newSeq: number;
  visibleAt: number;
  systemAttributes: Record<string, string> | null;
  /** Receive count and first receive start over (a redrive); kept otherwise (dead-lettering). */
  resetReceives: boolean;
  /** New enqueue time; kept when absent. */
  sentAt?: number;
  /** New message id; kept when absent. */
  messageId?: string;
  /** New deduplication id; kept when absent. */
  dedupId?: string;
}

/** One message a receive hands out. */
export interface MessageReceive {
  seq: number;
  receivedAt: number;
  visibleAt: number;
  /** The nonce the receipt handle carries. */
  receipt: string;
  receiveCount: number;
  firstReceiveAt: number;
}

export interface MessageCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface SqsRepo {
  loadQueues(tx?: Tx): Promise<QueueRecord[]>;
  /** Inserts a queue under a new id (never one a queue had before, even after a restart). */
  insertQueue(tx: Tx, q: Omit<QueueRecord, 'id'>): Promise<number>;
  updateQueue(tx: Tx, q: QueueRecord): Promise<void>;
  /** Removes the queue, its messages, dedup entries, receive attempts and move tasks. */
  deleteQueue(tx: Tx, id: number): Promise<void>;

  /**
   * Allocates the next message sequence, durably in the calling write's transaction: a
   * sequence is never handed out twice, even after deletes and restarts.
   */
  nextSeq(tx: Tx): Promise<number>;
  /** The last sequence allocated (and committed, or allocated in the current transaction). */
  currentSeq(tx?: Tx): Promise<number>;
  insertMessage(tx: Tx, m: MessageRecord): Promise<void>;
  getMessage(seq: number, tx?: Tx): Promise<MessageRecord | undefined>;
  /** Just what acknowledging a receipt needs to know about a message. */
  receiptState(seq: number, tx?: Tx): Promise<ReceiptState | undefined>;
  /** Visible messages of a standard queue, oldest visibility first. */
  visibleMessages(queueId: number, now: number, limit: number, tx?: Tx): Promise<MessageRecord[]>;
  /** The oldest message of each message group, oldest first, a page after `afterSeq`. */
  groupHeads(queueId: number, afterSeq: number, limit: number, tx?: Tx): Promise<{ groupId: string; headSeq: number }[]>;
  /** A group's messages in sequence order from `fromSeq`. */
  groupMessages(queueId: number, groupId: string, fromSeq: number, limit: number, tx?: Tx): Promise<MessageRecord[]>;
  /** True when the group has a message in flight, or an earlier message not yet visible. */
  groupBlocked(queueId: number, groupId: string, beforeSeq: number, now: number, tx?: Tx): Promise<boolean>;
  /** Records receives: each message hidden until its visibleAt, under a new receipt nonce, its receive count as given. */
  markReceived(tx: Tx, receives: MessageReceive[]): Promise<void>;
  setVisibleAt(tx: Tx, seq: number, visibleAt: number): Promise<void>;
  deleteMessage(tx: Tx, seq: number): Promise<void>;
  /** Moves a message to the end of another queue (dead-lettering, redrive). */
  moveMessage(tx: Tx, seq: number, move: MessageMove): Promise<void>;
  /** Counts of the queue's messages sent after `sentAfter` (older ones are past retention). */
  counts(queueId: number, now: number, sentAfter: number, tx?: Tx): Promise<MessageCounts>;
  /** Earliest visibility deadline in the future, if any (to wake long polls). */
  nextVisibleAt(queueId: number, now: number, tx?: Tx): Promise<number | undefined>;
  /** Removes every message of the queue; answers how many there were. */
  purge(tx: Tx, queueId: number): Promise<number>;
  /** Oldest messages in sequence order, for retention sweeps and move tasks. */
  oldestMessages(queueId: number, afterSeq: number, limit: number, tx?: Tx): Promise<MessageRecord[]>;
  /**
   * Retention: deletes the queue's oldest messages (in sequence order) sent at or before
   * `cutoff`, stopping at the first one sent after it; answers how many went.
   */
  deleteExpired(tx: Tx, queueId: number, cutoff: number): Promise<number>;
  countMessages(queueId: number, tx?: Tx): Promise<number>;

  getDedup(queueId: number, scope: string, dedupId: string, tx?: Tx): Promise<DedupEntry | undefined>;
  putDedup(tx: Tx, queueId: number, scope: string, dedupId: string, e: DedupEntry): Promise<void>;
  /** Drops deduplication entries and receive attempts that expired at or before `now`. */
  sweepDedup(tx: Tx, now: number): Promise<void>;

  /** The messages a ReceiveRequestAttemptId received, with the receipt nonce of that receive. */
  getReceiveAttempt(queueId: number, attemptId: string, now: number, tx?: Tx): Promise<AttemptEntry[] | undefined>;
  putReceiveAttempt(tx: Tx, queueId: number, attemptId: string, entries: AttemptEntry[], expiresAt: number): Promise<void>;

  insertMoveTask(tx: Tx, t: MoveTaskRecord): Promise<void>;
  updateMoveTask(tx: Tx, t: MoveTaskRecord): Promise<void>;
  /** A source queue's move tasks, newest first. */
  moveTasks(sourceQueueId: number, tx?: Tx): Promise<MoveTaskRecord[]>;
  /** Tasks still running or cancelling, of every queue. */
  activeMoveTasks(tx?: Tx): Promise<MoveTaskRecord[]>;
}
