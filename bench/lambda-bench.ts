/**
 * The Lambda family: warm RequestResponse Invokes of a nodejs20.x handler that returns its
 * ~100-byte event, at concurrency 1 and 32, against bare node:http (the ceiling: it parses the
 * body and answers `{}`), Nimbus (durable) and lambda-local (npm, its HTTP watch mode, in its
 * own process); the same handler awaited in this process (the floor), and Nimbus's overhead
 * over it; then cold starts and the SQS → function pipeline (lambda-pipeline.ts), and, with
 * --profile, CPU profiles of Nimbus under the warm Invoke (c1, c32) and the SQS drain.
 *
 * For c32 the function's environments are warmed first: 32 concurrent Invokes until the pool
 * holds 32 (its machine-wide cap is 64). Nimbus's CPU per op counts its own process and, apart,
 * its children (the environments); lambda-local runs the handler in its server's process.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONCURRENCY, isLambda, type Args } from './args.js';
import { Histogram } from './load.js';
import { coldStarts, quantile, sqsPipeline, type ColdResult, type PipelineResult } from './lambda-pipeline.js';
import { createFunction, deleteFunction, ECHO_SOURCE, invokeOp, LambdaRaw, lambdaLocalOp, PAYLOAD, poolStats, timedInvoke, treeCpu } from './lambda-ops.js';
import { brief, fmt, log, measure, ratio, type Measured } from './measure.js';
import { summariseProfile } from './prof-summary.js';
import { spawnServer, startBare, startNimbus, type ServerProc } from './servers.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
type LServer = 'bare' | 'nimbus' | 'lambda-local';
const FN = 'bench-echo';
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e)).trim().split('\n').slice(0, 3).join(' ');

interface LambdaMeasured extends Measured {
  /** Nimbus: CPU of its children (the environments) per op, µs; included in srvUsPerOp. */
  envUsPerOp: number;
}

export interface InvokeRow {
  c: number;
  m: Partial<Record<LServer, LambdaMeasured>>;
}

interface InProcess {
  p50: number;
  p99: number;
  meanUs: number;
}

export function lambdaLocalVersion(): string {
  try {
    return (createRequire(import.meta.url)('lambda-local/package.json') as { version: string }).version;
  } catch {
    return '(not installed)';
  }
}

function startLambdaLocal(handlerFile: string): Promise<ServerProc> {
  return spawnServer({ name: 'lambda-local', script: join(here, 'lambda-local-server.js'), readyPrefix: 'LAMBDA_LOCAL_READY ', env: { LAMBDA_LOCAL_HANDLER: handlerFile } });
}

/** The handler module (the file lambda-local runs, the code in Nimbus's zip), written under dir. */
function handlerFile(dir: string): string {
  const d = join(dir, 'lambda-handler');
  mkdirSync(d, { recursive: true });
  const file = join(d, 'index.js');
  writeFileSync(file, ECHO_SOURCE);
  return file;
}

/** `await handler(event)` in this process: 20k warm-up calls, then 200k timed one by one. */
async function inProcess(file: string): Promise<InProcess> {
  const { handler } = createRequire(import.meta.url)(file) as { handler: (e: unknown) => Promise<unknown> };
  const event = JSON.parse(PAYLOAD) as unknown;
  for (let i = 0; i < 20_000; i++) await handler(event);
  const hist = new Histogram();
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await handler(event);
    hist.recordMs(performance.now() - t);
  }
  const meanUs = ((performance.now() - t0) * 1000) / n;
  return { p50: hist.quantileMs(0.5), p99: hist.quantileMs(0.99), meanUs };
}

interface Hop {
  clientP50: number;
  /** The REPORT line's Duration: from the invocation handed to the environment to its result back in Nimbus. */
  durationP50: number;
}

/** Where a warm c1 Invoke's time goes: 200 Invokes with LogType=Tail, client time vs the REPORT line's Duration. */
async function environmentHop(nimbus: ServerProc): Promise<Hop> {
  const client = new LambdaRaw(nimbus.endpoint, 1);
  try {
    const xs = [];
    for (let i = 0; i < 200; i++) xs.push(await timedInvoke(client, FN));
    return { clientP50: quantile(xs.map((x) => x.ms), 0.5), durationP50: quantile(xs.map((x) => x.durationMs), 0.5) };
  } finally {
    client.close();
  }
}

