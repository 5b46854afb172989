/**
 * The SNS family: Publish at concurrency 32 to a standard topic with 1, 10 and 100 SQS queues
 * subscribed, each count twice: with the default JSON envelope (which Nimbus signs, RSA, once per
 * message) and with RawMessageDelivery. Against bare node:http (the ceiling for Publish: it
 * parses the form and answers a fixed PublishResponse; it fans out nothing) and Nimbus (durable,
 * a fresh process and temp data dir per row, so no row inherits another's backlog).
 *
 * Per row: publishes/s and Publish latency in the measured window (measure()); the fan-out
 * latency, from Publish to the message received from the queue, by long-polling receivers on the
 * first and the last queue (4 loops each), for messages published inside the window; and, after
 * the load, the time until every acknowledged Publish (warm-up included) is in all N queues
 * (their message counts, plus what the receivers deleted): deliveries/s = publishes x N / (first
 * Publish to last delivery), and the drain lag (last delivery - end of the load).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isSns, SNS_SHAPES, type Args } from './args.js';
import { Histogram, JsonClient, QueryClient, type Reply } from './load.js';
import { brief, fmt, log, measure, ratio, type Measured } from './measure.js';
import { summariseProfile } from './prof-summary.js';
import { startBare, startNimbus, type ServerProc } from './servers.js';
import {
  BARE_TOPIC,
  createTopic,
  mapLimit,
  message,
  monoUsToMs,
  publishOp,
  queueArnOf,
  queueHolds,
  Receivers,
  sentAt,
  subscribeQueue,
  type PublishCounter,
} from './sns-ops.js';
import { createQueue } from './sqs-ops.js';

const CONCURRENCY = 32;
/** Receive loops per sampled queue. */
const RECEIVE_LOOPS = 4;
/** How long to wait, after the load, for every delivery. */
const DRAIN_TIMEOUT_MS = 120_000;
/** Setup calls at a time (CreateQueue, Subscribe, ...). */
const SETUP_CONCURRENCY = 16;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).trim().split('\n').slice(0, 3).join(' ');

export interface SnsRow {
  n: number;
  raw: boolean;
  /** The Publish load (undefined when the row could not run: see note). */
  m?: Measured;
  /** Publishes acknowledged, warm-up included. */
  acked: number;
  /** Deliveries counted in the queues at the end (acked x n when all arrived). */
  delivered: number;
  deliveriesPerSec: number;
  /** Seconds from the end of the load until the last delivery was in (NaN: timed out). */
  drainLagS: number;
  /** Fan-out latency (Publish → received) of messages published in the window. */
  fanP50: number;
  fanP99: number;
  fanMax: number;
  fanSamples: number;
  /** Messages published in the window times sampled queues (what fanSamples should be). */
  fanExpected: number;
  /** Nimbus CPU from the first Publish to the last delivery, per Publish (µs). */
  srvUsPerPubAll: number;
  receiverErrors: number;
  errorSamples: string[];
  note?: string;
  stderr: string;
}

// ---- one row ------------------------------------------------------------------------------------

