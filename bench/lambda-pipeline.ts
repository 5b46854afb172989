/**
 * The Lambda family's two one-off measurements on a running Nimbus: cold starts of a nodejs20.x
 * environment, and the SQS → function pipeline (an event source mapping draining a prefilled
 * queue).
 *
 * Cold start: UpdateFunctionConfiguration retires the function's warm environments, so the
 * next Invoke (LogType=Tail, its REPORT line read) starts a new one. Two kinds of samples:
 * - "spare ready": only an environment variable changes. Nimbus keeps one pre-started Node
 *   process per recently used memory size (src/runtime/spares.ts), replenished just after each
 *   Node cold start, and the new environment adopts it: the usual cold start.
 * - "no spare": the memory size changes to one not used before, so no spare matches and the
 *   environment starts Node itself: the first cold start after a quiet spell, or of a new size.
 * A pause before each sample lets the previous sample's replenishing spare finish starting.
 *
 * SQS → function: a queue is prefilled (SendMessageBatch at --prefill-concurrency) with
 * --lambda-messages ~100-byte messages, the function's five environments (Lambda's default
 * concurrency for an SQS mapping) are warmed by five concurrent Invokes, then the clock starts,
 * CreateEventSourceMapping (BatchSize 10, enabled) is sent and the queue is looked at
 * (ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible, see pollGap) until it
 * is empty.
 */
import type { Args } from './args.js';
import { HttpError, JsonClient } from './load.js';
import { createFunction, ECHO_SOURCE, invokeOp, LambdaRaw, SINK_SOURCE, timedInvoke, treeCpu, updateConfiguration } from './lambda-ops.js';
import { fmt, log } from './measure.js';
import type { ServerProc } from './servers.js';
import { BODY, createQueue } from './sqs-ops.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const monoUs = () => Number(process.hrtime.bigint() / 1000n);
/** Pause before each cold-start sample (the spare replenished after the last one must be up). */
const COLD_GAP_MS = 750;
/** The drain is given up after this long. */
const DRAIN_LIMIT_MS = 180_000;
/** Concurrent batches of an SQS mapping without ScalingConfig (Lambda's default, and Nimbus's). */
const SQS_MAPPING_CONCURRENCY = 5;

/**
 * The pause before the next look at the queue: a quarter of the time the queue should take to
 * empty at the rate seen so far, between 20 and 250 ms. ApproximateNumberOfMessages costs the
 * server more the fuller the queue is, so looking often while it is full would slow the drain
 * measured; near the end, looks are cheap and frequent, so the end is seen within ~20 ms.
 */
function pollGap(progress: { ms: number; left: number }[], n: number): number {
  const last = progress.at(-1)!;
  const rate = (n - last.left) / Math.max(1, last.ms); // messages per ms
  if (rate <= 0) return 100;
  return Math.min(250, Math.max(20, last.left / rate / 4));
}

export interface ColdSample {
  /** Invoke wall time seen by the client (ms). */
  ms: number;
  /** The REPORT line's Init Duration and Duration (ms); NaN when the line had none (not cold). */
  initMs: number;
  durationMs: number;
}

export interface ColdResult {
  /** The first Invoke of a newly created function. */
  first: ColdSample;
  spare: ColdSample[];
  noSpare: ColdSample[];
}

export const quantile = (xs: number[], q: number) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
};

export async function coldStarts(nimbus: ServerProc, args: Args): Promise<ColdResult> {
  const client = new LambdaRaw(nimbus.endpoint, 1);
  const name = 'bench-cold';
  try {
    await createFunction(client, name, ECHO_SOURCE);
    const first = await timedInvoke(client, name);
    log(`cold start, first invoke of a new function: ${fmt(first.ms, 1)} ms (Init Duration ${fmt(first.initMs, 1)} ms)`);
    const sample = async (kind: string, i: number, changes: Record<string, unknown>) => {
      await updateConfiguration(client, name, changes);
      await sleep(COLD_GAP_MS);
      const s = await timedInvoke(client, name);
      log(`cold start (${kind}) ${i + 1}: ${fmt(s.ms, 1)} ms, Init Duration ${fmt(s.initMs, 1)} ms, Duration ${fmt(s.durationMs, 1)} ms`);
      return s;
    };
    const spare: ColdSample[] = [];
    for (let i = 0; i < args.coldSamples; i++) spare.push(await sample('spare ready', i, { Environment: { Variables: { BENCH_SAMPLE: `spare-${i}` } } }));
    const noSpare: ColdSample[] = [];
    for (let i = 0; i < args.coldSamples; i++) noSpare.push(await sample('no spare', i, { MemorySize: 129 + i, Environment: { Variables: { BENCH_SAMPLE: `none-${i}` } } }));
    return { first, spare, noSpare };
  } finally {
    client.close();
  }
}

// ---- SQS → function ----------------------------------------------------------------------------------

export interface PipelineResult {
  messages: number;
  prefillPerSec: number;
  /** From CreateEventSourceMapping sent to the queue seen empty. */
  drainMs: number;
  perSec: number;
  /** The rate between 10% and 90% drained (start-up and tail left out). */
  steadyPerSec: number;
  /** Time until the first message left the queue. */
  firstMs: number;
  /** CPU per message in the drain: Nimbus's own process, and its children (the environments). */
  nimbusUsPerMsg: number;
  envUsPerMsg: number;
  /** Messages still in the queue when the drain was given up (0 when it drained). */
  left: number;
  /** The drain on the monotonic clock (µs), to cut a CPU profile to it. */
  fromUs: number;
  toUs: number;
  note?: string;
}

