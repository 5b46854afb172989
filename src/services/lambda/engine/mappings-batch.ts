/**
 * What the queue pollers and stream readers of event source mappings share: running one
 * batch through the function (throttled invocations are tried again after a short pause, in
 * real time, since what frees an environment is a running invocation ending), reading a
 * partial batch response (ReportBatchItemFailures), filter criteria, and payload-size splits.
 */
import type { ServiceEnv } from '../../service.js';
import type { Clock, Timer } from '../../../lib/clock.js';
import { compileEventPattern, matchesAnyEventPattern, type EventPattern } from '../../../lib/event-pattern.js';
import { AwsError } from '../../../protocols/errors.js';
import { TooManyRequestsException } from '../errors.js';
import { MAX_SYNC_PAYLOAD, type Invoker, type ResolvedFunction } from './invoker.js';
import type { MappingDoc } from './mappings-config.js';

const THROTTLE_PAUSE_MS = [50, 100, 200, 400, 800, 1000];

/** What a mapping's runner needs from the functions service. */
export interface RunnerDeps extends Pick<ServiceEnv, 'clock' | 'ids' | 'log' | 'internal'> {
  invoker: Invoker;
  /** The function a mapping's FunctionArn names; throws Lambda's ResourceNotFoundException when it is gone. */
  resolve(functionArn: string): ResolvedFunction;
  /** Durably records a stream mapping's progress (and its LastProcessingResult). */
  savePosition(uuid: string, shardId: string, sequence: number, result: string): Promise<void>;
}

/** Runs a mapping's work until stopped. */
export interface MappingRunner {
  /** Takes no new batch; resolves once the batches in hand are finished. */
  stop(): Promise<void>;
}

export type InvokeOutcome =
  | { kind: 'ok'; payload: Buffer; requestId: string; executedVersion: string }
  | { kind: 'failed'; requestId: string; statusCode: number; executedVersion?: string; functionError?: string; result: string }
  | { kind: 'stopped' };

/**
 * Invokes the function with one batch; throttled calls wait and try again until stopped. A
 * failure that comes back once the runner has stopped counts as 'stopped', not as an attempt:
 * shutting Nimbus down kills busy environments, which is no fault of the batch.
 */
export async function invokeBatch(d: RunnerDeps, doc: MappingDoc, event: unknown, stopped: () => boolean): Promise<InvokeOutcome> {
  const payload = Buffer.from(JSON.stringify(event));
  for (let throttled = 0; ; throttled++) {
    if (stopped()) return { kind: 'stopped' };
    const requestId = d.ids.uuid();
    let target: ResolvedFunction | undefined;
    try {
      target = d.resolve(doc.FunctionArn);
      const result = await d.invoker.invoke(target, payload, { requestId });
      // A failure while the runner stopped is most likely Nimbus's own shutdown killing the
      // environment: no attempt of the batch, which is read (or received) again after a restart.
      if (result.functionError && stopped()) return { kind: 'stopped' };
      if (result.functionError) {
        return { kind: 'failed', requestId, statusCode: 200, executedVersion: target.executedVersion, functionError: result.functionError, result: 'PROBLEM: Function call failed' };
      }
      return { kind: 'ok', payload: result.payload, requestId, executedVersion: target.executedVersion };
    } catch (e) {
      if (e instanceof TooManyRequestsException) {
        await new Promise((r) => setTimeout(r, THROTTLE_PAUSE_MS[Math.min(throttled, THROTTLE_PAUSE_MS.length - 1)]).unref());
        continue;
      }
      if (stopped()) return { kind: 'stopped' };
      const message = e instanceof Error ? e.message : String(e);
      d.log.warn('event source mapping could not invoke its function', { uuid: doc.UUID, function: doc.FunctionArn, error: message });
      return { kind: 'failed', requestId, statusCode: e instanceof AwsError ? e.status : 500, ...(target ? { executedVersion: target.executedVersion } : {}), result: `PROBLEM: ${message}` };
    }
  }
}

/**
 * The identifiers a partial batch response reports as failed, or undefined when the response
 * fails the whole batch. Empty or null lists, an empty object and null are complete successes;
 * a response that is not JSON, an item without a non-empty itemIdentifier, or one naming no
 * record of the batch is a complete failure (Lambda's rules).
 */
export function batchItemFailures(payload: Buffer, known: ReadonlySet<string>): string[] | undefined {
  let response: unknown;
  try {
    response = JSON.parse(payload.toString('utf8') || 'null');
  } catch {
    return undefined;
  }
  if (response === null) return [];
  if (typeof response !== 'object' || Array.isArray(response)) return undefined;
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return undefined;
  const failed: string[] = [];
  for (const item of list) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) return undefined;
    failed.push(id);
  }
  return failed;
}

/** The mapping's filter patterns (checked when the mapping was saved). */
export function mappingFilters(doc: MappingDoc): EventPattern[] {
  return (doc.FilterCriteria?.Filters ?? []).map((f) => compileEventPattern(JSON.parse(f.Pattern)));
}

/** Whether a record passes the filters (no filters: every record does). */
export function passes(filters: EventPattern[], view: unknown): boolean {
  return filters.length === 0 || matchesAnyEventPattern(filters, view);
}

/** Splits records, in order, into runs whose event stays under Lambda's synchronous payload limit. */
export function splitBySize<T>(items: T[], size: (item: T) => number): T[][] {
  const limit = MAX_SYNC_PAYLOAD - 1024;
  const runs: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item) + 1;
    if (current.length && bytes + n > limit) {
      runs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length) runs.push(current);
  return runs;
}

/**
 * Waits that end at a deadline on the clock, on stop, and (when asked) on a wake-up; a
 * wake-up that came before a wait started ends it at once. Several loops may wait on one
 * Waiter at the same time (a mapping's pollers): wake() and stop() end every wait under way.
 */
export class Waiter {
  private woken = false;
  private stopped = false;
  private readonly waits = new Set<{ done(): void; onWake: boolean }>();

  constructor(private readonly clock: Clock) {}

  /** Forgets earlier wake-ups: call before looking at the source. */
  reset(): void {
    this.woken = false;
  }

  wake(): void {
    this.woken = true;
    for (const w of [...this.waits]) if (w.onWake) w.done();
  }

  stop(): void {
    this.stopped = true;
    for (const w of [...this.waits]) w.done();
  }

  wait(deadline: number | undefined, onWake: boolean): Promise<void> {
    if (this.stopped || (onWake && this.woken)) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const done = () => {
        timer?.cancel();
        this.waits.delete(entry);
        resolve();
      };
      const entry = { done, onWake };
      this.waits.add(entry);
      if (deadline !== undefined) timer = this.clock.at(deadline, done);
    });
  }
}
