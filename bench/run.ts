/**
 * `npm run bench`: SQS and DynamoDB request shapes against Nimbus (durable, on a temp data dir),
 * against a bare node:http server (the ceiling) and, for DynamoDB, against dynalite (npm, in
 * memory), with the same light load generator, in one run.
 *
 *   node dist/bench/run.js [--duration 5] [--warmup 1.5] [--only sqs,ddb | send,batch,recv,ddb-put,ddb-get,ddb-update,ddb-query]
 *                          [--repeat 1] [--table-items 10000]
 *                          [--large | --messages 1000000 | --items 1000000] [--rounds 3] [--prefill-concurrency 64]
 *                          [--profile[=send,ddb-put,...] [--prof-dir /tmp/prof]] [--no-table]
 *
 * --large (or BENCH_LARGE=1) also runs the large part of each selected family: a queue of
 * --messages messages (SQS), a table of --items items (DynamoDB). --messages and --items imply
 * --large. Everything talks to 127.0.0.1 only.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { JsonClient, runLoad, type LoadResult } from './load.js';
import {
  createTable,
  ddbClient,
  getItemOp,
  itemCount,
  itemSize,
  prefillItems,
  putItemOp,
  queryOp,
  updateItemOp,
  type PrefillResult,
} from './dynamodb-ops.js';
import { summariseProfile } from './prof-summary.js';
import { fsyncProbe, nimbusCommits, startBare, startDynalite, startNimbus, type ServerProc } from './servers.js';
import { batchOp, countMessages, createQueue, DrainedError, prefill, receiveDeleteOp, sendOp } from './sqs-ops.js';

// ---- arguments ---------------------------------------------------------------------------------

interface Args {
  durationMs: number;
  warmupMs: number;
  only: Set<Shape>;
  table: boolean;
  large: boolean;
  messages: number;
  /** DynamoDB: items in the big table of the large part. */
  items: number;
  /** DynamoDB: items in the table of the main table (and the small table of the large part). */
  tableItems: number;
  prefillConcurrency: number;
  rounds: number;
  repeat: number;
  profile: boolean;
  profileShapes: Shape[];
  profDir: string;
  /** Scratch directory on the data dirs' file system (set by main). */
  scratch?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    durationMs: 5000,
    warmupMs: 1500,
    only: new Set(GROUPS.all),
    table: true,
    large: process.env.BENCH_LARGE === '1',
    messages: 1_000_000,
    items: 1_000_000,
    tableItems: 10_000,
    prefillConcurrency: 64,
    rounds: 3,
    repeat: 1,
    profile: false,
    profileShapes: [],
    profDir: '/tmp/prof',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    if (flag === '--duration') a.durationMs = num() * 1000;
    else if (flag === '--warmup') a.warmupMs = num() * 1000;
    else if (flag === '--only') a.only = new Set(shapesOf(value()));
    else if (flag === '--no-table') a.table = false;
    else if (flag === '--large') a.large = true;
    else if (flag === '--messages') (a.messages = Math.floor(num())), (a.large = true);
    else if (flag === '--items') (a.items = Math.floor(num())), (a.large = true);
    else if (flag === '--table-items') a.tableItems = Math.max(10, Math.floor(num()));
    else if (flag === '--rounds') a.rounds = Math.floor(num());
    else if (flag === '--repeat') a.repeat = Math.floor(num());
    else if (flag === '--prefill-concurrency') a.prefillConcurrency = Math.floor(num());
    else if (flag === '--profile') {
      a.profile = true;
      if (inline) a.profileShapes = shapesOf(inline);
    }
    else if (flag === '--prof-dir') (a.profDir = value()), (a.profile = true);
    else if (flag === '--help') {
      console.log(
        'usage: node dist/bench/run.js [--duration s] [--warmup s] [--only sqs,ddb | send,batch,recv,ddb-put,ddb-get,ddb-update,ddb-query] ' +
          '[--repeat N] [--no-table] [--table-items N] [--large | --messages N | --items N] [--rounds N] [--prefill-concurrency N] ' +
          '[--profile[=shape,...]] [--prof-dir DIR]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}`);
  }
  // By default, profile the shapes with a concurrency-32 target.
  if (!a.profileShapes.length) a.profileShapes = (['send', 'ddb-put', 'ddb-get'] as Shape[]).filter((x) => a.only.has(x));
  return a;
}

