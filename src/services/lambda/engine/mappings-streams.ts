/**
 * A DynamoDB stream event source mapping: one reader per mapping (a stream here has one
 * shard), woken by the bus when the stream advances (`dynamodb:stream`) and at start, reads
 * the stream log after its position, gathers up to BatchSize records (or until the batching
 * window ends, on the clock), and invokes the function with them in order.
 *
 * A failed batch is retried, after a backoff on the clock, until it succeeds, its retries
 * (MaximumRetryAttempts, -1 = until the record expires) run out or its oldest record is too old
 * (MaximumRecordAgeInSeconds); then an invocation record goes to the on-failure destination
 * and reading moves on. BisectBatchOnFunctionError splits a failing batch in two and retries
 * each half; with ReportBatchItemFailures the records before the first reported failure are
 * done and only the rest is retried. The position (the last sequence number done) is written
 * to the mapping's row after every batch, so a restart neither loses nor repeats finished work.
 */
import type { EventPattern } from '../../../lib/event-pattern.js';
import type { EventBus } from '../../../lib/event-bus.js';
import type { InternalCalls, StreamLogRecord } from '../../../lib/internal.js';
import { isQueueArn, queueSender } from './destinations.js';
import { batchItemFailures, invokeBatch, mappingFilters, passes, splitBySize, Waiter, type InvokeOutcome, type MappingRunner, type RunnerDeps } from './mappings-batch.js';
import type { MappingDoc } from './mappings-config.js';

/** The bus topic DynamoDB announces stream progress on (its event names the stream's ARN). */
const STREAM_TOPIC = 'dynamodb:stream';
/** Stream records expire after a day: retries of a record end then at the latest. */
const RECORD_LIFETIME_MS = 24 * 3600_000;
/** Retry backoff of a failed batch, on the clock: 1 s doubling to a minute. */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60_000;
/** While the stream is missing the reader looks again this much later (or when the bus says it moved). */
const MISSING_PAUSE_MS = 10_000;

interface Rec {
  sequence: number;
  createdAt: number;
  /** The record as the function gets it. */
  event: Record<string, unknown>;
}

