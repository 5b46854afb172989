/**
 * Asynchronous invocation (InvocationType=Event), as Lambda runs it: the event is stored
 * durably before the caller hears 202, then invoked; a function error is retried (twice by
 * default, after one and then two minutes, on the injected clock), throttling is retried until
 * the event is too old, and the outcome goes to the configured on-success / on-failure
 * destination (an SQS queue or another function) or the dead-letter queue, or is dropped.
 */
import type { ServiceEnv } from '../../service.js';
import type { Store } from '../../../store/store.js';
import { own } from '../../../lib/own.js';
import type { Timer } from '../../../lib/clock.js';
import { AwsError } from '../../../protocols/errors.js';
import { TooManyRequestsException } from '../errors.js';
import type { EventInvokeConfig, FunctionRecord } from '../model.js';
import type { AsyncInvocation, LambdaRepo } from '../repo.js';
import { isQueueArn, queueSender } from './destinations.js';
import type { Invoker, ResolvedFunction } from './invoker.js';
import { parseFunctionArn, type FunctionRef } from './names.js';

/** Lambda's async payload limit (raised from 256 KB to 1 MB in 2025). */
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_S = 6 * 3600;
const RETRY_DELAYS_MS = [60_000, 120_000];
const THROTTLE_RETRY_MS = 1_000;
/** Invocations run at once by the queue runner. */
const PARALLEL = 8;

type Condition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface AsyncDeps extends Pick<ServiceEnv, 'clock' | 'ids' | 'log' | 'internal'> {
  store: Store;
  repo: LambdaRepo;
  invoker: Invoker;
  /** The function a stored invocation names, if it still exists. */
  resolve(ref: FunctionRef): ResolvedFunction | undefined;
}

export class AsyncInvocations {
  private timer: Timer | undefined;
  private timerAt = Infinity;
  private running = 0;
  private stopped = false;
  private readonly inFlight = new Set<string>();
  /** A kick is reading the queue; `kickAgain` asks it for one more round when it ends. */
  private kicking = false;
  private kickAgain = false;

  constructor(private readonly d: AsyncDeps) {}

  /** Stores the event (durably) and schedules it; resolves once it is safe to answer 202. */
  async enqueue(target: ResolvedFunction, qualifier: string | undefined, payload: Buffer, requestId: string, opts: { noDestinations?: boolean } = {}): Promise<void> {
    const now = this.d.clock.now();
    const inv: AsyncInvocation = {
      id: this.d.ids.uuid(),
      functionArn: target.invokedArn,
      accountId: target.fn.accountId,
      region: target.fn.region,
      name: target.fn.name,
      ...(qualifier !== undefined ? { qualifier } : {}),
      payload: payload.toString('base64'),
      requestId,
      enqueuedAt: now,
      attempts: 0,
      due: now,
      ...(opts.noDestinations ? { noDestinations: true } : {}),
    };
    await this.d.store.write((tx) => this.d.repo.enqueueInvocation(tx, inv));
    this.kick();
  }