/** Shape names and group names (sqs, ddb, all), comma-separated, as shapes. */
function shapesOf(list: string): Shape[] {
  const out = new Set<Shape>();
  for (const name of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    const group = GROUPS[name];
    if (group) for (const x of group) out.add(x);
    else if ((GROUPS.all as string[]).includes(name)) out.add(name as Shape);
    else throw new Error(`unknown shape ${name}: use ${Object.keys(GROUPS).join(', ')} or ${GROUPS.all.join(', ')}`);
  }
  return [...out];
}

// ---- measuring ----------------------------------------------------------------------------------

interface Measured extends LoadResult {
  /** Server CPU (user+system, all threads) in the measured window per op, µs. */
  srvUsPerOp: number;
  /** Nimbus only: operations per store commit (group-commit batch) in the window. */
  opsPerCommit: number;
  /** The system-time part of srvUsPerOp (kernel: sockets, fsync, writes). */
  srvSysUsPerOp: number;
  /** Bytes the server wrote to storage per op in the window (/proc/<pid>/io). */
  diskBytesPerOp: number;
  /** Nimbus only: the disk's fsync latency (p50 ms) probed just before the run. */
  diskFsyncMs: number;
  /** The window on the monotonic clock (µs), to cut a CPU profile to it. */
  fromUs: number;
  toUs: number;
}

const monoUs = () => Number(process.hrtime.bigint() / 1000n);

