/**
 * An SQS event source mapping: as many pollers as the mapping may run batches at once
 * (ScalingConfig's MaximumConcurrency, else five) each long-poll the queue in-process (woken by
 * sends, no polling loop), gather a batch (until it holds BatchSize messages or the batching
 * window ends, on the clock; with a window the pollers take turns gathering), run it and poll
 * again; so no message waits in flight for a slot, and the pollers' receives and deletes share
 * group commits.
 *
 * A batch the function handles is deleted; one it fails is left to the queue's visibility
 * timeout and redrive policy (after maxReceiveCount receives it goes to the dead-letter queue),
 * and with ReportBatchItemFailures only the messages the function names are left. FIFO order
 * per message group holds because SQS hands out no message of a group while another of that
 * group is in flight. Messages the filter criteria reject are deleted, as Lambda does.
 */
import { setMaxListeners } from 'node:events';
import { parseArn } from '../../../lib/arn.js';
import type { EventPattern } from '../../../lib/event-pattern.js';
import type { ReceivedSqsMessage } from '../../../lib/internal.js';
import { batchItemFailures, invokeBatch, mappingFilters, passes, splitBySize, Waiter, type MappingRunner, type RunnerDeps } from './mappings-batch.js';
import type { MappingDoc } from './mappings-config.js';

/** Concurrent batches of a mapping without ScalingConfig (Lambda starts with five pollers). */
export const DEFAULT_SQS_CONCURRENCY = 5;
/** The long poll the poller keeps open while the queue is empty (SQS's maximum). */
const LONG_POLL_MS = 20_000;
/** After the queue could not be read (deleted, say), the poller tries again this much later on the clock. */
const ERROR_PAUSE_MS = 10_000;
/** A batch stops growing at this many bytes of bodies (Lambda's 6 MB payload, less the envelope). */
const MAX_BATCH_BYTES = 5 * 1024 * 1024;

