/** The SQS families: the table (bare vs Nimbus per request shape) and the large-queue part. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONCURRENCY, SHAPES, type Args, type Shape, type SqsShape } from './args.js';
import { JsonClient, runLoad } from './load.js';
import { brief, cpuComparison, fmt, log, measure, ratio, type Measured } from './measure.js';
import { startNimbus, type ServerProc } from './servers.js';
import { batchOp, countMessages, createQueue, prefill, receiveDeleteOp, sendOp } from './sqs-ops.js';

// ---- filling queues ------------------------------------------------------------------------------

/** Fills the queue up to `want` messages (batches of ten at high concurrency). */
async function topUp(endpoint: string, queueUrl: string, want: number, args: Args): Promise<{ before: number; after: number; rate: number }> {
  const client = new JsonClient(endpoint, args.prefillConcurrency);
  try {
    const before = await countMessages(client, queueUrl);
    let rate = NaN;
    if (before < want) rate = (await prefill(client, queueUrl, want - before, args.prefillConcurrency, 30 * 60_000)).itemsPerSec;
    return { before, after: await countMessages(client, queueUrl), rate };
  } finally {
    client.close();
  }
}

/**
 * Makes sure a receive measurement at concurrency c will not drain the queue: a short probe
 * (on at least 20k messages) estimates the receive rate, then the queue is topped up to three
 * times what the warm-up and the window should consume (at least 50k). Should it drain anyway,
 * the window ends there (see stopOn in measure) and says so.
 */
export async function fillForReceive(server: ServerProc, url: string, c: number, args: Args): Promise<void> {
  const t = Date.now();
  await topUp(server.endpoint, url, 20_000, args);
  const client = new JsonClient(server.endpoint, c);
  const probe = await runLoad({ concurrency: c, warmupMs: 200, durationMs: 1000, maxOps: 1500, op: receiveDeleteOp(client, url) });
  client.close();
  const want = Math.min(2_000_000, Math.max(50_000, Math.ceil(3 * probe.itemsPerSec * ((args.warmupMs + args.durationMs) / 1000))));
  const fill = await topUp(server.endpoint, url, want, args);
  log(
    `receive probe c${c}: ${fmt(probe.itemsPerSec)} msg/s; topped ${url} up to ${fmt(fill.after)} messages ` +
      `(${fmt(fill.rate)} msg/s) in ${fmt((Date.now() - t) / 1000, 1)} s`,
  );
}

// ---- part 1: the table -------------------------------------------------------------------------

export interface Row {
  label: string;
  shape: SqsShape;
  c: number;
  bare: Measured;
  nimbus: Measured;
  /** The same load on the other servers (Nimbus --memory, fauxqs), by server name. */
  peers: Record<string, Measured>;
}

/** Each request shape at each concurrency on bare, durable Nimbus and the peers (Nimbus --memory, fauxqs). */
export async function table(args: Args, bare: ServerProc, nimbus: ServerProc, peers: ServerProc[] = []): Promise<Row[]> {
  const rows: Row[] = [];
  const queues = new Map<string, string>();
  const queueOf = async (server: ServerProc, shape: Shape) => {
    const k = `${server.name}/${shape}`;
    if (!queues.has(k)) {
      const c = new JsonClient(server.endpoint, 1);
      queues.set(k, await createQueue(c, `bench-${shape}`));
      c.close();
    }
    return queues.get(k)!;
  };
  for (const { shape, label } of SHAPES) {
    if (!args.only.has(shape)) continue;
    for (const c of CONCURRENCY) {
      const results: Record<string, Measured> = {};
      for (const server of [bare, nimbus, ...peers]) {
        const url = await queueOf(server, shape);
        const fills = shape === 'recv' && server !== bare;
        if (fills) await fillForReceive(server, url, c, args);
        for (let rep = 0; rep < args.repeat; rep++) {
          if (rep > 0 && fills) await fillForReceive(server, url, c, args);
          const client = new JsonClient(server.endpoint, c);
          const op = shape === 'send' ? sendOp(client, url) : shape === 'batch' ? batchOp(client, url) : receiveDeleteOp(client, url);
          const m = await measure(server, c, op, args);
          client.close();
          const key = server.name;
          if (!results[key] || m.opsPerSec > results[key]!.opsPerSec) results[key] = m;
          log(`${label} c${c} ${server.name}: ${brief(m)}`);
          for (const e of m.errorSamples) log(`  error sample: ${e}`);
          if (server.exited()) throw new Error(`${server.name} exited during the run; stderr:\n${server.stderrTail()}`);
        }
      }
      rows.push({ label, shape, c, bare: results.bare!, nimbus: results.nimbus!, peers: Object.fromEntries(peers.map((p) => [p.name, results[p.name]!])) });
    }
  }
  return rows;
}