async function measure(
  server: ServerProc,
  concurrency: number,
  op: () => Promise<number>,
  args: Args,
  limits: { warmupMs?: number; maxOps?: number } = {},
): Promise<Measured> {
  const diskFsyncMs = server.name === 'nimbus' && args.scratch ? fsyncProbe(args.scratch).p50 : NaN;
  const commits = () => (server.name === 'nimbus' ? nimbusCommits(server.endpoint).catch(() => NaN) : Promise.resolve(NaN));
  /** The server's counters at one edge of the measured window. */
  const snapshot = () => {
    const { user, system } = server.cpuSplit();
    return { cpu: user + system, sys: system, io: server.writeBytes(), us: monoUs(), commits: commits() };
  };
  let from = snapshot();
  let to = from;
  const r = await runLoad({
    concurrency,
    warmupMs: limits.warmupMs ?? args.warmupMs,
    durationMs: args.durationMs,
    maxOps: limits.maxOps ?? 5_000_000,
    op,
    onWindowStart: () => (from = snapshot()),
    onWindowEnd: () => (to = snapshot()),
    stopOn: (e) => (e instanceof DrainedError ? 'queue drained' : undefined),
  });
  const opsPerCommit = r.ops / ((await to.commits) - (await from.commits));
  return {
    ...r,
    srvUsPerOp: r.ops ? (to.cpu - from.cpu) / r.ops : NaN,
    srvSysUsPerOp: r.ops ? (to.sys - from.sys) / r.ops : NaN,
    opsPerCommit,
    diskFsyncMs,
    diskBytesPerOp: r.ops ? (to.io - from.io) / r.ops : NaN,
    fromUs: from.us,
    toUs: to.us,
  };
}

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
async function fillForReceive(server: ServerProc, url: string, c: number, args: Args): Promise<void> {
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

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
const brief = (m: Measured) =>
  `${fmt(m.opsPerSec)} ops/s p50 ${fmt(m.p50, 2)} ms p99 ${fmt(m.p99, 2)} ms srv ${fmt(m.srvUsPerOp)} µs/op (sys ${fmt(m.srvSysUsPerOp)}) gen ${fmt(m.genCpuUsPerOp)} µs/op` +
  ` max ${fmt(m.max, 1)} ms` +
  (Number.isFinite(m.opsPerCommit) ? ` ${fmt(m.opsPerCommit, 1)} ops/commit (${fmt(m.opsPerSec / m.opsPerCommit)} commits/s)` : '') +
  (Number.isFinite(m.opsPerCommit) ? ` wrote ${fmt(m.diskBytesPerOp / 1024, 1)} KiB/op` : '') +
  (Number.isFinite(m.diskFsyncMs) ? ` disk fsync p50 ${fmt(m.diskFsyncMs, 2)} ms` : '') +
  (m.errors ? ` ERRORS ${m.errors}` : '') +
  (m.endedEarly ? ` (window ended after ${fmt(m.elapsedMs / 1000, 1)} s: ${m.endedEarly})` : '');

// ---- part 1: the table -------------------------------------------------------------------------

type SqsShape = 'send' | 'batch' | 'recv';
type DdbShape = 'ddb-put' | 'ddb-get' | 'ddb-update' | 'ddb-query';
type Shape = SqsShape | DdbShape;
const SHAPES: { shape: SqsShape; label: string }[] = [
  { shape: 'send', label: 'SendMessage' },
  { shape: 'batch', label: 'SendMessageBatch(10)' },
  { shape: 'recv', label: 'Receive(10)+DeleteBatch' },
];
const DDB_SHAPES: { shape: DdbShape; label: string }[] = [
  { shape: 'ddb-put', label: 'PutItem (~200 B)' },
  { shape: 'ddb-get', label: 'GetItem' },
  { shape: 'ddb-update', label: 'UpdateItem ADD' },
  { shape: 'ddb-query', label: 'Query (10 items)' },
];
const GROUPS: Record<string, Shape[]> = {
  sqs: SHAPES.map((x) => x.shape),
  ddb: DDB_SHAPES.map((x) => x.shape),
  all: [...SHAPES.map((x) => x.shape), ...DDB_SHAPES.map((x) => x.shape)],
};
const isDdb = (s: Shape): s is DdbShape => s.startsWith('ddb-');
const CONCURRENCY = [1, 32];

interface Row {
  label: string;
  shape: SqsShape;
  c: number;
  bare: Measured;
  nimbus: Measured;
}

async function table(args: Args, bare: ServerProc, nimbus: ServerProc): Promise<Row[]> {
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
      const results: Partial<Record<'bare' | 'nimbus', Measured>> = {};
      for (const server of [bare, nimbus]) {
        const url = await queueOf(server, shape);
        if (shape === 'recv' && server === nimbus) await fillForReceive(server, url, c, args);
        for (let rep = 0; rep < args.repeat; rep++) {
          if (rep > 0 && shape === 'recv' && server === nimbus) await fillForReceive(server, url, c, args);
          const client = new JsonClient(server.endpoint, c);
          const op = shape === 'send' ? sendOp(client, url) : shape === 'batch' ? batchOp(client, url) : receiveDeleteOp(client, url);
          const m = await measure(server, c, op, args);
          client.close();
          const key = server.name as 'bare' | 'nimbus';
          if (!results[key] || m.opsPerSec > results[key]!.opsPerSec) results[key] = m;
          log(`${label} c${c} ${server.name}: ${brief(m)}`);
          for (const e of m.errorSamples) log(`  error sample: ${e}`);
          if (server.exited()) throw new Error(`${server.name} exited during the run; stderr:\n${server.stderrTail()}`);
        }
      }
      rows.push({ label, shape, c, bare: results.bare!, nimbus: results.nimbus! });
    }
  }
  return rows;
}

function printTable(rows: Row[], args: Args): void {
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
  console.log(out.join('\n'));
}

// ---- part 1b: the DynamoDB table ---------------------------------------------------------------

const DDB_TABLE = 'bench';

function ddbOp(shape: DdbShape, endpoint: string, c: number, table: string, items: number) {
  const client = ddbClient(endpoint, c);
  const op =
    shape === 'ddb-put'
      ? putItemOp(client, table, items)
      : shape === 'ddb-get'
        ? getItemOp(client, table, items)
        : shape === 'ddb-update'
          ? updateItemOp(client, table, items)
          : queryOp(client, table, items);
  return { client, op };
}

