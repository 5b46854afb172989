/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function+location (with its
 * main callers), self time by file, and inclusive time of the project's own functions.
 * Optionally only the samples inside a window of the monotonic clock (µs; the clock of
 * process.hrtime(), which V8 also stamps profiles with on Linux).
 * Usage: node dist/bench/prof-summary.js <file.cpuprofile> [top]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './servers.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function shortUrl(url: string): string {
  const root = pathToFileURL(ROOT).href + '/';
  return url.startsWith(root) ? url.slice(root.length) : url.replace(/^file:\/\/.*\/node_modules\//, 'node_modules/');
}

const keyOf = (n: ProfileNode) => {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  return f.url ? `${name}  ${shortUrl(f.url)}:${f.lineNumber + 1}` : name;
};
const shortKey = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}${n.callFrame.url ? `@${shortUrl(n.callFrame.url).split('/').pop()}:${n.callFrame.lineNumber + 1}` : ''}`;

const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const add = <K>(m: Map<K, number>, k: K, v: number) => m.set(k, (m.get(k) ?? 0) + v);
/** Nimbus functions whose uninterrupted stretches on the main thread are reported. */
const WATCH = ['runBatch', 'checkpoint'];
const VM = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/**
 * The main thread's profile among those written to `dir` since `before` (its listing then):
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile, thread 0 being the main thread.
 */
export function newMainProfile(dir: string, before: Set<string>): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  const main = files.filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort();
  const file = (main.length ? main : files.sort()).at(-1);
  return file === undefined ? undefined : join(dir, file);
}

export function summariseProfile(file: string, top = 25, window?: ProfileWindow): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Self time per node: each sample lasts until the next one.
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  let samples = 0;
  // Stretches of consecutive samples inside a watched function: how long it holds the thread.
  const runs = new Map<string, { start: number; end: number; lengths: number[] }>(WATCH.map((w) => [w, { start: -1, end: -1, lengths: [] }]));
  const onStack = (id: number) => {
    const found = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (runs.has(f.functionName) && f.url.includes('/dist/src/')) found.add(f.functionName);
    }
    return found;
  };
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    samples++;
    const dt = p.timeDeltas[i + 1] ?? 0;
    add(selfUs, p.samples[i]!, dt);
    const found = onStack(p.samples[i]!);
    for (const [name, r] of runs) {
      if (found.has(name)) {
        if (r.start < 0) r.start = t;
        r.end = t + dt;
      } else if (r.start >= 0) {
        r.lengths.push(r.end - r.start);
        r.start = -1;
      }
    }
  }
  for (const r of runs.values()) if (r.start >= 0) r.lengths.push(r.end - r.start);
  let total = 0;
  let idle = 0;
  for (const [id, v] of selfUs) {
    total += v;
    if (byId.get(id)!.callFrame.functionName === '(idle)') idle += v;
  }
  const busy = total - idle;

  const self = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const byFile = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    const k = keyOf(n);
    add(self, k, us);
    const up = parent.get(id);
    if (up !== undefined && !VM.has(n.callFrame.functionName)) {
      const u1 = byId.get(up)!;
      const u2 = parent.get(up) !== undefined ? byId.get(parent.get(up)!)! : undefined;
      const chain = shortKey(u1) + (u2 && u2.callFrame.functionName !== '(root)' ? ` < ${shortKey(u2)}` : '');
      if (!callers.has(k)) callers.set(k, new Map());
      add(callers.get(k)!, chain, us);
    }
    add(byFile, n.callFrame.url ? shortUrl(n.callFrame.url) : `(native/vm) ${n.callFrame.functionName}`, us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur)!;
      if (!node.callFrame.url.includes('/dist/src/')) continue;
      const ck = keyOf(node);
      if (seen.has(ck)) continue;
      seen.add(ck);
      add(incl, ck, us);
    }
  }
  const pct = (us: number) => `${lpad(((100 * us) / busy).toFixed(1), 5)}%`;
  const ms = (us: number) => lpad((us / 1000).toFixed(1), 8);
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const selfLines = [`Top ${top} functions by self time (ms, % of busy; "<" = called by, for the main callers)`];
  for (const [k, us] of sorted(self).slice(0, top)) {
    selfLines.push(`  ${ms(us)} ${pct(us)}  ${k}`);
    const cs = callers.get(k);
    if (cs) {
      const main = sorted(cs)
        .slice(0, 2)
        .filter(([, v]) => v >= 0.2 * us);
      for (const [c, v] of main) selfLines.push(`  ${''.padStart(16)}   ${lpad(((100 * v) / us).toFixed(0), 3)}% < ${c}`);
    }
  }
  const table = (title: string, m: Map<string, number>, n: number) =>
    [title, ...sorted(m).slice(0, n).map(([k, us]) => `  ${ms(us)} ${pct(us)}  ${k}`)].join('\n');
  const stretchLines = ['Uninterrupted stretches on the main thread (consecutive samples, ~1 ms resolution)'];
  for (const [name, r] of runs) {
    const l = r.lengths.sort((a, b) => a - b);
    if (!l.length) {
      stretchLines.push(`  ${name}: none sampled`);
      continue;
    }
    const sum = l.reduce((a, b) => a + b, 0);
    stretchLines.push(
      `  ${name}: ${l.length} stretches, total ${(sum / 1000).toFixed(1)} ms, mean ${(sum / l.length / 1000).toFixed(2)} ms, ` +
        `p99 ${(l[Math.min(l.length - 1, Math.floor(0.99 * l.length))]! / 1000).toFixed(1)} ms, max ${(l.at(-1)! / 1000).toFixed(1)} ms`,
    );
  }
  return [
    `${file}: ${(total / 1e6).toFixed(2)} s sampled${window ? ' (the measured window only)' : ''}, ` +
      `${(busy / 1e6).toFixed(2)} s busy on the main thread (${((100 * busy) / total).toFixed(0)}%), ${samples} samples`,
    selfLines.join('\n'),
    table('Self time by file (ms, % of busy)', byFile, 15),
    table('Inclusive time of Nimbus functions, dist/src (ms, % of busy)', incl, 22),
    stretchLines.join('\n'),
  ].join('\n\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/prof-summary.js <file.cpuprofile> [top] [fromUs toUs]');
    process.exit(1);
  }
  console.log(summariseProfile(file, Number(top ?? 25), from && to ? { fromUs: Number(from), toUs: Number(to) } : undefined));
}