async function queueDepth(sqs: JsonClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const r = await sqs.ok<{ Attributes?: Record<string, string> }>('GetQueueAttributes', {
    QueueUrl: url,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  });
  return { visible: Number(r.Attributes?.ApproximateNumberOfMessages ?? NaN), inFlight: Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? NaN) };
}

/** Sends exactly `count` messages in batches of ten from `concurrency` workers; resolves with messages/s. */
async function prefillExactly(sqs: JsonClient, url: string, count: number, concurrency: number): Promise<number> {
  const batches = Math.ceil(count / 10);
  let next = 0;
  const t = performance.now();
  const worker = async () => {
    while (next < batches) {
      const b = next++;
      const n = Math.min(10, count - b * 10);
      const out = await sqs.ok<{ Failed?: unknown[] }>('SendMessageBatch', { QueueUrl: url, Entries: Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })) });
      if (out.Failed?.length) throw new Error(`SendMessageBatch failed entries: ${JSON.stringify(out.Failed).slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (count * 1000) / (performance.now() - t);
}

/** `mapping` adds settings to CreateEventSourceMapping (e.g. ScalingConfig, for experiments). */
export async function sqsPipeline(nimbus: ServerProc, args: Args, mapping: Record<string, unknown> = {}): Promise<PipelineResult> {
  const sqs = new JsonClient(nimbus.endpoint, args.prefillConcurrency);
  const lambda = new LambdaRaw(nimbus.endpoint, SQS_MAPPING_CONCURRENCY);
  const n = args.lambdaMessages;
  const r: PipelineResult = { messages: n, prefillPerSec: NaN, drainMs: NaN, perSec: NaN, steadyPerSec: NaN, firstMs: NaN, nimbusUsPerMsg: NaN, envUsPerMsg: NaN, left: n, fromUs: NaN, toUs: NaN };
  try {
    const url = await createQueue(sqs, 'bench-lambda-esm');
    const attrs = await sqs.ok<{ Attributes?: Record<string, string> }>('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] });
    const arn = attrs.Attributes?.QueueArn;
    if (!arn) throw new Error('GetQueueAttributes gave no QueueArn');
    const name = 'bench-sink';
    await createFunction(lambda, name, SINK_SOURCE);
    const warm = invokeOp(lambda, name, '{}');
    await Promise.all(Array.from({ length: SQS_MAPPING_CONCURRENCY }, () => warm().catch(() => 0)));
    r.prefillPerSec = await prefillExactly(sqs, url, n, args.prefillConcurrency);
    const before = await queueDepth(sqs, url);
    log(`SQS → function: ${fmt(before.visible)} messages in ${url} (prefilled at ${fmt(r.prefillPerSec)} msg/s); function ${name} warmed (${SQS_MAPPING_CONCURRENCY} environments)`);
    if (before.visible !== n) throw new Error(`the queue holds ${before.visible} messages, not ${n}`);

    const cpu0 = treeCpu(nimbus.pid);
    r.fromUs = monoUs();
    const t0 = performance.now();
    const created = await lambda.call('POST', '/2015-03-31/event-source-mappings/', JSON.stringify({ EventSourceArn: arn, FunctionName: name, BatchSize: 10, Enabled: true, ...mapping }));
    if (created.status !== 202 && created.status !== 200) {
      r.note = `not measured: event source mappings unavailable (CreateEventSourceMapping: HTTP ${created.status} ${created.body.slice(0, 200)})`;
      return r;
    }
    const progress: { ms: number; left: number }[] = [];
    for (;;) {
      const d = await queueDepth(sqs, url);
      const ms = performance.now() - t0;
      const left = d.visible + d.inFlight;
      progress.push({ ms, left });
      if (left === 0 || ms > DRAIN_LIMIT_MS) break;
      await sleep(pollGap(progress, n));
    }
    r.toUs = monoUs();
    const cpu1 = treeCpu(nimbus.pid);
    const last = progress.at(-1)!;
    r.left = last.left;
    r.drainMs = last.ms;
    const done = n - last.left;
    r.perSec = (done * 1000) / last.ms;
    r.firstMs = progress.find((p) => p.left < n)?.ms ?? NaN;
    const at = (frac: number) => progress.find((p) => p.left <= n * (1 - frac));
    const p10 = at(0.1);
    const p90 = at(0.9);
    if (p10 && p90 && p90.ms > p10.ms) r.steadyPerSec = ((p10.left - p90.left) * 1000) / (p90.ms - p10.ms);
    r.nimbusUsPerMsg = done ? (cpu1.own - cpu0.own) / done : NaN;
    r.envUsPerMsg = done ? (cpu1.descendants - cpu0.descendants) / done : NaN;
    if (last.left) r.note = `did not drain: ${fmt(last.left)} messages left after ${fmt(DRAIN_LIMIT_MS / 1000)} s`;
    log(
      `SQS → function: ${fmt(done)} messages in ${fmt(r.drainMs / 1000, 2)} s = ${fmt(r.perSec)} msg/s end to end ` +
        `(steady ${fmt(r.steadyPerSec)} msg/s, first message out after ${fmt(r.firstMs)} ms); CPU per message: Nimbus ${fmt(r.nimbusUsPerMsg)} µs, environments ${fmt(r.envUsPerMsg)} µs`,
    );
    return r;
  } catch (e) {
    r.note = `failed: ${e instanceof HttpError ? `HTTP ${e.status} ${e.operation}: ${e.body.slice(0, 200)}` : e instanceof Error ? e.message : String(e)}`;
    log(`SQS → function ${r.note}`);
    return r;
  } finally {
    sqs.close();
    lambda.close();
  }
}