/** Invokes `n` at a time until the pool holds `n` environments (or ten rounds went by). */
async function warmTo(nimbus: ServerProc, n: number): Promise<number> {
  const client = new LambdaRaw(nimbus.endpoint, n);
  const op = invokeOp(client, FN);
  try {
    for (let round = 0; round < 10; round++) {
      const envs = (await poolStats(nimbus.endpoint)).environments;
      if (envs >= n) return envs;
      await Promise.all(Array.from({ length: n }, () => op().catch(() => 0)));
    }
    return (await poolStats(nimbus.endpoint)).environments;
  } finally {
    client.close();
  }
}

/** measure() of Nimbus whose server CPU counts its children too, the children's share kept apart. */
async function measureLambda(server: ServerProc, c: number, op: () => Promise<number>, args: Args): Promise<LambdaMeasured> {
  if (server.name !== 'nimbus') return { ...(await measure(server, c, op, args)), envUsPerOp: NaN };
  const marks: number[] = [];
  const tree: ServerProc = {
    ...server,
    cpuSplit: () => {
      const own = server.cpuSplit();
      const kids = treeCpu(server.pid).descendants;
      marks.push(kids);
      return { user: own.user + kids, system: own.system };
    },
  };
  const m = await measure(tree, c, op, args);
  return { ...m, envUsPerOp: m.ops ? (marks.at(-1)! - marks.at(-2)!) / m.ops : NaN };
}

async function invokeTable(args: Args, servers: ServerProc[]): Promise<InvokeRow[]> {
  const rows: InvokeRow[] = [];
  const nimbus = servers.find((s) => s.name === 'nimbus')!;
  for (const c of CONCURRENCY) {
    if (c > 1) log(`warming ${c} environments of ${FN}: the pool holds ${await warmTo(nimbus, c)}`);
    const row: InvokeRow = { c, m: {} };
    for (const server of servers) {
      for (let rep = 0; rep < args.repeat; rep++) {
        const key = server.name as LServer;
        let close: () => void;
        let op: () => Promise<number>;
        if (key === 'lambda-local') ({ op, close } = lambdaLocalOp(server.endpoint, c));
        else {
          const client = new LambdaRaw(server.endpoint, c);
          close = () => client.close();
          op = invokeOp(client, FN, PAYLOAD, key === 'nimbus');
        }
        const m = await measureLambda(server, c, op, args);
        close();
        if (!row.m[key] || m.opsPerSec > row.m[key]!.opsPerSec) row.m[key] = m;
        log(`Invoke c${c} ${key}: ${brief(m)}${Number.isFinite(m.envUsPerOp) ? ` (environments ${fmt(m.envUsPerOp)} µs/op of it)` : ''}`);
        for (const e of m.errorSamples) log(`  error sample: ${e}`);
        if (server.exited()) throw new Error(`${server.name} exited during the run; stderr:\n${server.stderrTail()}`);
      }
    }
    rows.push(row);
  }
  return rows;
}

// ---- the part -------------------------------------------------------------------------------------