type Condition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export class StreamReader implements MappingRunner {
  private stopped = false;
  private readonly waiter: Waiter;
  private readonly filters: EventPattern[];
  private readonly unsubscribe: () => void;
  private readonly loop: Promise<void>;
  private shardId = '';
  /** Sequence number up to which this batch's records are done (records before a failure, finished halves). */
  private acked: number | undefined;
  private lastResult = 'OK';

  constructor(
    private readonly doc: MappingDoc,
    private readonly d: RunnerDeps,
    bus: EventBus,
  ) {
    this.filters = mappingFilters(doc);
    this.waiter = new Waiter(d.clock);
    this.unsubscribe = bus.on<{ streamArn: string }>(STREAM_TOPIC, (e) => {
      if (e.streamArn === doc.EventSourceArn) this.waiter.wake();
    });
    this.loop = this.run().catch((e) => d.log.error('stream event source mapping stopped on an error', { uuid: doc.UUID, error: e instanceof Error ? e.stack : String(e) }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    this.waiter.stop();
    await this.loop;
  }

  private async run(): Promise<void> {
    const info = this.d.internal.get('dynamodb.streamInfo');
    const read = this.d.internal.get('dynamodb.readStream');
    if (!info || !read) return;
    let errors = 0;
    while (!this.stopped) {
      try {
        await this.step(info, read);
        errors = 0;
      } catch (e) {
        // A failed read or position write must not end the mapping: try again after a pause.
        if (this.stopped) break;
        errors++;
        const delay = Math.min(RETRY_BASE_MS * 2 ** Math.min(errors - 1, 16), RETRY_MAX_MS);
        this.d.log.error('stream event source mapping failed; retrying', { uuid: this.doc.UUID, retryInMs: delay, error: e instanceof Error ? e.stack : String(e) });
        await this.waiter.wait(this.d.clock.now() + delay, false);
      }
    }
  }

  /** One turn of the reader: wait for records (or the stream), then run a batch of them. */
  private async step(info: InternalCalls['dynamodb.streamInfo'], read: InternalCalls['dynamodb.readStream']): Promise<void> {
    const size = this.doc.BatchSize;
    const windowMs = this.doc.MaximumBatchingWindowInSeconds * 1000;
    this.waiter.reset();
    const stream = await info({ streamArn: this.doc.EventSourceArn });
    if (!stream) {
      await this.waiter.wait(this.d.clock.now() + MISSING_PAUSE_MS, true);
      return;
    }
    this.shardId = stream.shardId;
    let after = this.doc.positions?.[stream.shardId];
    if (after === undefined) {
      // A shard not seen before starts at the mapping's starting position, fixed from now on.
      after = this.doc.StartingPosition === 'TRIM_HORIZON' ? stream.trimHorizon : stream.latest;
      this.doc.positions = { ...this.doc.positions, [stream.shardId]: after };
    }
    let page = await read({ streamArn: this.doc.EventSourceArn, after, limit: size });
    if (!page || page.records.length === 0) {
      await this.waiter.wait(undefined, true);
      return;
    }
    if (page.trimmed) this.d.log.warn('stream records expired before the mapping read them', { uuid: this.doc.UUID, stream: this.doc.EventSourceArn });
    if (windowMs > 0 && page.records.length < size) {
      const deadline = this.d.clock.now() + windowMs;
      while (!this.stopped && page && page.records.length < size && this.d.clock.now() < deadline) {
        this.waiter.reset();
        await this.waiter.wait(deadline, true);
        page = (await read({ streamArn: this.doc.EventSourceArn, after, limit: size })) ?? page;
      }
    }
    if (this.stopped || !page) return;
    await this.handle(page.records);
  }

  /** One batch as read: filtered, split to fit the payload limit, run in order, then the position moves past it. */
  private async handle(records: StreamLogRecord[]): Promise<void> {
    const recs: Rec[] = records.map((r) => ({ sequence: r.sequence, createdAt: r.createdAt, event: { ...r.record, eventSourceARN: this.doc.EventSourceArn } }));
    const wanted = recs.filter((r) => passes(this.filters, r.event));
    this.acked = undefined;
    this.lastResult = 'OK';
    for (const run of splitBySize(wanted, (r) => JSON.stringify(r.event).length)) {
      if (!(await this.runBatch(run, 0))) {
        // Stopped part-way: keep what is done, so the rest is read again.
        if (this.acked !== undefined) await this.save(this.acked);
        return;
      }
    }
    await this.save(recs[recs.length - 1]!.sequence);
  }

  /** Runs a batch until it is done or given up; false when the reader stopped first. */
  private async runBatch(initial: Rec[], attemptsBefore: number): Promise<boolean> {
    let batch = initial;
    let attempts = attemptsBefore;
    for (;;) {
      const outcome = await invokeBatch(this.d, this.doc, { Records: batch.map((r) => r.event) }, () => this.stopped);
      if (outcome.kind === 'stopped') return false;
      let partial = false;
      if (outcome.kind === 'ok') {
        const failedFrom = this.firstFailure(batch, outcome.payload);
        if (failedFrom === undefined) {
          this.acked = batch[batch.length - 1]!.sequence;
          return true;
        }
        if (failedFrom > 0) {
          this.acked = batch[failedFrom - 1]!.sequence;
          batch = batch.slice(failedFrom);
        }
        partial = true;
      } else {
        this.lastResult = outcome.result;
      }
      attempts++;
      const condition = this.exhausted(batch, attempts);
      if (condition) {
        await this.giveUp(batch, attempts, outcome, condition);
        this.acked = batch[batch.length - 1]!.sequence;
        return true;
      }
      // Bisecting halves a batch the function failed as a whole; a partial response already says where to resume.
      if (!partial && this.doc.BisectBatchOnFunctionError && batch.length > 1) {
        const mid = Math.ceil(batch.length / 2);
        return (await this.runBatch(batch.slice(0, mid), attempts)) && this.runBatch(batch.slice(mid), attempts);
      }
      const delay = Math.min(RETRY_BASE_MS * 2 ** Math.min(attempts - 1, 16), RETRY_MAX_MS);
      await this.waiter.wait(this.d.clock.now() + delay, false);
      if (this.stopped) return false;
    }
  }

  /**
   * With ReportBatchItemFailures: the index of the first record to retry (the lowest sequence
   * number reported), 0 for a response that fails the batch, undefined when all is done.
   */
  private firstFailure(batch: Rec[], payload: Buffer): number | undefined {
    if (!this.doc.FunctionResponseTypes.includes('ReportBatchItemFailures')) return undefined;
    const bySequence = new Map(batch.map((r, i) => [(r.event.dynamodb as { SequenceNumber: string }).SequenceNumber, i]));
    const failed = batchItemFailures(payload, new Set(bySequence.keys()));
    if (failed === undefined) return 0;
    if (failed.length === 0) return undefined;
    return Math.min(...failed.map((id) => bySequence.get(id)!));
  }

  private exhausted(batch: Rec[], attempts: number): Condition | undefined {
    const maxAge = this.doc.MaximumRecordAgeInSeconds ?? -1;
    const age = this.d.clock.now() - batch[0]!.createdAt;
    if (age > (maxAge === -1 ? RECORD_LIFETIME_MS : maxAge * 1000)) return 'RecordAgeExceeded';
    const retries = this.doc.MaximumRetryAttempts ?? -1;
    return retries !== -1 && attempts > retries ? 'RetryAttemptsExhausted' : undefined;
  }

  /** Sends the invocation record of a batch given up to the on-failure destination, if there is one. */
  private async giveUp(batch: Rec[], attempts: number, outcome: Exclude<InvokeOutcome, { kind: 'stopped' }>, condition: Condition): Promise<void> {
    const destination = this.doc.DestinationConfig?.OnFailure.Destination;
    this.d.log.warn('stream event source mapping skipped a batch', { uuid: this.doc.UUID, condition, records: batch.length, destination });
    if (!destination) return;
    const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const seq = (r: Rec) => (r.event.dynamodb as { SequenceNumber: string }).SequenceNumber;
    const record = {
      requestContext: { requestId: outcome.requestId, functionArn: this.doc.FunctionArn, condition, approximateInvokeCount: attempts },
      responseContext: {
        statusCode: outcome.kind === 'ok' ? 200 : outcome.statusCode,
        executedVersion: outcome.executedVersion ?? '$LATEST',
        ...(outcome.kind === 'failed' && outcome.functionError ? { functionError: outcome.functionError } : {}),
      },
      version: '1.0',
      timestamp: new Date(this.d.clock.now()).toISOString(),
      DDBStreamBatchInfo: {
        shardId: this.shardId,
        startSequenceNumber: seq(batch[0]!),
        endSequenceNumber: seq(batch[batch.length - 1]!),
        approximateArrivalOfFirstRecord: seconds(batch[0]!.createdAt),
        approximateArrivalOfLastRecord: seconds(batch[batch.length - 1]!.createdAt),
        batchSize: batch.length,
        streamArn: this.doc.EventSourceArn,
      },
    };
    const send = queueSender(this.d.internal);
    if (!isQueueArn(destination) || !send) {
      this.d.log.warn('on-failure destination not supported here', { uuid: this.doc.UUID, destination });
      return;
    }
    try {
      await send(destination, JSON.stringify(record));
    } catch (e) {
      this.d.log.warn('on-failure destination delivery failed', { uuid: this.doc.UUID, destination, error: String(e) });
    }
  }

  /** Records the position durably; only then does the reader move past it in memory. */
  private async save(sequence: number): Promise<void> {
    await this.d.savePosition(this.doc.UUID, this.shardId, sequence, this.lastResult);
    this.doc.positions = { ...this.doc.positions, [this.shardId]: sequence };
  }
}
