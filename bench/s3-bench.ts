/**
 * The S3 family: PutObject and GetObject of 1 KiB and 1 MiB at concurrency 1 and 32 against
 * bare node:http (the ceiling), Nimbus (durable) and s3rver (npm), then one 1 GiB PUT and GET
 * on each (a fresh process each, so the peak RSS is the transfer's), and, with --profile, CPU
 * profiles of Nimbus under the S3 shapes.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CONCURRENCY, S3_SHAPES, isS3, type Args, type S3Shape } from './args.js';
import { brief, cpuComparison, fmt, log, measure, ratio, type Measured } from './measure.js';
import { summariseProfile } from './prof-summary.js';
import { BUCKET, GiB, KiB, MiB, S3Raw, getObjectOp, largeBody, makeBodies, prefillObjects, putObjectOp, type Body } from './s3-ops.js';
import { startBare, startNimbus, startS3rver, type ServerProc } from './servers.js';

export type S3Server = 'bare' | 'nimbus' | 'nimbus-mem' | 's3rver';
/** The table's servers; the 1 GiB transfer leaves out nimbus-mem (its bodies still go to files). */
const SERVERS: S3Server[] = ['bare', 'nimbus', 'nimbus-mem', 's3rver'];

export interface S3Row {
  label: string;
  shape: S3Shape;
  size: number;
  c: number;
  m: Partial<Record<S3Server, Measured>>;
}

export interface BigTransfer {
  server: S3Server;
  putMs: number;
  getMs: number;
  /** RSS (MB) once started and ready, before the transfer. */
  rssBefore: number;
  /** VmHWM (MB) at the end: the process's peak resident set over its whole life. */
  peakMb: number;
  /** The highest RSS sampled (every 100 ms) during the PUT and during the GET. */
  putRssMb: number;
  getRssMb: number;
  cpuMs: number;
  error?: string;
}

const sizeLabel = (size: number) => (size >= MiB ? `${size / MiB}m` : `${size / KiB}k`);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).trim().split('\n').slice(0, 3).join(' ');

export function s3rverVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('s3rver/package.json') as { version: string }).version;
  } catch {
    return '(not installed)';
  }
}

async function start(name: S3Server, dir: string, tag: string, nodeArgs: string[] = []): Promise<ServerProc> {
  if (name === 'bare') return startBare();
  if (name === 'nimbus') return startNimbus(join(dir, `s3-${tag}-data`), nodeArgs);
  if (name === 'nimbus-mem') return startNimbus('memory', nodeArgs);
  return startS3rver(join(dir, `s3rver-${tag}-data`));
}

/** Creates the bucket and the objects GETs read (bodies checked by a read-back, except on bare). */
async function setUp(server: ServerProc, bodies: Map<number, Body[]>, sizes: number[]): Promise<void> {
  const client = new S3Raw(server.endpoint, 8);
  try {
    await client.createBucket(BUCKET);
    for (const size of sizes) await prefillObjects(client, sizeLabel(size), bodies.get(size)!, server.name !== 'bare');
  } finally {
    client.close();
  }
}

function s3Op(shape: S3Shape, endpoint: string, c: number, bodies: Map<number, Body[]>) {
  const def = S3_SHAPES.find((x) => x.shape === shape)!;
  const client = new S3Raw(endpoint, c);
  const label = sizeLabel(def.size);
  const op = def.put ? putObjectOp(client, label, bodies.get(def.size)!) : getObjectOp(client, label, def.size);
  return { client, op };
}

// ---- the table ------------------------------------------------------------------------------------

export async function s3Part(args: Args, dir: string): Promise<void> {
  const shapes = S3_SHAPES.filter((x) => x.shape !== 's3-1g' && args.only.has(x.shape));
  let s3rverNote: string | undefined;
  let rows: S3Row[] = [];
  if (args.table && shapes.length) {
    const sizes = [...new Set(shapes.map((x) => x.size))];
    // A few distinct bodies per size, hashed once.
    const bodies = new Map(sizes.map((size) => [size, makeBodies(size, 4)]));
    const servers: ServerProc[] = [];
    try {
      for (const name of SERVERS) {
        try {
          const s = await start(name, dir, 'table');
          servers.push(s);
          await setUp(s, bodies, sizes);
          log(`${name} ${s.endpoint} (pid ${s.pid}): bucket ${BUCKET} with ${sizes.map((x) => `64 x ${sizeLabel(x)}`).join(', ')} objects`);
        } catch (e) {
          if (name !== 's3rver') throw e;
          s3rverNote = `not measured: it did not start or serve (${errText(e)})`;
          log(`NOTE: s3rver ${s3rverNote}`);
          const bad = servers.find((s) => s.name === 's3rver');
          if (bad) {
            await bad.stop(5000);
            servers.splice(servers.indexOf(bad), 1);
          }
        }
      }
      rows = await s3Table(args, servers, shapes.map((x) => x.shape), bodies);
      const nimbus = servers.find((s) => s.name === 'nimbus');
      const stderr = nimbus?.stderrTail().trim();
      if (stderr) log(`Nimbus stderr (warn and above):\n${stderr}`);
    } finally {
      for (const s of servers) await s.stop();
    }
  }
  const big: BigTransfer[] = [];
  if (args.only.has('s3-1g')) {
    for (const name of SERVERS) {
      if ((name === 's3rver' && s3rverNote) || name === 'nimbus-mem') continue;
      big.push(await bigTransfer(name, dir, GiB));
    }
  }
  printS3(rows, big, args, s3rverNote);
}

