/**
 * What the functions service stores, whatever the backend: one document per function, one per
 * event source mapping (with its reading positions), and the durable queue of asynchronous
 * invocations. Every method answers a Promise. A method that writes takes the transaction of
 * the `store.write` it runs in (`Tx`) first, so a change and what follows from it commit
 * together; a read takes it last when it runs inside a write (to see that write's changes).
 */
import type { Tx } from '../../store/store.js';
import type { FunctionRecord } from './model.js';

/** One queued asynchronous invocation (InvocationType=Event, or a retry of one). */
export interface AsyncInvocation {
  id: string;
  /** The qualified function ARN the caller invoked. */
  functionArn: string;
  accountId: string;
  region: string;
  name: string;
  qualifier?: string;
  /** Base64 of the payload. */
  payload: string;
  requestId: string;
  /** Epoch ms the caller's request arrived: the event's age is measured from it. */
  enqueuedAt: number;
  /** Attempts made so far. */
  attempts: number;
  due: number;
  /** Skip the function's own destinations (an invocation made by an event source mapping). */
  noDestinations?: boolean;
}

/** What the queue runner needs at each wake-up, in one call. */
export interface PendingInvocations {
  /** Invocations due by `now`, oldest first (at most the limit asked for). */
  due: AsyncInvocation[];
  /** The earliest due time after `now` of any queued invocation. */
  nextDue: number | undefined;
}

export interface LambdaRepo {
  allFunctions(tx?: Tx): Promise<FunctionRecord[]>;
  /** Writes the function's whole document under its key (functionKey), replacing any before. */
  putFunction(tx: Tx, key: string, doc: FunctionRecord): Promise<void>;
  deleteFunction(tx: Tx, key: string): Promise<void>;
  allMappings<T>(tx?: Tx): Promise<T[]>;
  /** Writes the mapping's whole document (positions included), replacing any before. */
  putMapping(tx: Tx, uuid: string, doc: unknown): Promise<void>;
  deleteMapping(tx: Tx, uuid: string): Promise<void>;
  /** Queues the invocation, or replaces the one of its id (a retry: attempts and due time). */
  enqueueInvocation(tx: Tx, inv: AsyncInvocation): Promise<void>;
  removeInvocation(tx: Tx, id: string): Promise<void>;
  /** Invocations due by `now` (up to `limit`, oldest first) and when the next one falls due. */
  pendingInvocations(now: number, limit: number, tx?: Tx): Promise<PendingInvocations>;
}