/** Creates the table (and fills it with `items` items, except on the bare server). */
async function setUpDdbTable(server: ServerProc, table: string, items: number, args: Args): Promise<PrefillResult | undefined> {
  const client = ddbClient(server.endpoint, args.prefillConcurrency);
  try {
    await createTable(client, table);
    if (server.name === 'bare') return undefined;
    const fill = await prefillItems(client, table, 0, items, args.prefillConcurrency);
    log(
      `${server.name}: table ${table} filled with ${fmt(fill.items)} items in ${fmt(fill.ms / 1000, 2)} s ` +
        `(${fmt(fill.itemsPerSec)} items/s, ${fmt(fill.requests)} BatchWriteItem, ${fmt(fill.retries)} retries); ItemCount ${fmt(await itemCount(client, table).catch(() => NaN))}`,
    );
    return fill;
  } finally {
    client.close();
  }
}

type DdbServer = 'bare' | 'nimbus' | 'dynalite';

interface DdbRow {
  label: string;
  shape: DdbShape;
  c: number;
  m: Partial<Record<DdbServer, Measured>>;
}

async function ddbTable(args: Args, servers: ServerProc[]): Promise<{ rows: DdbRow[]; fills: Map<string, PrefillResult> }> {
  const fills = new Map<string, PrefillResult>();
  for (const server of servers) {
    const fill = await setUpDdbTable(server, DDB_TABLE, args.tableItems, args);
    if (fill) fills.set(server.name, fill);
  }
  const rows: DdbRow[] = [];
  for (const { shape, label } of DDB_SHAPES) {
    if (!args.only.has(shape)) continue;
    for (const c of CONCURRENCY) {
      const row: DdbRow = { label, shape, c, m: {} };
      for (const server of servers) {
        for (let rep = 0; rep < args.repeat; rep++) {
          const { client, op } = ddbOp(shape, server.endpoint, c, DDB_TABLE, args.tableItems);
          const m = await measure(server, c, op, args);
          client.close();
          const key = server.name as DdbServer;
          if (!row.m[key] || m.opsPerSec > row.m[key]!.opsPerSec) row.m[key] = m;
          log(`${label} c${c} ${server.name}: ${brief(m)}`);
          for (const e of m.errorSamples) log(`  error sample: ${e}`);
          if (server.exited()) throw new Error(`${server.name} exited during the run; stderr:\n${server.stderrTail()}`);
        }
      }
      rows.push(row);
    }
  }
  return { rows, fills };
}

