/** The DynamoDB families: the table (bare vs Nimbus vs dynalite per request shape) and the large-table part. */
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CONCURRENCY, DDB_SHAPES, type Args, type DdbShape } from './args.js';
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
import { brief, cpuComparison, fmt, log, measure, ratio, type Measured } from './measure.js';
import { startNimbus, type ServerProc } from './servers.js';

// ---- part 1b: the DynamoDB table ---------------------------------------------------------------

export const DDB_TABLE = 'bench';

export function ddbOp(shape: DdbShape, endpoint: string, c: number, table: string, items: number) {
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
export async function setUpDdbTable(server: ServerProc, table: string, items: number, args: Args): Promise<PrefillResult | undefined> {
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

export type DdbServer = 'bare' | 'nimbus' | 'nimbus-mem' | 'dynalite';

export interface DdbRow {
  label: string;
  shape: DdbShape;
  c: number;
  m: Partial<Record<DdbServer, Measured>>;
}

export async function ddbTable(args: Args, servers: ServerProc[]): Promise<{ rows: DdbRow[]; fills: Map<string, PrefillResult> }> {
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

export function printDdbTable(rows: DdbRow[], fills: Map<string, PrefillResult>, args: Args, dynaliteNote: string | undefined): void {
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
  out.push(
    ...cpuComparison(
      'The same load on each server: ops/s, server CPU µs/op, and CPU per op as a multiple of bare\'s (nimbus-mem = nimbus start --memory).',
      rows.map((r) => ({ label: r.label, c: r.c, bare: r.m.bare, servers: { nimbus: r.m.nimbus, 'nimbus-mem': r.m['nimbus-mem'], dynalite: r.m.dynalite } })),
    ),
  );
  console.log(out.join('\n'));
}

export function dynaliteVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('dynalite/package.json') as { version: string }).version;
  } catch {
    return '(not installed)';
  }
}

// ---- part 2b: a large table --------------------------------------------------------------------

export async function ddbLargePart(args: Args, dir: string): Promise<void> {
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