export function printTable(rows: Row[], args: Args): void {
  const head = [
    ['request shape', 24, 'l'],
    ['c', 3, 'r'],
    ['bare ops/s', 11, 'r'],
    ['nimbus ops/s', 13, 'r'],
    ['N/B ops', 8, 'r'],
    ['bare p50/p99 ms', 16, 'r'],
    ['nimbus p50/p99 ms', 18, 'r'],
    ['bare µs/op', 11, 'r'],
    ['nimbus µs/op', 13, 'r'],
    ['N/B cpu', 8, 'r'],
    ['nimbus msg/s', 13, 'r'],
    ['ops/commit', 11, 'r'],
    ['KiB disk/op', 12, 'r'],
    ['gen µs/op', 10, 'r'],
    ['errors', 7, 'r'],
  ] as const;
  const cell = (s: string, i: number) => {
    const [, w, align] = head[i]!;
    return align === 'l' ? s.padEnd(w) : s.padStart(w);
  };
  const line = (cells: string[]) => cells.map(cell).join(' ');
  const out: string[] = [];
  out.push('');
  out.push(
    `SQS on Nimbus (durable: temp --data-dir, fsync) vs bare node:http (read body + JSON.parse + fixed answer); ` +
      `closed loop, ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window each` +
      `${args.repeat > 1 ? ` (best of ${args.repeat} runs by ops/s)` : ''}; every request SigV4-signed.`,
  );
  out.push(line(head.map((h) => h[0])));
  out.push('-'.repeat(line(head.map((h) => h[0])).length));
  for (const r of rows) {
    const { bare: b, nimbus: n } = r;
    out.push(
      line([
        r.label,
        String(r.c),
        fmt(b.opsPerSec),
        fmt(n.opsPerSec),
        ratio(n.opsPerSec, b.opsPerSec),
        `${fmt(b.p50, 2)}/${fmt(b.p99, 2)}`,
        `${fmt(n.p50, 2)}/${fmt(n.p99, 2)}`,
        fmt(b.srvUsPerOp),
        fmt(n.srvUsPerOp),
        ratio(n.srvUsPerOp, b.srvUsPerOp),
        fmt(n.itemsPerSec),
        fmt(n.opsPerCommit, 1),
        fmt(n.diskBytesPerOp / 1024, 1),
        fmt(n.genCpuUsPerOp),
        String(b.errors + n.errors),
      ]),
    );
  }
  out.push(
    'N/B = Nimbus / bare. µs/op = server process CPU (user+sys, all threads, /proc/<pid>/stat) per op in the window. ' +
      'ops/commit = Nimbus ops per store group commit (one fsync each). KiB disk/op = bytes Nimbus wrote to storage per op (/proc/<pid>/io). gen µs/op = load generator CPU per op (Nimbus run).',
  );
  const disk = rows.map((r) => r.nimbus.diskFsyncMs).filter(Number.isFinite);
  if (disk.length) out.push(`Disk fsync p50 probed before each Nimbus run: ${fmt(Math.min(...disk), 2)}-${fmt(Math.max(...disk), 2)} ms (a shared disk: Nimbus's c32 throughput follows it).`);
  out.push('Receive(10)+DeleteBatch: one op = ReceiveMessage(MaxNumberOfMessages 10) + DeleteMessageBatch of what it got; msg/s = messages received and deleted per second.');
  if (rows.some((r) => Object.keys(r.peers).length)) {
    out.push(
      ...cpuComparison(
        'The same load on each server: ops/s, server CPU µs/op, and CPU per op as a multiple of bare\'s.',
        rows.map((r) => ({ label: r.label, c: r.c, bare: r.bare, servers: { nimbus: r.nimbus, ...r.peers } })),
      ),
    );
    out.push('nimbus-mem = nimbus start --memory (no files, no fsync); fauxqs (npm, in memory) does not check signatures.');
  }
  console.log(out.join('\n'));
}

// ---- part 2: a large queue ---------------------------------------------------------------------

const RECV_FILL = 100_000;
const RECV_PAIRS = 6_000;

