/** Measuring one closed-loop run against a server, and the log/format helpers every part shares. */
import { runLoad, type LoadResult } from './load.js';
import type { Args } from './args.js';
import { fsyncProbe, nimbusCommits, type ServerProc } from './servers.js';
import { DrainedError } from './sqs-ops.js';

// ---- measuring ----------------------------------------------------------------------------------

export interface Measured extends LoadResult {
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

export async function measure(
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

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
export const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
export const brief = (m: Measured) =>
  `${fmt(m.opsPerSec)} ops/s p50 ${fmt(m.p50, 2)} ms p99 ${fmt(m.p99, 2)} ms srv ${fmt(m.srvUsPerOp)} µs/op (sys ${fmt(m.srvSysUsPerOp)}) gen ${fmt(m.genCpuUsPerOp)} µs/op` +
  ` max ${fmt(m.max, 1)} ms` +
  (Number.isFinite(m.opsPerCommit) ? ` ${fmt(m.opsPerCommit, 1)} ops/commit (${fmt(m.opsPerSec / m.opsPerCommit)} commits/s)` : '') +
  (Number.isFinite(m.opsPerCommit) ? ` wrote ${fmt(m.diskBytesPerOp / 1024, 1)} KiB/op` : '') +
  (Number.isFinite(m.diskFsyncMs) ? ` disk fsync p50 ${fmt(m.diskFsyncMs, 2)} ms` : '') +
  (m.errors ? ` ERRORS ${m.errors}` : '') +
  (m.endedEarly ? ` (window ended after ${fmt(m.elapsedMs / 1000, 1)} s: ${m.endedEarly})` : '');

/**
 * One line per request shape and concurrency: each server's ops/s, server CPU per op and that
 * CPU as a multiple of the bare server's (the steadier figure on a shared machine).
 */
export function cpuComparison(title: string, rows: Array<{ label: string; c: number; bare?: Measured; servers: Record<string, Measured | undefined> }>): string[] {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.servers)))];
  const w = 28;
  const out = ['', title, ['request shape'.padEnd(24), 'c'.padStart(3), ...names.map((n) => n.padStart(w))].join(' ')];
  for (const r of rows) {
    const cells = names.map((n) => {
      const m = r.servers[n];
      return (m ? `${fmt(m.opsPerSec)}/s ${fmt(m.srvUsPerOp)} µs ${r.bare ? ratio(m.srvUsPerOp, r.bare.srvUsPerOp) : '-'}` : 'n/a').padStart(w);
    });
    out.push([r.label.padEnd(24), String(r.c).padStart(3), ...cells].join(' '));
  }
  return out;
}
