/**
 * What the functions service stores, whatever the backend: one document per function, one per
 * event source mapping (with its reading positions), and the durable queue of asynchronous
 * invocations. Writers call the `*Now` methods inside `store.write`, so a change and what
 * follows from it commit together.
 */
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

export interface LambdaRepo {
  allFunctions(): FunctionRecord[];
  putFunctionNow(key: string, doc: FunctionRecord): void;
  deleteFunctionNow(key: string): void;
  allMappings<T>(): T[];
  putMappingNow(uuid: string, doc: unknown): void;
  deleteMappingNow(uuid: string): void;
  enqueueNow(inv: AsyncInvocation): void;
  removeInvocationNow(id: string): void;
  /** Invocations due by `now`, oldest first. */
  dueInvocations(now: number, limit: number): AsyncInvocation[];
  /** The earliest due time after `now` of any queued invocation. */
  nextDue(now: number): number | undefined;
}