export async function largePart(args: Args, dir: string): Promise<void> {
  const n = args.messages;
  log(`large part: a ${fmt(n)}-message queue vs empty/small queues, ${args.rounds} interleaved rounds after the prefill`);
  const dataDir = join(dir, 'large-data');
  const nimbus = await startNimbus(dataDir);
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, nimbus.memory().rssMb);
    } catch {
      /* exited */
    }
  }, 250);
  try {
    const c1 = new JsonClient(nimbus.endpoint, 1);
    const client = new JsonClient(nimbus.endpoint, 32);
    let fresh = 0;
    const freshQueue = () => createQueue(c1, `large-small-${fresh++}`);
    const runs = { sendSmall: [] as Measured[], sendBig: [] as Measured[], recvSmall: [] as Measured[], recvBig: [] as Measured[] };
    const sendSmall = async (when: string) => {
      const m = await measure(nimbus, 32, sendOp(client, await freshQueue()), args);
      log(`SendMessage c32, empty queue (${when}): ${brief(m)}`);
      runs.sendSmall.push(m);
    };
    // Receives: the same fixed count on both queues (RECV_PAIRS pairs after a short warm-up),
    // the small queue holding RECV_FILL messages, i.e. draining from 100k to ~30k.
    const recvLimits = { warmupMs: 500, maxOps: RECV_PAIRS };
    const recvSmall = async (when: string) => {
      const q = await freshQueue();
      await topUp(nimbus.endpoint, q, RECV_FILL, args);
      const m = await measure(nimbus, 32, receiveDeleteOp(client, q), args, recvLimits);
      log(`Receive+DeleteBatch c32, small queue (${when}): ${brief(m)} (${fmt(m.itemsPerSec)} msg/s)`);
      runs.recvSmall.push(m);
    };
    const bigQ = await createQueue(c1, 'large-full');
    const sendBig = async () => {
      const m = await measure(nimbus, 32, sendOp(client, bigQ), args);
      log(`SendMessage c32, big queue: ${brief(m)}`);
      runs.sendBig.push(m);
    };
    const recvBig = async () => {
      const m = await measure(nimbus, 32, receiveDeleteOp(client, bigQ), args, recvLimits);
      log(`Receive+DeleteBatch c32, big queue: ${brief(m)} (${fmt(m.itemsPerSec)} msg/s)`);
      runs.recvBig.push(m);
    };

    await sendSmall('empty store');
    await recvSmall('empty store');
    const t = Date.now();
    const fill = await topUp(nimbus.endpoint, bigQ, n, args);
    const fillSecs = (Date.now() - t) / 1000;
    const afterFill = nimbus.memory();
    log(`prefilled ${fmt(fill.after)} messages in ${fmt(fillSecs, 1)} s (${fmt(fill.rate)} msg/s), RSS now ${fmt(afterFill.rssMb)} MB`);
    // Interleaved, so the machine's noise hits both sides alike.
    for (let r = 1; r <= args.rounds; r++) {
      const when = `round ${r}, next to the big queue`;
      if (r % 2) {
        await sendBig();
        await sendSmall(when);
        await recvBig();
        await recvSmall(when);
      } else {
        await sendSmall(when);
        await sendBig();
        await recvSmall(when);
        await recvBig();
      }
    }
    const left = await countMessages(c1, bigQ);
    const mem = nimbus.memory();
    peakRss = Math.max(peakRss, mem.rssMb, mem.peakMb);
    c1.close();
    client.close();

    const best = (ms: Measured[], f: (m: Measured) => number) => Math.max(...ms.map(f));
    const median = (ms: Measured[], f: (m: Measured) => number) => {
      const v = ms.map(f).sort((a, b) => a - b);
      return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    const all = (ms: Measured[], f: (m: Measured) => number, d = 0) => ms.map((m) => fmt(f(m), d)).join(' ');
    const W = 44;
    const row = (name: string, small: Measured[], big: Measured[], f: (m: Measured) => number, pick: typeof best, d = 0) => {
      const a = pick(small, f);
      const b = pick(big, f);
      return `${name.padEnd(W)} ${fmt(a, d).padStart(10)} ${fmt(b, d).padStart(10)} ${ratio(b, a).padStart(8)}   small: ${all(small, f, d)} | big: ${all(big, f, d)}`;
    };
    const sendOk = median(runs.sendBig, (m) => m.opsPerSec) >= 0.8 * median(runs.sendSmall, (m) => m.opsPerSec);
    const recvOk = median(runs.recvBig, (m) => m.opsPerSec) >= 0.8 * median(runs.recvSmall, (m) => m.opsPerSec);
    const files = readdirSync(dataDir).map((f) => `${f} ${fmt(statSync(join(dataDir, f)).size / 2 ** 20)} MB`);
    const everything = [...runs.sendSmall, ...runs.sendBig, ...runs.recvSmall, ...runs.recvBig];
    const out = [
      '',
      `Queue size (Nimbus, c32): an empty queue (send; ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window) or a queue of ` +
        `${fmt(RECV_FILL)} (receive; 0.5 s warm-up + ${fmt(RECV_PAIRS)} pairs) vs a queue of ${fmt(fill.after)} messages.`,
      `Runs: one on an empty store before the prefill, then ${args.rounds} interleaved rounds; the verdict uses the median run.`,
      `${''.padEnd(W)} ${'small'.padStart(10)} ${'big'.padStart(10)} ${'big/small'.padStart(8)}   every run`,
      row('SendMessage ops/s (median)', runs.sendSmall, runs.sendBig, (m) => m.opsPerSec, median),
      row('SendMessage ops/s (best)', runs.sendSmall, runs.sendBig, (m) => m.opsPerSec, best),
      row('SendMessage p99 ms (median)', runs.sendSmall, runs.sendBig, (m) => m.p99, median, 2),
      row('SendMessage server µs/op (median)', runs.sendSmall, runs.sendBig, (m) => m.srvUsPerOp, median),
      row('Receive(10)+DeleteBatch ops/s (median)', runs.recvSmall, runs.recvBig, (m) => m.opsPerSec, median),
      row('Receive(10)+DeleteBatch ops/s (best)', runs.recvSmall, runs.recvBig, (m) => m.opsPerSec, best),
      row('Receive(10)+DeleteBatch msg/s (median)', runs.recvSmall, runs.recvBig, (m) => m.itemsPerSec, median),
      row('Receive(10)+DeleteBatch p99 ms (median)', runs.recvSmall, runs.recvBig, (m) => m.p99, median, 2),
      row('Receive(10)+DeleteBatch max ms (median)', runs.recvSmall, runs.recvBig, (m) => m.max, median, 1),
      row('Receive(10)+DeleteBatch server µs/op (median)', runs.recvSmall, runs.recvBig, (m) => m.srvUsPerOp, median),
      row('disk fsync p50 ms before each run (median)', [...runs.sendSmall, ...runs.recvSmall], [...runs.sendBig, ...runs.recvBig], (m) => m.diskFsyncMs, median, 2),
      row('SendMessage KiB written to disk per op (median)', runs.sendSmall, runs.sendBig, (m) => m.diskBytesPerOp / 1024, median, 1),
      row('Receive+DeleteBatch KiB written per op (median)', runs.recvSmall, runs.recvBig, (m) => m.diskBytesPerOp / 1024, median, 1),
      row('Nimbus commits/s in SendMessage runs (best)', runs.sendSmall, runs.sendBig, (m) => m.opsPerSec / m.opsPerCommit, best),
      `within 20% (median big >= 0.8 x median small): send ${sendOk ? 'PASS' : 'FAIL'}, receive+delete ${recvOk ? 'PASS' : 'FAIL'}`,
      `Nimbus RSS: peak ${fmt(peakRss)} MB (VmHWM ${fmt(mem.peakMb)} MB; ${fmt(afterFill.rssMb)} MB right after the prefill, ${fmt(mem.rssMb)} MB at the end) — ` +
        `limit 300 MB: ${peakRss < 300 ? 'PASS' : 'FAIL'}`,
      `prefill: ${fmt(fill.after - fill.before)} messages in ${fmt(fillSecs, 1)} s = ${fmt(fill.rate)} msg/s (SendMessageBatch, c${args.prefillConcurrency}); ` +
        `${fmt(left)} left in the big queue at the end`,
      `errors: ${everything.reduce((a, m) => a + m.errors, 0)}; data dir: ${files.join(', ')}`,
    ];
    for (const m of everything) for (const e of m.errorSamples) out.push(`  error sample: ${e}`);
    console.log(out.join('\n'));
  } finally {
    clearInterval(sampler);
    const t = Date.now();
    const code = await nimbus.stop(120_000);
    log(`large-part Nimbus stopped (exit ${code}) in ${fmt((Date.now() - t) / 1000, 1)} s`);
  }
}
