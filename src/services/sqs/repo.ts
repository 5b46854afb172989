/**
 * SQS's storage interface: what the engine needs from a backend, with no SQL in sight.
 * Every mutating method is called from inside Store.write (one group commit).
 */
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

export interface MessageCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface SqsRepo {
  loadQueues(): QueueRecord[];
  /** Inserts a queue under a new id (never one a queue had before, even after a restart). */
  insertQueue(q: Omit<QueueRecord, 'id'>): number;
  updateQueue(q: QueueRecord): void;
  /** Removes the queue, its messages, dedup entries and move tasks. */
  deleteQueue(id: number): void;

  /**
   * Allocates the next message sequence, durably in the calling write's transaction: a
   * sequence is never handed out twice, even after deletes and restarts.
   */
  nextSeq(): number;
  /** The last sequence allocated (and committed, or allocated in the current transaction). */
  currentSeq(): number;
  insertMessage(m: MessageRecord): void;
  getMessage(seq: number): MessageRecord | undefined;
  /** Just what acknowledging a receipt needs to know about a message. */
  receiptState(seq: number): ReceiptState | undefined;
  /** Visible messages of a standard queue, oldest visibility first. */
  visibleMessages(queueId: number, now: number, limit: number): MessageRecord[];
  /** Visible messages of a FIFO queue in sequence order, a page after `afterSeq`. */
  /** The oldest message of each message group, oldest first, a page after `afterSeq`. */
  groupHeads(queueId: number, afterSeq: number, limit: number): { groupId: string; headSeq: number }[];
  /** A group's messages in sequence order from `fromSeq`. */
  groupMessages(queueId: number, groupId: string, fromSeq: number, limit: number): MessageRecord[];
  /** True when the group has a message in flight, or an earlier message not yet visible. */
  groupBlocked(queueId: number, groupId: string, beforeSeq: number, now: number): boolean;
  markReceived(seq: number, receivedAt: number, visibleAt: number, receipt: string, receiveCount: number, firstReceiveAt: number): void;
  setVisibleAt(seq: number, visibleAt: number): void;
  deleteMessage(seq: number): void;
  /** Moves a message to the end of another queue (dead-lettering, redrive). */
  moveMessage(seq: number, move: MessageMove): void;
  /** Counts of the queue's messages sent after `sentAfter` (older ones are past retention). */
  counts(queueId: number, now: number, sentAfter: number): MessageCounts;
  /** Earliest visibility deadline in the future, if any (to wake long polls). */
  nextVisibleAt(queueId: number, now: number): number | undefined;
  purge(queueId: number): number;
  /** Oldest messages in sequence order, for retention sweeps and move tasks. */
  oldestMessages(queueId: number, afterSeq: number, limit: number): MessageRecord[];
  countMessages(queueId: number): number;

  getDedup(queueId: number, scope: string, dedupId: string): DedupEntry | undefined;
  putDedup(queueId: number, scope: string, dedupId: string, e: DedupEntry): void;
  sweepDedup(now: number): void;

  /** The messages a ReceiveRequestAttemptId received, with the receipt nonce of that receive. */
  getReceiveAttempt(queueId: number, attemptId: string, now: number): AttemptEntry[] | undefined;
  putReceiveAttempt(queueId: number, attemptId: string, entries: AttemptEntry[], expiresAt: number): void;

  insertMoveTask(t: MoveTaskRecord): void;
  updateMoveTask(t: MoveTaskRecord): void;
  moveTasks(sourceQueueId: number): MoveTaskRecord[];
  activeMoveTasks(): MoveTaskRecord[];
}