function printDdbTable(rows: DdbRow[], fills: Map<string, PrefillResult>, args: Args, dynaliteNote: string | undefined): void {
  const head = [
    ['request shape', 17, 'l'],
    ['c', 3, 'r'],
    ['bare ops/s', 11, 'r'],
    ['nimbus ops/s', 13, 'r'],
    ['dynalite ops/s', 15, 'r'],
    ['N/B', 6, 'r'],
    ['N/D', 6, 'r'],
    ['bare p50/p99 ms', 16, 'r'],
    ['nimbus p50/p99 ms', 18, 'r'],
    ['dynalite p50/p99', 17, 'r'],
    ['µs/op bare/nimbus/dynalite', 27, 'r'],
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
  const lat = (m?: Measured) => (m ? `${fmt(m.p50, 2)}/${fmt(m.p99, 2)}` : '-');
  const x = (a?: Measured, b?: Measured) => (a && b ? ratio(a.opsPerSec, b.opsPerSec) : '-');
  const out: string[] = [];
  out.push('');
  out.push(
    `DynamoDB on Nimbus (durable: temp --data-dir, fsync) vs bare node:http (read body + JSON.parse + fixed answer) vs dynalite ${dynaliteVersion()} ` +
      `(in memory, no fsync); a table of ${fmt(args.tableItems)} items of ${itemSize(0)} bytes (pk+sk, ${fmt(args.tableItems / 10)} partitions of 10, PAY_PER_REQUEST); ` +
      `closed loop, ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window each` +
      `${args.repeat > 1 ? ` (best of ${args.repeat} runs by ops/s)` : ''}; every request SigV4-signed (service dynamodb).`,
  );
  out.push(line(head.map((h) => h[0])));
  out.push('-'.repeat(line(head.map((h) => h[0])).length));
  for (const r of rows) {
    const { bare: b, nimbus: n, dynalite: d } = r.m;
    const reads = r.shape === 'ddb-get' || r.shape === 'ddb-query';
    out.push(
      line([
        r.label,
        String(r.c),
        fmt(b?.opsPerSec ?? NaN),
        fmt(n?.opsPerSec ?? NaN),
        fmt(d?.opsPerSec ?? NaN),
        x(n, b),
        x(n, d),
        lat(b),
        lat(n),
        lat(d),
        [b, n, d].map((m) => fmt(m?.srvUsPerOp ?? NaN)).join(' / '),
        reads ? '-' : fmt(n?.opsPerCommit ?? NaN, 1),
        fmt((n?.diskBytesPerOp ?? NaN) / 1024, 1),
        fmt(n?.genCpuUsPerOp ?? NaN),
        String([b, n, d].reduce((a, m) => a + (m?.errors ?? 0), 0)),
      ]),
    );
  }
  out.push(
    'N/B = Nimbus / bare ops/s, N/D = Nimbus / dynalite ops/s. µs/op = server process CPU (user+sys, all threads, /proc/<pid>/stat) per op in the window. ' +
      'ops/commit = Nimbus ops per store group commit (one fsync each; reads commit nothing: -). KiB disk/op = bytes Nimbus wrote to storage per op. gen µs/op = load generator CPU per op (Nimbus run).',
  );
  out.push('PutItem overwrites a random existing item with one of the same shape; UpdateItem is `ADD #c :one` on a random item (ReturnValues NONE); Query is `pk = :p` on a random partition (10 items, one page).');
  if (dynaliteNote) out.push(`dynalite: ${dynaliteNote}`);
  const fillText = [...fills].map(([name, f]) => `${name} ${fmt(f.ms / 1000, 2)} s (${fmt(f.itemsPerSec)} items/s)`).join(', ');
  if (fillText) out.push(`Prefill of ${fmt(args.tableItems)} items (BatchWriteItem x25, c${args.prefillConcurrency}): ${fillText}.`);
  const disk = rows.map((r) => r.m.nimbus?.diskFsyncMs ?? NaN).filter(Number.isFinite);
  if (disk.length) out.push(`Disk fsync p50 probed before each Nimbus run: ${fmt(Math.min(...disk), 2)}-${fmt(Math.max(...disk), 2)} ms.`);
  // The issue's targets.
  const find = (shape: DdbShape, c: number) => rows.find((r) => r.shape === shape && r.c === c)?.m;
  const verdict = (name: string, shape: DdbShape, c: number, vs: DdbServer, want: number) => {
    const m = find(shape, c);
    const a = m?.nimbus?.opsPerSec;
    const b = m?.[vs]?.opsPerSec;
    if (a === undefined || b === undefined) return undefined;
    return `${name} c${c}: Nimbus/${vs} ${(a / b).toFixed(2)} (want >= ${want}) ${a / b >= want ? 'PASS' : 'FAIL'}`;
  };
  const targets = [
    verdict('PutItem', 'ddb-put', 32, 'bare', 0.4),
    verdict('GetItem', 'ddb-get', 32, 'bare', 0.4),
    verdict('PutItem', 'ddb-put', 32, 'dynalite', 2),
    verdict('GetItem', 'ddb-get', 32, 'dynalite', 1),
    verdict('PutItem', 'ddb-put', 1, 'dynalite', 2),
    verdict('GetItem', 'ddb-get', 1, 'dynalite', 1),
  ].filter((t): t is string => t !== undefined);
  if (targets.length) out.push(`Targets: ${targets.join('; ')}.`);
  console.log(out.join('\n'));
}

function dynaliteVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('dynalite/package.json') as { version: string }).version;
  } catch {
    return '(not installed)';
  }
}

// ---- part 2: a large queue ---------------------------------------------------------------------

const RECV_FILL = 100_000;
const RECV_PAIRS = 6_000;

