/**
 * Storage interface of event notifications: each bucket's NotificationConfiguration (JSON
 * text), and the outbox of events written in the same commit as the object change that caused
 * them, so no event is lost to a crash between the change and the delivery. Writes take their
 * write's transaction first; a read inside a write takes it last.
 */
import type { Tx } from '../../store/store.js';

export interface OutboxEntry {
  seq: number;
  queueArn: string;
  body: string;
  /** The bucket's ARN and its owner (null for events written before these were kept). */
  sourceArn: string | null;
  sourceAccount: string | null;
}

export interface S3NotificationRepo {
  config(bucket: string, tx?: Tx): Promise<string | undefined>;
  /** Stores a bucket's configuration, or with undefined removes it. */
  setConfig(tx: Tx, bucket: string, config: string | undefined): Promise<void>;
  /** Adds events to the outbox, in order. */
  enqueue(tx: Tx, events: Array<{ queueArn: string; body: string }>, at: number, source: { sourceArn: string; sourceAccount: string }): Promise<void>;
  /** The oldest `limit` events of the outbox, oldest first. */
  pending(limit: number): Promise<OutboxEntry[]>;
  /** Removes delivered (or dropped) events by seq. */
  done(tx: Tx, seqs: number[]): Promise<void>;
}