async function s3Table(args: Args, servers: ServerProc[], shapes: S3Shape[], bodies: Map<number, Body[]>): Promise<S3Row[]> {
  const rows: S3Row[] = [];
  for (const shape of shapes) {
    const def = S3_SHAPES.find((x) => x.shape === shape)!;
    for (const c of CONCURRENCY) {
      const row: S3Row = { label: def.label, shape, size: def.size, c, m: {} };
      for (const server of servers) {
        for (let rep = 0; rep < args.repeat; rep++) {
          const { client, op } = s3Op(shape, server.endpoint, c, bodies);
          const m = await measure(server, c, op, args);
          client.close();
          const key = server.name as S3Server;
          if (!row.m[key] || m.opsPerSec > row.m[key]!.opsPerSec) row.m[key] = m;
          log(`${def.label} c${c} ${server.name}: ${brief(m)} ${fmt((m.opsPerSec * def.size) / MiB)} MiB/s`);
          for (const e of m.errorSamples) log(`  error sample: ${e}`);
          if (server.exited()) throw new Error(`${server.name} exited during the run; stderr:\n${server.stderrTail()}`);
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

// ---- one large transfer ---------------------------------------------------------------------------

/**
 * One PUT of `size` bytes streamed from a generator (1 MiB chunks, never a whole buffer), then
 * one GET of it consumed as it streams (bytes counted, ETag compared with the MD5), on a fresh
 * server process; its RSS is sampled every 100 ms and its VmHWM read at the end.
 */
async function bigTransfer(name: S3Server, dir: string, size: number): Promise<BigTransfer> {
  const body = largeBody(size);
  const server = await start(name, dir, 'big');
  const r: BigTransfer = { server: name, putMs: NaN, getMs: NaN, rssBefore: NaN, peakMb: NaN, putRssMb: 0, getRssMb: 0, cpuMs: NaN };
  let phase: 'putRssMb' | 'getRssMb' = 'putRssMb';
  const sampler = setInterval(() => {
    try {
      r[phase] = Math.max(r[phase], server.memory().rssMb);
    } catch {
      /* exited */
    }
  }, 100);
  const client = new S3Raw(server.endpoint, 1);
  try {
    await client.createBucket(BUCKET);
    r.rssBefore = server.memory().rssMb;
    const cpu0 = server.cpuMicros();
    const path = `/${BUCKET}/big/${sizeLabel(size)}`;
    let t = performance.now();
    const put = await client.putStream(path, size, body.chunks(), body.sha256);
    r.putMs = performance.now() - t;
    if (put.status !== 200) throw new Error(`PUT: HTTP ${put.status} ${put.text.slice(0, 300)}`);
    phase = 'getRssMb';
    t = performance.now();
    const get = await client.get(path);
    r.getMs = performance.now() - t;
    r.cpuMs = (server.cpuMicros() - cpu0) / 1000;
    if (get.status !== 200) throw new Error(`GET: HTTP ${get.status} ${get.text.slice(0, 300)}`);
    if (get.bytes !== size) throw new Error(`GET: ${get.bytes} bytes, not ${size}`);
    if (name !== 'bare' && get.etag !== `"${body.md5}"`) throw new Error(`GET: ETag ${get.etag}, want "${body.md5}"`);
    const mem = server.memory();
    r.peakMb = mem.peakMb;
    log(
      `${fmt(size / MiB)} MiB on ${name}: PUT ${fmt(r.putMs / 1000, 2)} s (${fmt(size / MiB / (r.putMs / 1000))} MiB/s), ` +
        `GET ${fmt(r.getMs / 1000, 2)} s (${fmt(size / MiB / (r.getMs / 1000))} MiB/s); RSS ${fmt(r.rssBefore)} MB before, ` +
        `sampled peak ${fmt(r.putRssMb)} MB in the PUT, ${fmt(r.getRssMb)} MB in the GET, VmHWM ${fmt(r.peakMb)} MB; server CPU ${fmt(r.cpuMs)} ms`,
    );
  } catch (e) {
    r.error = errText(e);
    log(`${fmt(size / MiB)} MiB on ${name} failed: ${r.error}`);
  } finally {
    clearInterval(sampler);
    client.close();
    await server.stop();
  }
  return r;
}

// ---- the report -----------------------------------------------------------------------------------

export function printS3(rows: S3Row[], big: BigTransfer[], args: Args, s3rverNote: string | undefined): void {
  const head = [
    ['request shape', 16, 'l'],
    ['c', 3, 'r'],
    ['bare ops/s', 11, 'r'],
    ['nimbus ops/s', 13, 'r'],
    ['s3rver ops/s', 13, 'r'],
    ['N/B', 6, 'r'],
    ['N/S', 7, 'r'],
    ['MiB/s bare/nimbus/s3rver', 25, 'r'],
    ['bare p50/p99', 13, 'r'],
    ['nimbus p50/p99', 15, 'r'],
    ['s3rver p50/p99', 15, 'r'],
    ['µs/op bare/nimbus/s3rver', 25, 'r'],
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
  const out: string[] = [''];
  if (rows.length) {
    out.push(
      `S3 on Nimbus (durable: temp --data-dir, fsync) vs bare node:http (reads the PUT body, answers GET from memory; no hashing, no storage) vs s3rver ${s3rverVersion()} ` +
        `(files, no fsync); path-style, 64 keys per size (PUTs overwrite at random, GETs read prefilled objects), 4 random bodies per size; ` +
        `closed loop, ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window each${args.repeat > 1 ? ` (best of ${args.repeat} runs by ops/s)` : ''}; ` +
        'every request SigV4-signed as the SDK signs a plain request over http (x-amz-content-sha256 = hex SHA-256 of the body, precomputed per body).',
    );
    out.push(line(head.map((h) => h[0])));
    out.push('-'.repeat(line(head.map((h) => h[0])).length));
    for (const r of rows) {
      const { bare: b, nimbus: n, s3rver: s } = r.m;
      out.push(
        line([
          r.label,
          String(r.c),
          fmt(b?.opsPerSec ?? NaN),
          fmt(n?.opsPerSec ?? NaN),
          fmt(s?.opsPerSec ?? NaN),
          x(n, b),
          x(n, s),
          [b, n, s].map((m) => fmt(((m?.opsPerSec ?? NaN) * r.size) / MiB, r.size < MiB ? 1 : 0)).join(' / '),
          lat(b),
          lat(n),
          lat(s),
          [b, n, s].map((m) => fmt(m?.srvUsPerOp ?? NaN)).join(' / '),
          r.shape.startsWith('s3-get') ? '-' : fmt(n?.opsPerCommit ?? NaN, 1),
          fmt((n?.diskBytesPerOp ?? NaN) / 1024, 1),
          fmt(n?.genCpuUsPerOp ?? NaN),
          String([b, n, s].reduce((a, m) => a + (m?.errors ?? 0), 0)),
        ]),
      );
    }
    out.push(
      'N/B = Nimbus / bare ops/s, N/S = Nimbus / s3rver ops/s. µs/op = server process CPU (user+sys, all threads, /proc/<pid>/stat) per op in the window. ' +
        'ops/commit = Nimbus PUTs per store group commit. KiB disk/op = bytes Nimbus wrote to storage per op (/proc/<pid>/io). gen µs/op = load generator CPU per op (Nimbus run); ' +
        'the generator shares the machine with the server.',
    );
    const disk = rows.map((r) => r.m.nimbus?.diskFsyncMs ?? NaN).filter(Number.isFinite);
    if (disk.length) out.push(`Disk fsync p50 probed before each Nimbus run: ${fmt(Math.min(...disk), 2)}-${fmt(Math.max(...disk), 2)} ms.`);
  }
  if (s3rverNote) out.push(`s3rver: ${s3rverNote}`);
  if (big.length) {
    const size = GiB;
    out.push('');
    out.push(
      `One ${fmt(size / MiB)} MiB PUT (streamed from a generator of 1 MiB chunks, x-amz-content-sha256 precomputed) then one GET of it (consumed streaming, bytes counted, ETag = MD5 checked), ` +
        'on a fresh process each; RSS sampled every 100 ms, VmHWM = the process’s peak over its life (/proc/<pid>/status).',
    );
    const W = [8, 10, 12, 10, 12, 12, 14, 14, 10, 12];
    const row = (cells: string[]) => cells.map((c, i) => (i ? c.padStart(W[i]!) : c.padEnd(W[i]!))).join(' ');
    out.push(row(['server', 'PUT s', 'PUT MiB/s', 'GET s', 'GET MiB/s', 'RSS start', 'RSS peak PUT', 'RSS peak GET', 'VmHWM MB', 'CPU ms']));
    for (const b of big) {
      out.push(
        row([
          b.server,
          fmt(b.putMs / 1000, 2),
          fmt(size / MiB / (b.putMs / 1000)),
          fmt(b.getMs / 1000, 2),
          fmt(size / MiB / (b.getMs / 1000)),
          fmt(b.rssBefore),
          fmt(b.putRssMb),
          fmt(b.getRssMb),
          fmt(b.peakMb),
          fmt(b.cpuMs),
        ]) + (b.error ? `  FAILED: ${b.error}` : ''),
      );
    }
  }
  // The targets.
  const targets: string[] = [];
  const find = (shape: S3Shape, c: number) => rows.find((r) => r.shape === shape && r.c === c);
  for (const shape of ['s3-put-1k', 's3-get-1k'] as S3Shape[]) {
    for (const c of CONCURRENCY) {
      const r = find(shape, c);
      const n = r?.m.nimbus?.opsPerSec;
      if (!r || n === undefined) continue;
      const b = r.m.bare?.opsPerSec;
      const s = r.m.s3rver?.opsPerSec;
      if (b !== undefined) targets.push(`${r.label} c${c}: Nimbus/bare ${(n / b).toFixed(2)} (want >= 0.4) ${n / b >= 0.4 ? 'PASS' : 'FAIL'}`);
      if (s !== undefined) targets.push(`${r.label} c${c}: Nimbus/s3rver ${(n / s).toFixed(2)} (want >= 5) ${n / s >= 5 ? 'PASS' : 'FAIL'}`);
    }
  }
  for (const c of CONCURRENCY) {
    const r = find('s3-get-1m', c);
    const n = r?.m.nimbus;
    if (!r || !n) continue;
    const gibs = (n.opsPerSec * r.size) / GiB;
    targets.push(`GetObject 1 MiB c${c}: Nimbus ${gibs.toFixed(2)} GiB/s (want >= 1) ${gibs >= 1 ? 'PASS' : 'FAIL'}`);
  }
  const nb = big.find((b) => b.server === 'nimbus');
  if (nb) {
    const peak = Math.max(nb.peakMb, nb.putRssMb, nb.getRssMb);
    targets.push(`1 GiB PUT+GET: Nimbus peak RSS ${fmt(peak)} MB (want < 150) ${nb.error ? 'FAIL (transfer failed)' : peak < 150 ? 'PASS' : 'FAIL'}`);
  }
  if (targets.length) out.push('', 'Targets:', ...targets.map((t) => `  ${t}`));
  out.push(
    ...cpuComparison(
      "The same load on each server: ops/s, server CPU µs/op, and CPU per op as a multiple of bare's (nimbus-mem = nimbus start --memory).",
      rows.map((r) => ({ label: r.label, c: r.c, bare: r.m.bare, servers: { nimbus: r.m.nimbus, 'nimbus-mem': r.m['nimbus-mem'], s3rver: r.m.s3rver } })),
    ),
  );
  console.log(out.join('\n'));
}

// ---- --profile ----------------------------------------------------------------------------------

/** CPU profiles of Nimbus (node --cpu-prof) under each selected S3 table shape at c32, summarised. */
export async function s3ProfilePart(args: Args, dir: string): Promise<void> {
  const shapes = args.profileShapes.filter(isS3).filter((s) => s !== 's3-1g');
  if (!shapes.length) return;
  mkdirSync(args.profDir, { recursive: true });
  for (const shape of shapes) {
    const def = S3_SHAPES.find((x) => x.shape === shape)!;
    const bodies = new Map([[def.size, makeBodies(def.size, 4)]]);
    const before = new Set(readdirSync(args.profDir));
    const nimbus = await start('nimbus', dir, `prof-${shape}`, ['--cpu-prof', '--cpu-prof-dir', args.profDir]);
    let m: Measured;
    try {
      await setUp(nimbus, bodies, [def.size]);
      const { client, op } = s3Op(shape, nimbus.endpoint, 32, bodies);
      m = await measure(nimbus, 32, op, args);
      client.close();
    } finally {
      await nimbus.stop();
    }
    log(`profiled ${def.label} c32: ${brief(m)}`);
    const files = readdirSync(args.profDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (!files.length) {
      log(`no new .cpuprofile in ${args.profDir}`);
      continue;
    }
    const main = files.filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort();
    const file = join(args.profDir, (main.length ? main : files.sort()).at(-1)!);
    console.log(
      `\nCPU profile of Nimbus during ${def.label} c32 (${fmt(m.opsPerSec)} ops/s, ${fmt(m.srvUsPerOp)} server µs/op under the profiler; ${file})\n` +
        summariseProfile(file, 25, { fromUs: m.fromUs, toUs: m.toUs }),
    );
  }
}