export async function lambdaPart(args: Args, dir: string): Promise<void> {
  const want = (s: string) => args.only.has(s as never);
  if (!args.table || !['lambda-invoke', 'lambda-cold', 'lambda-sqs'].some(want)) return;
  const file = handlerFile(dir);
  const started: ServerProc[] = [];
  let rows: InvokeRow[] = [];
  let floor: InProcess | undefined;
  let hop: Hop | undefined;
  let cold: ColdResult | undefined;
  let pipeline: PipelineResult | undefined;
  let peerNote: string | undefined;
  try {
    const nimbus = await startNimbus(join(dir, 'lambda-data'));
    started.push(nimbus);
    log(`nimbus ${nimbus.endpoint} (pid ${nimbus.pid}, data ${join(dir, 'lambda-data')})`);
    if (want('lambda-invoke')) {
      const bare = await startBare();
      started.unshift(bare);
      try {
        const peer = await startLambdaLocal(file);
        started.push(peer);
        log(`lambda-local ${lambdaLocalVersion()} ${peer.endpoint} (pid ${peer.pid})`);
      } catch (e) {
        peerNote = `not measured: it did not start (${errText(e)})`;
        log(`NOTE: lambda-local ${peerNote}`);
      }
      const c1 = new LambdaRaw(nimbus.endpoint, 1);
      await createFunction(c1, FN, ECHO_SOURCE);
      await invokeOp(c1, FN)();
      floor = await inProcess(file);
      log(`in-process await handler(event): p50 ${fmt(floor.p50, 4)} ms p99 ${fmt(floor.p99, 4)} ms mean ${fmt(floor.meanUs, 2)} µs`);
      rows = await invokeTable(args, started);
      hop = await environmentHop(nimbus);
      log(`c1 Invoke with LogType=Tail, 200 times: client p50 ${fmt(hop.clientP50, 2)} ms, REPORT Duration p50 ${fmt(hop.durationP50, 2)} ms`);
      // Its 32 idle environments would only be in the way of what follows.
      await deleteFunction(c1, FN);
      c1.close();
      for (const s of started.filter((x) => x !== nimbus)) await s.stop();
      started.splice(0, started.length, nimbus);
    }
    if (want('lambda-cold')) cold = await coldStarts(nimbus, args);
    if (want('lambda-sqs')) pipeline = await sqsPipeline(nimbus, args);
    const stderr = nimbus.stderrTail().trim();
    if (stderr) log(`Nimbus stderr (warn and above):\n${stderr}`);
  } finally {
    for (const s of started) await s.stop();
  }
  printLambda(rows, floor, hop, cold, pipeline, args, peerNote);
}

// ---- the report -----------------------------------------------------------------------------------