  /**
   * Runs what is due now and schedules the next wake-up. One kick reads the queue at a time
   * (so two cannot start the same invocation); a kick asked for meanwhile runs once it ends.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.kicking) {
      this.kickAgain = true;
      return;
    }
    this.kicking = true;
    this.runDue()
      .catch((e) => this.d.log.error('asynchronous invocations could not be read', { error: e instanceof Error ? e.stack : String(e) }))
      .finally(() => {
        this.kicking = false;
        if (this.kickAgain) {
          this.kickAgain = false;
          this.kick();
        }
      });
  }

  private async runDue(): Promise<void> {
    const now = this.d.clock.now();
    let nextDue: number | undefined;
    do {
      // One read answers what is due and when the next one is (in flight ones come back too).
      const pending = await this.d.repo.pendingInvocations(now, PARALLEL * 2);
      nextDue = pending.nextDue;
      if (this.stopped) return;
      const due = pending.due.filter((i) => !this.inFlight.has(i.id));
      if (due.length === 0) break;
      for (const inv of due.slice(0, PARALLEL - this.running)) this.start(inv);
    } while (this.running < PARALLEL);
    this.schedule(nextDue);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /**
   * Wakes up for the next invocation that falls due later. What is due now is running or
   * waits for a free slot: each finished invocation kicks again.
   */
  private schedule(next: number | undefined): void {
    if (next === undefined || next >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = next;
    this.timer = this.d.clock.at(next, () => {
      this.timerAt = Infinity;
      this.timer = undefined;
      this.kick();
    });
  }

  private start(inv: AsyncInvocation): void {
    this.running++;
    this.inFlight.add(inv.id);
    this.attempt(inv)
      .catch(async (e) => {
        // Something outside the function failed (the store, say): try again later, never at once.
        this.d.log.error('asynchronous invocation failed to run', { requestId: inv.requestId, error: e instanceof Error ? e.stack : String(e) });
        await this.retryAt(inv, this.d.clock.now() + RETRY_DELAYS_MS[0]!, inv.attempts).catch(() => undefined);
      })
      .finally(() => {
        this.running--;
        this.inFlight.delete(inv.id);
        // On the next turn of the event loop: a kick never recurses through microtasks.
        setImmediate(() => this.kick());
      });
  }

  private async attempt(inv: AsyncInvocation): Promise<void> {
    const ref: FunctionRef = { accountId: inv.accountId, region: inv.region, name: inv.name, ...(inv.qualifier !== undefined ? { qualifier: inv.qualifier } : {}) };
    const target = this.d.resolve(ref);
    if (!target) return this.finish(inv);
    const config = eventInvokeConfig(target.fn, inv.qualifier);
    const payload = Buffer.from(inv.payload, 'base64');
    const now = this.d.clock.now();
    if (now - inv.enqueuedAt > (config?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000) {
      return this.finish(inv, () => this.deliver(target, inv, config, 'EventAgeExceeded', payload));
    }
    let result: { payload: Buffer; functionError?: string };
    try {
      result = await this.d.invoker.invoke(target, payload, { requestId: inv.requestId });
    } catch (e) {
      // Throttled: not an attempt; tried again until the event is too old.
      if (e instanceof TooManyRequestsException) return this.retryAt(inv, this.d.clock.now() + THROTTLE_RETRY_MS, inv.attempts);
      // The function could not run (a Failed state, a payload it refuses): a failed attempt.
      if (!(e instanceof AwsError)) throw e;
      result = { payload: Buffer.from(JSON.stringify({ errorType: e.code, errorMessage: e.message })), functionError: 'Unhandled' };
    }
    const attempts = inv.attempts + 1;
    if (!result.functionError) {
      return this.finish(inv, () => this.deliver(target, { ...inv, attempts }, config, 'Success', payload, result));
    }
    const retries = config?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
    if (attempts <= retries) return this.retryAt(inv, this.d.clock.now() + RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)]!, attempts);
    return this.finish(inv, () => this.deliver(target, { ...inv, attempts }, config, 'RetriesExhausted', payload, result));
  }

  private async retryAt(inv: AsyncInvocation, due: number, attempts: number): Promise<void> {
    await this.d.store.write((tx) => this.d.repo.enqueueInvocation(tx, { ...inv, attempts, due }));
  }

  /** Sends the outcome, then forgets the invocation (at least once: a crash between resends). */
  private async finish(inv: AsyncInvocation, deliver?: () => Promise<void>): Promise<void> {
    if (deliver && !inv.noDestinations) await deliver();
    await this.d.store.write((tx) => this.d.repo.removeInvocation(tx, inv.id));
  }

  private async deliver(
    target: ResolvedFunction,
    inv: AsyncInvocation,
    config: EventInvokeConfig | undefined,
    condition: Condition,
    payload: Buffer,
    result?: { payload: Buffer; functionError?: string },
  ): Promise<void> {
    const success = condition === 'Success';
    const destination = success ? config?.DestinationConfig?.OnSuccess?.Destination : config?.DestinationConfig?.OnFailure?.Destination;
    if (destination) {
      const record = {
        version: '1.0',
        timestamp: new Date(this.d.clock.now()).toISOString(),
        requestContext: { requestId: inv.requestId, functionArn: inv.functionArn, condition, approximateInvokeCount: inv.attempts },
        requestPayload: parseJson(payload),
        ...(result
          ? {
              responseContext: { statusCode: 200, executedVersion: target.executedVersion, ...(result.functionError ? { functionError: result.functionError } : {}) },
              responsePayload: parseJson(result.payload),
            }
          : {}),
      };
      await this.send(destination, JSON.stringify(record), target);
      return;
    }
    // Without an on-failure destination, a failed event goes to the dead-letter queue, if any.
    const dlq = target.version.config.DeadLetterConfig?.TargetArn;
    if (!success && dlq) await this.send(dlq, payload.toString('utf8'), target);
  }

  private async send(arn: string, body: string, from: ResolvedFunction): Promise<void> {
    try {
      if (isQueueArn(arn)) {
        await queueSender(this.d.internal)?.(arn, body);
        return;
      }
      const fnRef = parseFunctionArn(arn);
      const target = fnRef && this.d.resolve(fnRef);
      if (target) await this.enqueue(target, fnRef.qualifier, Buffer.from(body), this.d.ids.uuid(), { noDestinations: false });
      else this.d.log.warn('destination not found', { destination: arn, function: from.fn.name });
    } catch (e) {
      this.d.log.warn('destination delivery failed', { destination: arn, function: from.fn.name, error: String(e) });
    }
  }
}

/** The configuration for the qualifier invoked, else the function's own. */
export function eventInvokeConfig(fn: FunctionRecord, qualifier: string | undefined): EventInvokeConfig | undefined {
  return own(fn.eventInvokeConfigs, qualifier ?? '$LATEST');
}

function parseJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return b.toString('utf8');
  }
}