/** The record Lambda puts in an SQS event for one message. */
export function sqsRecord(m: ReceivedSqsMessage, queueArn: string, region: string): Record<string, unknown> {
  const a = m.attributes;
  const order = ['ApproximateReceiveCount', 'SentTimestamp', 'SequenceNumber', 'MessageGroupId', 'SenderId', 'MessageDeduplicationId', 'ApproximateFirstReceiveTimestamp'];
  const attributes: Record<string, string> = {};
  for (const k of order) if (a[k] !== undefined) attributes[k] = a[k]!;
  for (const [k, v] of Object.entries(a)) if (!(k in attributes)) attributes[k] = v;
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(m.messageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes,
    messageAttributes,
    ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    md5OfBody: m.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** The record as filter criteria see it: a body that is JSON is matched as JSON, any other as a string. */
function filterView(record: Record<string, unknown>): Record<string, unknown> {
  const body = record.body as string;
  const first = body.trimStart()[0];
  if (first !== '{' && first !== '[') return record;
  try {
    return { ...record, body: JSON.parse(body) as unknown };
  } catch {
    return record;
  }
}

export class SqsPoller implements MappingRunner {
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pause: Waiter;
  private readonly filters: EventPattern[];
  private readonly slots: number;
  private readonly region: string;
  private readonly loop: Promise<void>;

  constructor(
    private readonly doc: MappingDoc,
    private readonly d: RunnerDeps,
  ) {
    this.filters = mappingFilters(doc);
    this.slots = doc.ScalingConfig?.MaximumConcurrency ?? DEFAULT_SQS_CONCURRENCY;
    this.region = parseArn(doc.EventSourceArn)?.region ?? doc.region;
    this.pause = new Waiter(d.clock);
    // Every poller's receive listens on the one signal.
    setMaxListeners(this.slots * 2 + 10, this.abort.signal);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.pause.stop();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  /** One poller per slot: receive a batch, run it, repeat (group commit shares their receives' fsyncs). */
  private async run(): Promise<void> {
    const pollers: Promise<void>[] = [];
    for (let i = 0; i < this.slots; i++) pollers.push(this.poll());
    await Promise.all(pollers);
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      let batch: ReceivedSqsMessage[];
      try {
        batch = await this.gatherInTurn();
      } catch (e) {
        if (this.stopped) break;
        this.d.log.warn('event source mapping could not read its queue', { uuid: this.doc.UUID, queue: this.doc.EventSourceArn, error: String(e) });
        await this.pause.wait(this.d.clock.now() + ERROR_PAUSE_MS, false);
        continue;
      }
      // Messages received as the mapping stopped are still handled: they are in flight now.
      if (batch.length === 0) continue;
      const work: Promise<void> = this.handle(batch)
        .catch((e) => this.d.log.error('event source mapping batch failed', { uuid: this.doc.UUID, error: e instanceof Error ? e.stack : String(e) }))
        .finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
      await work;
    }
  }

  /** The last gathering under way, when a batching window makes pollers take turns. */
  private gathering: Promise<unknown> = Promise.resolve();

  /**
   * With a batching window, pollers gather one at a time, so messages sent within the window
   * end in one batch; without one, they receive side by side.
   */
  private gatherInTurn(): Promise<ReceivedSqsMessage[]> {
    if (this.doc.MaximumBatchingWindowInSeconds === 0) return this.gather();
    const mine = this.gathering.then(() => this.gather());
    this.gathering = mine.catch(() => undefined);
    return mine;
  }

  /** Receives until the batch is full, or (without a batching window) at the first messages, or when the window ends. */
  private async gather(): Promise<ReceivedSqsMessage[]> {
    const receive = this.d.internal.get('sqs.receiveMessages');
    if (!receive) throw new Error('SQS is not running');
    const batch: ReceivedSqsMessage[] = [];
    const windowMs = this.doc.MaximumBatchingWindowInSeconds * 1000;
    let deadline: number | undefined;
    let bytes = 0;
    while (batch.length < this.doc.BatchSize && !this.stopped) {
      const waitMs = deadline === undefined ? LONG_POLL_MS : deadline - this.d.clock.now();
      if (waitMs <= 0) break;
      const got = await receive({ queueArn: this.doc.EventSourceArn, max: this.doc.BatchSize - batch.length, waitMs, signal: this.abort.signal });
      for (const m of got) {
        batch.push(m);
        bytes += Buffer.byteLength(m.body);
      }
      if (batch.length === 0) continue;
      if (windowMs === 0 || bytes >= MAX_BATCH_BYTES) break;
      deadline ??= this.d.clock.now() + windowMs;
    }
    return batch;
  }

  private async handle(batch: ReceivedSqsMessage[]): Promise<void> {
    const records = batch.map((m) => sqsRecord(m, this.doc.EventSourceArn, this.region));
    const rejected = records.filter((r) => !passes(this.filters, filterView(r)));
    if (rejected.length) await this.delete(rejected);
    const wanted = rejected.length ? records.filter((r) => !rejected.includes(r)) : records;
    for (const run of splitBySize(wanted, (r) => Buffer.byteLength(r.body as string) + 1024)) {
      const outcome = await invokeBatch(this.d, this.doc, { Records: run }, () => this.stopped);
      if (outcome.kind !== 'ok') continue; // left to the visibility timeout
      let done = run;
      if (this.doc.FunctionResponseTypes.includes('ReportBatchItemFailures')) {
        const failed = batchItemFailures(outcome.payload, new Set(run.map((r) => r.messageId as string)));
        if (failed === undefined) continue; // an invalid response fails the whole batch
        const left = new Set(failed);
        done = run.filter((r) => !left.has(r.messageId as string));
      }
      if (done.length) await this.delete(done);
    }
  }

  private async delete(records: Record<string, unknown>[]): Promise<void> {
    const del = this.d.internal.get('sqs.deleteMessages');
    try {
      await del?.({ queueArn: this.doc.EventSourceArn, receiptHandles: records.map((r) => r.receiptHandle as string) });
    } catch (e) {
      this.d.log.warn('event source mapping could not delete messages', { uuid: this.doc.UUID, queue: this.doc.EventSourceArn, error: String(e) });
    }
  }
}