export function printLambda(rows: InvokeRow[], floor: InProcess | undefined, hop: Hop | undefined, cold: ColdResult | undefined, pipe: PipelineResult | undefined, args: Args, peerNote?: string): void {
  const out: string[] = [''];
  const targets: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  if (rows.length) {
    out.push(
      `Lambda Invoke (RequestResponse, ${PAYLOAD.length}-byte event, nodejs20.x handler \`async (e) => e\`) on Nimbus (durable: temp --data-dir; one environment process per concurrent invoke, warmed) ` +
        `vs bare node:http (parses the body, answers {}) vs lambda-local ${lambdaLocalVersion()} (watch mode, handler run in its server process, module re-required per invoke); ` +
        `closed loop, ${args.warmupMs / 1000} s warm-up + ${args.durationMs / 1000} s window each${args.repeat > 1 ? ` (best of ${args.repeat} runs by ops/s)` : ''}; Nimbus requests SigV4-signed as the SDK signs them.`,
    );
    const W = [22, 3, 11, 13, 13, 6, 6, 13, 15, 13, 26, 10, 7];
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(W[i]!) : c.padStart(W[i]!))).join(' ');
    const head = line(['request shape', 'c', 'bare ops/s', 'nimbus ops/s', 'l-local ops/s', 'N/B', 'N/L', 'bare p50/p99', 'nimbus p50/p99', 'l-l p50/p99', 'µs/op bare/N(envs)/l-l', 'gen µs/op', 'errors']);
    out.push(head, '-'.repeat(head.length));
    const lat = (m?: Measured) => (m ? `${fmt(m.p50, 2)}/${fmt(m.p99, 2)}` : '-');
    for (const r of rows) {
      const { bare: b, nimbus: n, 'lambda-local': l } = r.m;
      out.push(
        line([
          'Invoke (warm)',
          String(r.c),
          fmt(b?.opsPerSec ?? NaN),
          fmt(n?.opsPerSec ?? NaN),
          fmt(l?.opsPerSec ?? NaN),
          b && n ? ratio(n.opsPerSec, b.opsPerSec) : '-',
          l && n ? ratio(n.opsPerSec, l.opsPerSec) : '-',
          lat(b),
          lat(n),
          lat(l),
          `${fmt(b?.srvUsPerOp ?? NaN)}/${fmt(n?.srvUsPerOp ?? NaN)}(${fmt(n?.envUsPerOp ?? NaN)})/${fmt(l?.srvUsPerOp ?? NaN)}`,
          fmt(n?.genCpuUsPerOp ?? NaN),
          String([b, n, l].reduce((a, m) => a + (m?.errors ?? 0), 0)),
        ]),
      );
    }
    out.push(
      'N/B = Nimbus / bare ops/s, N/L = Nimbus / lambda-local ops/s. µs/op = server CPU (user+sys, /proc/<pid>/stat) per op in the window; ' +
        'Nimbus counts its children (the environments) too, in parentheses their share. gen µs/op = load generator CPU per op (Nimbus run), on the same 2-core machine.',
    );
    if (peerNote) out.push(`lambda-local: ${peerNote}`);
    for (const r of rows) {
      const { nimbus: n, 'lambda-local': l } = r.m;
      if (n && l) out.push(`c${r.c}: Nimbus / lambda-local: ops/s ${ratio(n.opsPerSec, l.opsPerSec)}, p50 ${ratio(n.p50, l.p50)}, p99 ${ratio(n.p99, l.p99)}.`);
    }
    if (floor) out.push(`The same handler awaited in this process (the floor), 200,000 calls one at a time: p50 ${fmt(floor.p50, 4)} ms, p99 ${fmt(floor.p99, 4)} ms (1 µs is the histogram's floor), mean ${fmt(floor.meanUs, 2)} µs.`);
    const n1 = rows.find((r) => r.c === 1)?.m.nimbus;
    const b1 = rows.find((r) => r.c === 1)?.m.bare;
    if (n1 && b1) out.push(`c1 p50: Nimbus ${fmt(n1.p50, 2)} ms - bare ${fmt(b1.p50, 2)} ms (one HTTP round trip on this machine now) = ${fmt(n1.p50 - b1.p50, 2)} ms.`);
    if (hop) out.push(`c1 with LogType=Tail (200 Invokes after the table): client p50 ${fmt(hop.clientP50, 2)} ms, of which Nimbus → environment → Nimbus (the REPORT line's Duration) p50 ${fmt(hop.durationP50, 2)} ms.`);
    if (n1 && floor) {
      const over = n1.p50 - floor.p50;
      targets.push(`Warm Invoke overhead p50 (c1): Nimbus ${fmt(n1.p50, 3)} ms - in-process ${fmt(floor.p50, 4)} ms = ${fmt(over, 3)} ms (want < 1 ms) ${verdict(over < 1)}`);
    }
  }
  if (cold) {
    const line = (kind: string, xs: { ms: number; initMs: number }[]) => {
      const ms = xs.map((x) => x.ms);
      const notCold = xs.filter((x) => !Number.isFinite(x.initMs)).length;
      return (
        `  ${kind.padEnd(26)} median ${fmt(quantile(ms, 0.5), 1)} ms, p90 ${fmt(quantile(ms, 0.9), 1)} ms (min ${fmt(Math.min(...ms), 1)}, max ${fmt(Math.max(...ms), 1)}); ` +
        `Init Duration median ${fmt(quantile(xs.map((x) => x.initMs), 0.5), 1)} ms, p90 ${fmt(quantile(xs.map((x) => x.initMs), 0.9), 1)} ms` +
        (notCold ? `; ${notCold} of ${xs.length} had no Init Duration (not cold!)` : '')
      );
    };
    out.push(
      '',
      `Cold start of a nodejs20.x environment (Invoke wall time at the client, LogType=Tail; ${cold.spare.length} samples each; the function's configuration changed before each, so its warm environment retired):`,
      line('spare process ready:', cold.spare),
      line('no spare (new memory size):', cold.noSpare),
      `  first invoke of a new function: ${fmt(cold.first.ms, 1)} ms (Init Duration ${fmt(cold.first.initMs, 1)} ms)`,
    );
    const med = quantile(cold.spare.map((x) => x.ms), 0.5);
    const medNone = quantile(cold.noSpare.map((x) => x.ms), 0.5);
    targets.push(`Cold start median (spare ready, the usual case): ${fmt(med, 1)} ms (want < 150 ms) ${verdict(med < 150)}`);
    targets.push(`Cold start median (no spare): ${fmt(medNone, 1)} ms (want < 150 ms) ${verdict(medNone < 150)}`);
  }
  if (pipe) {
    out.push('', `SQS → function (event source mapping, BatchSize 10, default concurrency; ${fmt(pipe.messages)} ~100-byte messages prefilled, handler \`async () => {}\`, environments warm):`);
    if (pipe.note && !Number.isFinite(pipe.perSec)) out.push(`  ${pipe.note}`);
    else {
      out.push(
        `  drained in ${fmt(pipe.drainMs / 1000, 2)} s from CreateEventSourceMapping: ${fmt(pipe.perSec)} messages/s end to end, ${fmt(pipe.steadyPerSec)} messages/s between 10% and 90% drained; ` +
          `first message out after ${fmt(pipe.firstMs)} ms; CPU per message: Nimbus ${fmt(pipe.nimbusUsPerMsg)} µs + environments ${fmt(pipe.envUsPerMsg)} µs. Prefill ran at ${fmt(pipe.prefillPerSec)} msg/s.` +
          (pipe.note ? ` ${pipe.note}` : ''),
      );
      targets.push(`SQS → function: ${fmt(pipe.perSec)} messages/s end to end (want >= 5,000) ${verdict(pipe.perSec >= 5000 && !pipe.left)}`);
    }
  }
  if (targets.length) out.push('', 'Targets:', ...targets.map((t) => `  ${t}`));
  console.log(out.join('\n'));
}