async function largePart(args: Args, dir: string): Promise<void> {
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

// ---- part 2b: a large table --------------------------------------------------------------------

async function ddbLargePart(args: Args, dir: string): Promise<void> {
  const n = args.items;
  const small = args.tableItems;
  log(`DynamoDB large part: GetItem and Query c32 on a ${fmt(n)}-item table vs a ${fmt(small)}-item table, ${args.rounds} interleaved rounds after the prefill`);
  const dataDir = join(dir, 'ddb-large-data');
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
    const runs = { getSmall: [] as Measured[], getBig: [] as Measured[], querySmall: [] as Measured[], queryBig: [] as Measured[] };
    const run = async (shape: 'ddb-get' | 'ddb-query', table: string, items: number, into: Measured[], what: string) => {
      const { client, op } = ddbOp(shape, nimbus.endpoint, 32, table, items);
      const m = await measure(nimbus, 32, op, args);
      client.close();
      log(`${shape === 'ddb-get' ? 'GetItem' : 'Query(10)'} c32, ${what}: ${brief(m)}`);
      for (const e of m.errorSamples) log(`  error sample: ${e}`);
      into.push(m);
      if (nimbus.exited()) throw new Error(`nimbus exited during the run; stderr:\n${nimbus.stderrTail()}`);
    };
    const getSmall = (when: string) => run('ddb-get', 'small', small, runs.getSmall, `${fmt(small)}-item table (${when})`);
    const querySmall = (when: string) => run('ddb-query', 'small', small, runs.querySmall, `${fmt(small)}-item table (${when})`);
    const getBig = () => run('ddb-get', 'big', n, runs.getBig, `${fmt(n)}-item table`);
    const queryBig = () => run('ddb-query', 'big', n, runs.queryBig, `${fmt(n)}-item table`);

    await setUpDdbTable(nimbus, 'small', small, args);
    await getSmall('before the big prefill');
    await querySmall('before the big prefill');
    const beforeFill = nimbus.memory();
    const fill = (await setUpDdbTable(nimbus, 'big', n, args))!;
    const afterFill = nimbus.memory();
    log(`prefilled ${fmt(n)} items in ${fmt(fill.ms / 1000, 1)} s (${fmt(fill.itemsPerSec)} items/s), RSS ${fmt(beforeFill.rssMb)} MB before, ${fmt(afterFill.rssMb)} MB after`);
    for (let r = 1; r <= args.rounds; r++) {
      const when = `round ${r}, next to the big table`;
      if (r % 2) {
        await getBig();
        await getSmall(when);
        await queryBig();
        await querySmall(when);
      } else {
        await getSmall(when);
        await getBig();
        await querySmall(when);
        await queryBig();
      }
    }
    const c1 = ddbClient(nimbus.endpoint, 1);
    const bigCount = await itemCount(c1, 'big').catch(() => NaN);
    c1.close();
    const mem = nimbus.memory();
    peakRss = Math.max(peakRss, mem.rssMb, mem.peakMb);

    const best = (ms: Measured[], f: (m: Measured) => number) => Math.max(...ms.map(f));
    const median = (ms: Measured[], f: (m: Measured) => number) => {
      const v = ms.map(f).sort((a, b) => a - b);
      return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    const all = (ms: Measured[], f: (m: Measured) => number, d = 0) => ms.map((m) => fmt(f(m), d)).join(' ');
    const W = 40;
    const row = (name: string, a0: Measured[], b0: Measured[], f: (m: Measured) => number, pick: typeof best, d = 0) => {
      const a = pick(a0, f);
      const b = pick(b0, f);
      return `${name.padEnd(W)} ${fmt(a, d).padStart(10)} ${fmt(b, d).padStart(10)} ${ratio(b, a).padStart(8)}   small: ${all(a0, f, d)} | big: ${all(b0, f, d)}`;
    };
    const within = (big: Measured[], sm: Measured[]) => median(big, (m) => m.opsPerSec) >= 0.8 * median(sm, (m) => m.opsPerSec);
    const getOk = within(runs.getBig, runs.getSmall);
    const queryOk = within(runs.queryBig, runs.querySmall);
    const files = readdirSync(dataDir).map((f) => `${f} ${fmt(statSync(join(dataDir, f)).size / 2 ** 20)} MB`);
    const everything = [...runs.getSmall, ...runs.getBig, ...runs.querySmall, ...runs.queryBig];
    const out = [
      '',
      `Table size (Nimbus, durable, c32, ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window): a table of ${fmt(small)} items vs one of ` +
        `${fmt(n)} items (${itemSize(0)} bytes each, 10 a partition), in the same Nimbus; random keys over the whole table.`,
      `Runs: one on the small table before the big prefill, then ${args.rounds} interleaved rounds; the verdict uses the median run.`,
      `${''.padEnd(W)} ${'small'.padStart(10)} ${'big'.padStart(10)} ${'big/small'.padStart(8)}   every run`,
      row('GetItem ops/s (median)', runs.getSmall, runs.getBig, (m) => m.opsPerSec, median),
      row('GetItem ops/s (best)', runs.getSmall, runs.getBig, (m) => m.opsPerSec, best),
      row('GetItem p50 ms (median)', runs.getSmall, runs.getBig, (m) => m.p50, median, 2),
      row('GetItem p99 ms (median)', runs.getSmall, runs.getBig, (m) => m.p99, median, 2),
      row('GetItem server µs/op (median)', runs.getSmall, runs.getBig, (m) => m.srvUsPerOp, median),
      row('Query(10) ops/s (median)', runs.querySmall, runs.queryBig, (m) => m.opsPerSec, median),
      row('Query(10) ops/s (best)', runs.querySmall, runs.queryBig, (m) => m.opsPerSec, best),
      row('Query(10) p50 ms (median)', runs.querySmall, runs.queryBig, (m) => m.p50, median, 2),
      row('Query(10) p99 ms (median)', runs.querySmall, runs.queryBig, (m) => m.p99, median, 2),
      row('Query(10) server µs/op (median)', runs.querySmall, runs.queryBig, (m) => m.srvUsPerOp, median),
      `within 20% (median big >= 0.8 x median small): GetItem ${getOk ? 'PASS' : 'FAIL'}, Query ${queryOk ? 'PASS' : 'FAIL'}`,
      `prefill: ${fmt(fill.items)} items in ${fmt(fill.ms / 1000, 1)} s = ${fmt(fill.itemsPerSec)} items/s ` +
        `(${fmt(fill.requests)} BatchWriteItem of 25, c${args.prefillConcurrency}, ${fmt(fill.retries)} retries); DescribeTable ItemCount at the end ${fmt(bigCount)}`,
      `Nimbus RSS: peak ${fmt(peakRss)} MB (VmHWM ${fmt(mem.peakMb)} MB; ${fmt(beforeFill.rssMb)} MB before the prefill, ${fmt(afterFill.rssMb)} MB right after it, ${fmt(mem.rssMb)} MB at the end)`,
      `errors: ${everything.reduce((a, m) => a + m.errors, 0)}; data dir: ${files.join(', ')}`,
    ];
    for (const m of everything) for (const e of m.errorSamples) out.push(`  error sample: ${e}`);
    console.log(out.join('\n'));
  } finally {
    clearInterval(sampler);
    const t = Date.now();
    const code = await nimbus.stop(120_000);
    log(`DynamoDB large-part Nimbus stopped (exit ${code}) in ${fmt((Date.now() - t) / 1000, 1)} s`);
  }
}

// ---- part 3: CPU profiles of Nimbus (node --cpu-prof) -------------------------------------------

async function profilePart(args: Args, dir: string): Promise<void> {
  mkdirSync(args.profDir, { recursive: true });
  for (const shape of args.profileShapes) {
    const before = new Set(readdirSync(args.profDir));
    const nimbus = await startNimbus(join(dir, `prof-${shape}`), ['--cpu-prof', '--cpu-prof-dir', args.profDir]);
    let m: Measured;
    try {
      if (isDdb(shape)) {
        await setUpDdbTable(nimbus, DDB_TABLE, args.tableItems, args);
        const { client, op } = ddbOp(shape, nimbus.endpoint, 32, DDB_TABLE, args.tableItems);
        m = await measure(nimbus, 32, op, args);
        client.close();
      } else {
        const c1 = new JsonClient(nimbus.endpoint, 1);
        const q = await createQueue(c1, `bench-profile-${shape}`);
        c1.close();
        if (shape === 'recv') await fillForReceive(nimbus, q, 32, args);
        const client = new JsonClient(nimbus.endpoint, 32);
        const op = shape === 'send' ? sendOp(client, q) : shape === 'batch' ? batchOp(client, q) : receiveDeleteOp(client, q);
        m = await measure(nimbus, 32, op, args);
        client.close();
      }
    } finally {
      await nimbus.stop();
    }
    const label = [...SHAPES, ...DDB_SHAPES].find((x) => x.shape === shape)!.label;
    log(`profiled ${label} c32: ${brief(m)}`);
    const files = readdirSync(args.profDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (!files.length) {
      log(`no new .cpuprofile in ${args.profDir}`);
      continue;
    }
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread (the
    // others are worker threads, e.g. the store's checkpoint worker).
    const main = files.filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort();
    const file = join(args.profDir, (main.length ? main : files.sort()).at(-1)!);
    const workers = files.filter((f) => join(args.profDir, f) !== file);
    if (workers.length) log(`worker-thread profiles (not summarised): ${workers.join(', ')}`);
    console.log(
      `\nCPU profile of Nimbus during ${label} c32 (${fmt(m.opsPerSec)} ops/s, ${fmt(m.srvUsPerOp)} server µs/op under the profiler; ${file})\n` +
        summariseProfile(file, 25, { fromUs: m.fromUs, toUs: m.toUs }),
    );
  }
}

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  args.scratch = dir;
  log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${fmt(fsyncProbe(dir, 200).p50, 2)} ms disk fsync p50)`);
  const started: ServerProc[] = [];
  const t0 = Date.now();
  try {
    const sqs = SHAPES.some((x) => args.only.has(x.shape));
    const ddb = DDB_SHAPES.some((x) => args.only.has(x.shape));
    if (args.table && sqs) {
      const bare = await startBare();
      started.push(bare);
      const nimbus = await startNimbus(join(dir, 'data'));
      started.push(nimbus);
      log(`bare ${bare.endpoint} (pid ${bare.pid}), nimbus ${nimbus.endpoint} (pid ${nimbus.pid}, data ${join(dir, 'data')})`);
      const rows = await table(args, bare, nimbus);
      printTable(rows, args);
      const stderr = nimbus.stderrTail().trim();
      if (stderr) console.log(`\nNimbus stderr (warn and above):\n${stderr}`);
      for (const s of started.splice(0)) await s.stop();
    }
    if (args.table && ddb) {
      const bare = await startBare();
      started.push(bare);
      const nimbus = await startNimbus(join(dir, 'ddb-data'));
      started.push(nimbus);
      let dynaliteNote: string | undefined;
      try {
        const dynalite = await startDynalite();
        started.push(dynalite);
        log(`dynalite ${dynalite.endpoint} (pid ${dynalite.pid})`);
      } catch (e) {
        dynaliteNote = `not measured: it did not start (${(e instanceof Error ? e.message : String(e)).trim().split('\n').slice(0, 3).join(' ')})`;
        log(`NOTE: dynalite ${dynaliteNote}`);
      }
      log(`bare ${bare.endpoint} (pid ${bare.pid}), nimbus ${nimbus.endpoint} (pid ${nimbus.pid}, data ${join(dir, 'ddb-data')})`);
      const { rows, fills } = await ddbTable(args, started);
      printDdbTable(rows, fills, args, dynaliteNote);
      const stderr = nimbus.stderrTail().trim();
      if (stderr) console.log(`\nNimbus stderr (warn and above):\n${stderr}`);
      for (const s of started.splice(0)) await s.stop();
    }
    if (args.large && sqs) await largePart(args, dir);
    if (args.large && ddb) await ddbLargePart(args, dir);
    if (args.profile) await profilePart(args, dir);
  } finally {
    for (const s of started) await s.stop();
    rmSync(dir, { recursive: true, force: true });
    log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    log(`done in ${fmt((Date.now() - t0) / 1000, 1)} s`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