/** Creates a topic with n fresh queues subscribed; checks every queue gets one probe message of the right shape. */
async function setUp(nimbus: ServerProc, n: number, raw: boolean): Promise<{ topicArn: string; urls: string[] }> {
  const variant = raw ? 'raw' : 'env';
  const sns = new QueryClient(nimbus.endpoint, SETUP_CONCURRENCY);
  const sqs = new JsonClient(nimbus.endpoint, SETUP_CONCURRENCY);
  try {
    const topicArn = await createTopic(sns, `bench-fanout-${n}-${variant}`);
    const idx = Array.from({ length: n }, (_, i) => i);
    const urls = await mapLimit(idx, SETUP_CONCURRENCY, (i) => createQueue(sqs, `bench-fanout-${n}-${variant}-${i}`));
    const arns = await mapLimit(urls, SETUP_CONCURRENCY, (u) => queueArnOf(sqs, u));
    await mapLimit(arns, SETUP_CONCURRENCY, (a) => subscribeQueue(sns, topicArn, a, raw));
    // A probe: one Publish, received (and deleted) from every queue, in the shape the variant delivers.
    const t = performance.timeOrigin + performance.now();
    await sns.ok('Publish', { TopicArn: topicArn, Message: message(t) });
    await mapLimit(urls, SETUP_CONCURRENCY, async (url) => {
      const deadline = performance.now() + 15_000;
      for (;;) {
        const r = await sqs.ok<{ Messages?: { Body: string; ReceiptHandle: string }[] }>('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 });
        const msgs = r.Messages ?? [];
        if (msgs.length) {
          if (msgs.length !== 1 || sentAt(msgs[0]!.Body, raw) !== Number(t.toFixed(3))) throw new Error(`probe: ${url} got ${JSON.stringify(msgs).slice(0, 300)}`);
          await sqs.ok('DeleteMessage', { QueueUrl: url, ReceiptHandle: msgs[0]!.ReceiptHandle });
          return;
        }
        if (performance.now() > deadline) throw new Error(`probe: no message in ${url} 15 s after Publish`);
      }
    });
    return { topicArn, urls };
  } finally {
    sns.close();
    sqs.close();
  }
}

/**
 * After the load: polls the queues not yet complete until each holds (or its receivers took)
 * every acknowledged Publish; answers when the last one was complete (performance.now()).
 */
async function awaitDeliveries(
  nimbus: ServerProc,
  urls: string[],
  receivers: Receivers,
  expected: number,
  loadEnd: number,
): Promise<{ lastAt: number; delivered: number; extra: number; timedOut: boolean }> {
  const sqs = new JsonClient(nimbus.endpoint, 8);
  const counts = new Array<number>(urls.length).fill(0);
  const open = new Set(urls.map((_, i) => i));
  try {
    for (;;) {
      const t = performance.now();
      const pending = [...open];
      await receivers.quiesce(async () => {
        const holds = await mapLimit(pending, 8, (i) => queueHolds(sqs, urls[i]!));
        pending.forEach((i, k) => (counts[i] = holds[k]! + receivers.deletedFrom(urls[i]!)));
      });
      const end = performance.now();
      for (const i of pending) if (counts[i]! >= expected) open.delete(i);
      const delivered = counts.reduce((a, b) => a + b, 0);
      const extra = counts.reduce((a, c) => a + Math.max(0, c - expected), 0);
      if (!open.size) return { lastAt: end, delivered, extra, timedOut: false };
      if (end - loadEnd > DRAIN_TIMEOUT_MS || nimbus.exited()) return { lastAt: end, delivered, extra, timedOut: true };
      await new Promise((r) => setTimeout(r, Math.max(25, end - t)));
    }
  } finally {
    sqs.close();
  }
}

/** One row on a started Nimbus: setup, the Publish load with receivers, the drain. */
async function fanOut(nimbus: ServerProc, n: number, raw: boolean, args: Args): Promise<SnsRow> {
  const label = `Publish → ${n} queue${n > 1 ? 's' : ''} (${raw ? 'raw' : 'envelope'})`;
  const row: SnsRow = {
    n,
    raw,
    acked: 0,
    delivered: 0,
    deliveriesPerSec: NaN,
    drainLagS: NaN,
    fanP50: NaN,
    fanP99: NaN,
    fanMax: NaN,
    fanSamples: 0,
    fanExpected: 0,
    srvUsPerPubAll: NaN,
    receiverErrors: 0,
    errorSamples: [],
    stderr: '',
  };
  const t0 = performance.now();
  const { topicArn, urls } = await setUp(nimbus, n, raw);
  log(`${label}: topic and ${n} subscribed queue${n > 1 ? 's' : ''} ready (probe delivered to each) in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  const sampled = n === 1 ? [urls[0]!] : [urls[0]!, urls[n - 1]!];
  const rsqs = new JsonClient(nimbus.endpoint, 2 * RECEIVE_LOOPS * sampled.length);
  const receivers = new Receivers(rsqs, sampled, RECEIVE_LOOPS, raw);
  const pub = new QueryClient(nimbus.endpoint, CONCURRENCY);
  const counter: PublishCounter = { acked: 0, firstAt: 0 };
  receivers.start();
  try {
    const cpu0 = nimbus.cpuMicros();
    const m = await measure(nimbus, CONCURRENCY, publishOp(pub, topicArn, counter), args);
    const loadEnd = performance.now();
    row.m = m;
    row.acked = counter.acked;
    log(`${label} c${CONCURRENCY} nimbus: ${brief(m)}; ${fmt(counter.acked)} publishes acknowledged in all`);
    for (const e of m.errorSamples) log(`  error sample: ${e}`);
    const d = await awaitDeliveries(nimbus, urls, receivers, counter.acked, loadEnd);
    const cpu1 = nimbus.exited() ? NaN : nimbus.cpuMicros();
    row.delivered = d.delivered;
    row.deliveriesPerSec = (d.delivered * 1000) / (d.lastAt - counter.firstAt);
    row.srvUsPerPubAll = (cpu1 - cpu0) / counter.acked;
    if (d.timedOut) {
      row.note = `${fmt(counter.acked * n - d.delivered)} of ${fmt(counter.acked * n)} deliveries still missing ${fmt((d.lastAt - loadEnd) / 1000, 1)} s after the load${nimbus.exited() ? ' (Nimbus exited)' : ''}`;
      log(`${label}: ${row.note}`);
    } else row.drainLagS = (d.lastAt - loadEnd) / 1000;
    if (d.extra) row.note = `${row.note ? `${row.note}; ` : ''}${fmt(d.extra)} deliveries more than published (duplicates)`;
    log(
      `${label}: ${fmt(d.delivered)} deliveries in ${fmt((d.lastAt - counter.firstAt) / 1000, 2)} s from the first Publish = ${fmt(row.deliveriesPerSec)}/s; ` +
        `drain lag ${fmt((d.lastAt - loadEnd) / 1000, 2)} s; Nimbus ${fmt(row.srvUsPerPubAll)} µs CPU per Publish to the last delivery`,
    );
    // Every message of the sampled queues received before the receivers stop (so the slowest count too).
    const until = performance.now() + 15_000;
    while (receivers.received < counter.acked * sampled.length && performance.now() < until && !d.timedOut) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await receivers.stop();
    rsqs.close();
    pub.close();
  }
  const m = row.m!;
  const from = monoUsToMs(m.fromUs);
  const to = monoUsToMs(m.toUs);
  const hist = new Histogram();
  for (let i = 0; i < receivers.sent.length; i++) if (receivers.sent[i]! >= from && receivers.sent[i]! <= to) hist.recordMs(receivers.ages[i]!);
  row.fanSamples = hist.count;
  row.fanExpected = m.ops * sampled.length;
  row.fanP50 = hist.quantileMs(0.5);
  row.fanP99 = hist.quantileMs(0.99);
  row.fanMax = hist.max;
  row.receiverErrors = receivers.errors;
  row.errorSamples = [...m.errorSamples, ...receivers.errorSamples];
  log(
    `${label}: fan-out latency p50 ${fmt(row.fanP50, 2)} ms p99 ${fmt(row.fanP99, 2)} ms max ${fmt(row.fanMax, 1)} ms over ${fmt(hist.count)} messages ` +
      `(published in the window, ${sampled.length} queue${sampled.length > 1 ? 's' : ''} sampled; ${fmt(receivers.received)} received in all)` +
      (receivers.errors ? `; receiver errors ${receivers.errors}` : ''),
  );
  for (const e of receivers.errorSamples) log(`  receiver error sample: ${e}`);
  return row;
}

/** A fresh Nimbus (own temp data dir) for one row. */
async function nimbusRow(args: Args, dir: string, n: number, raw: boolean): Promise<SnsRow> {
  const dataDir = join(dir, `sns-data-${n}-${raw ? 'raw' : 'env'}`);
  const nimbus = await startNimbus(dataDir);
  let row: SnsRow | undefined;
  try {
    row = await fanOut(nimbus, n, raw, args);
  } catch (e) {
    log(`Publish → ${n} (${raw ? 'raw' : 'envelope'}) failed: ${errText(e)}`);
    row = {
      n, raw, acked: 0, delivered: 0, deliveriesPerSec: NaN, drainLagS: NaN, fanP50: NaN, fanP99: NaN, fanMax: NaN, fanSamples: 0, fanExpected: 0,
      srvUsPerPubAll: NaN, receiverErrors: 0, errorSamples: [], note: `not measured: ${errText(e)}`, stderr: '',
    };
  } finally {
    const t = performance.now();
    const code = await nimbus.stop(60_000);
    if (row) row.stderr = nimbus.stderrTail().trim();
    log(`nimbus stopped (exit ${code}) in ${fmt((performance.now() - t) / 1000, 1)} s`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return row;
}

// ---- the part -------------------------------------------------------------------------------------

export async function snsPart(args: Args, dir: string): Promise<void> {
  const shapes = SNS_SHAPES.filter((x) => args.only.has(x.shape));
  if (!args.table || !shapes.length) return;
  const t0 = performance.now();
  let bare: Measured | undefined;
  let bareSize = NaN;
  const server = await startBare();
  try {
    const client = new QueryClient(server.endpoint, CONCURRENCY);
    const probe: Reply = await client.send(`Action=Publish&Version=2010-03-31&TopicArn=${encodeURIComponent(BARE_TOPIC)}&Message=x`);
    bareSize = Buffer.byteLength(probe.body);
    for (let rep = 0; rep < args.repeat; rep++) {
      const m = await measure(server, CONCURRENCY, publishOp(client, BARE_TOPIC, { acked: 0, firstAt: 0 }), args);
      log(`Publish c${CONCURRENCY} bare: ${brief(m)}`);
      for (const e of m.errorSamples) log(`  error sample: ${e}`);
      if (!bare || m.opsPerSec > bare.opsPerSec) bare = m;
    }
    client.close();
  } finally {
    await server.stop();
  }
  const rows: SnsRow[] = [];
  for (const { subscribers } of shapes) {
    for (const raw of [false, true]) {
      // --repeat: the best of the runs by publishes/s (each on a fresh Nimbus).
      let best: SnsRow | undefined;
      for (let rep = 0; rep < args.repeat; rep++) {
        const row = await nimbusRow(args, dir, subscribers, raw);
        if (!best || (row.m?.opsPerSec ?? -1) > (best.m?.opsPerSec ?? -1)) best = row;
      }
      rows.push(best!);
    }
  }
  printSns(rows, bare!, bareSize, args);
  log(`SNS part done in ${fmt((performance.now() - t0) / 1000, 1)} s`);
}

// ---- the report -----------------------------------------------------------------------------------

export function printSns(rows: SnsRow[], bare: Measured, bareAnswerBytes: number, args: Args): void {
  const out: string[] = [''];
  out.push(
    `SNS fan-out: Publish (~${message(Date.now()).length}-byte message, c${CONCURRENCY}) to a standard topic with N SQS queues subscribed, on Nimbus (durable: temp --data-dir, fsync; ` +
      `a fresh process per row) vs bare node:http (parses the form, answers a fixed ${bareAnswerBytes}-byte PublishResponse, fans out nothing); ` +
      `closed loop, ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window${args.repeat > 1 ? ` (best of ${args.repeat} runs by publishes/s)` : ''}; every request SigV4-signed.`,
  );
  const head = [
    ['N', 4, 'r'],
    ['variant', 8, 'l'],
    ['bare ops/s', 11, 'r'],
    ['nimbus pub/s', 13, 'r'],
    ['N/B', 6, 'r'],
    ['pub p50/p99 ms', 15, 'r'],
    ['deliveries/s', 13, 'r'],
    ['fan-out p50/p99 ms', 19, 'r'],
    ['drain lag s', 12, 'r'],
    ['srv µs/pub', 11, 'r'],
    ['µs/pub drained', 15, 'r'],
    ['errors', 7, 'r'],
  ] as const;
  const line = (cells: string[]) => cells.map((c, i) => (head[i]![2] === 'l' ? c.padEnd(head[i]![1]) : c.padStart(head[i]![1]))).join(' ');
  const title = line(head.map((h) => h[0]));
  out.push(title, '-'.repeat(title.length));
  for (const r of rows) {
    const m = r.m;
    out.push(
      line([
        String(r.n),
        r.raw ? 'raw' : 'envelope',
        fmt(bare.opsPerSec),
        fmt(m?.opsPerSec ?? NaN),
        m ? ratio(m.opsPerSec, bare.opsPerSec) : '-',
        m ? `${fmt(m.p50, 2)}/${fmt(m.p99, 2)}` : '-',
        fmt(r.deliveriesPerSec),
        `${fmt(r.fanP50, 2)}/${fmt(r.fanP99, 2)}`,
        Number.isFinite(r.drainLagS) ? fmt(r.drainLagS, 2) : m ? 'timeout' : '-',
        fmt(m?.srvUsPerOp ?? NaN),
        fmt(r.srvUsPerPubAll),
        String((m?.errors ?? 0) + r.receiverErrors),
      ]),
    );
  }
  out.push(
    'N/B = Nimbus / bare publishes/s (bare measured once: it does no fan-out). pub p50/p99 = Publish latency at the client. ' +
      'deliveries/s = acknowledged publishes (warm-up included) x N / (first Publish → last delivery in its queue, seen by polling the queues\' counts). ' +
      'fan-out = Publish sent → message received from the queue (receivers long-polling the first and last queue, 4 loops each, deleting what they get), messages published in the window. ' +
      'drain lag = end of the load → last delivery in. srv µs/pub = Nimbus CPU (user+sys, /proc/<pid>/stat) per Publish in the window (fan-out work done meanwhile included); ' +
      'µs/pub drained = Nimbus CPU from the first Publish to the last delivery, per Publish (includes the receivers\' and the pollers\' calls).',
  );
  for (const r of rows) {
    const tag = `N=${r.n} ${r.raw ? 'raw' : 'envelope'}`;
    if (r.m && r.fanSamples < 0.99 * r.fanExpected) out.push(`${tag}: only ${fmt(r.fanSamples)} of ~${fmt(r.fanExpected)} window messages timed by the receivers.`);
    if (r.note) out.push(`${tag}: ${r.note}`);
    for (const e of r.errorSamples) out.push(`${tag}: error sample: ${e}`);
  }
  if (bare.errors) out.push(`bare: ${bare.errors} errors`);
  for (const e of bare.errorSamples) out.push(`bare: error sample: ${e}`);

  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  const targets: string[] = [];
  for (const r of rows.filter((x) => x.n === 1 && x.m)) {
    const q = r.m!.opsPerSec / bare.opsPerSec;
    targets.push(`Publish/s with 1 subscriber (${r.raw ? 'raw' : 'envelope'}): ${fmt(r.m!.opsPerSec)} = ${q.toFixed(2)} x bare (want >= 0.40) ${verdict(q >= 0.4)}`);
  }
  for (const raw of [false, true]) {
    const series = rows.filter((x) => x.raw === raw).sort((a, b) => a.n - b.n);
    if (series.length < 2) continue;
    const grows = series.every((r, i) => i === 0 || r.deliveriesPerSec > series[i - 1]!.deliveriesPerSec);
    targets.push(
      `Deliveries/s growing with subscribers (${raw ? 'raw' : 'envelope'}): ${series.map((r) => `N=${r.n} ${fmt(r.deliveriesPerSec)}`).join(' → ')} ${verdict(grows)}`,
    );
  }
  for (const r of rows.filter((x) => x.m)) {
    targets.push(`Fan-out p99 at c${CONCURRENCY}, N=${r.n} ${r.raw ? 'raw' : 'envelope'}: ${fmt(r.fanP99, 2)} ms (want < 50 ms) ${verdict(r.fanP99 < 50)}`);
  }
  out.push('', 'Targets:', ...targets.map((t) => `  ${t}`));
  for (const r of rows) if (r.stderr) out.push('', `Nimbus stderr (warn and above), N=${r.n} ${r.raw ? 'raw' : 'envelope'}:`, r.stderr);
  console.log(out.join('\n'));
}

// ---- --profile ----------------------------------------------------------------------------------

/** CPU profiles of Nimbus (node --cpu-prof) during the Publish window of the enveloped rows selected. */
export async function snsProfilePart(args: Args, dir: string): Promise<void> {
  const shapes = SNS_SHAPES.filter((x) => args.profileShapes.includes(x.shape) && isSns(x.shape));
  if (!shapes.length) return;
  mkdirSync(args.profDir, { recursive: true });
  for (const { shape, subscribers } of shapes) {
    const before = new Set(readdirSync(args.profDir));
    const dataDir = join(dir, `prof-${shape}`);
    const nimbus = await startNimbus(dataDir, ['--cpu-prof', '--cpu-prof-dir', args.profDir]);
    let row: SnsRow;
    try {
      row = await fanOut(nimbus, subscribers, false, args);
    } finally {
      await nimbus.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const files = readdirSync(args.profDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (!files.length || !row.m) {
      log(`no new .cpuprofile in ${args.profDir}`);
      continue;
    }
    const main = files.filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort();
    const file = join(args.profDir, (main.length ? main : files.sort()).at(-1)!);
    console.log(
      `\nCPU profile of Nimbus during Publish → ${subscribers} queue(s) (envelope) c${CONCURRENCY} (${fmt(row.m.opsPerSec)} publishes/s, ${fmt(row.m.srvUsPerOp)} server µs/publish under the profiler; ${file})\n` +
        summariseProfile(file, 25, { fromUs: row.m.fromUs, toUs: row.m.toUs }),
    );
  }
}