// ---- --profile ----------------------------------------------------------------------------------

/** CPU profiles of Nimbus (node --cpu-prof) during the warm Invoke at c1 and c32, and the SQS drain. */
export async function lambdaProfilePart(args: Args, dir: string): Promise<void> {
  const shapes = args.profileShapes.filter(isLambda).filter((s) => s !== 'lambda-cold');
  if (!shapes.length) return;
  mkdirSync(args.profDir, { recursive: true });
  for (const shape of shapes) {
    const before = new Set(readdirSync(args.profDir));
    const nimbus = await startNimbus(join(dir, `prof-${shape}`), ['--cpu-prof', '--cpu-prof-dir', args.profDir]);
    const windows: { label: string; fromUs: number; toUs: number }[] = [];
    try {
      if (shape === 'lambda-invoke') {
        const c1 = new LambdaRaw(nimbus.endpoint, 1);
        await createFunction(c1, FN, ECHO_SOURCE);
        c1.close();
        for (const c of CONCURRENCY) {
          if (c > 1) await warmTo(nimbus, c);
          const client = new LambdaRaw(nimbus.endpoint, c);
          const m = await measureLambda(nimbus, c, invokeOp(client, FN), args);
          client.close();
          log(`profiled Invoke c${c}: ${brief(m)}`);
          windows.push({ label: `Invoke c${c} (${fmt(m.opsPerSec)} ops/s, ${fmt(m.srvUsPerOp)} µs/op with environments)`, fromUs: m.fromUs, toUs: m.toUs });
        }
      } else {
        const p = await sqsPipeline(nimbus, args);
        windows.push({ label: `the SQS → function drain (${fmt(p.perSec)} msg/s, ${fmt(p.nimbusUsPerMsg)} µs/msg in Nimbus)`, fromUs: p.fromUs, toUs: p.toUs });
      }
    } finally {
      await nimbus.stop();
    }
    const files = readdirSync(args.profDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    const main = files.filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort();
    if (!files.length) {
      log(`no new .cpuprofile in ${args.profDir}`);
      continue;
    }
    const file = join(args.profDir, (main.length ? main : files.sort()).at(-1)!);
    for (const w of windows) console.log(`\nCPU profile of Nimbus during ${w.label}; ${file}\n` + summariseProfile(file, 25, { fromUs: w.fromUs, toUs: w.toUs }));
  }
}
