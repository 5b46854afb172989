/**
 * Quick latency figures for the runtime (a script, not a test; numbers depend on the machine):
 *   node dist/test/runtime/perf.js
 * Warm: pool.invoke → result for a Node handler returning its input, same environment.
 * Cold: a new key each time, with and without a spare process to adopt; next to the time
 * `node -e ''` takes to start and exit on this machine at the same moment (a shared machine's
 * load moves all of these together). Each is measured with the function sandbox (sandbox.ts)
 * and without it (plain processes), where the machine can sandbox.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../src/lib/log.js';
import { detectSandbox, type SandboxMode } from '../../src/runtime/sandbox.js';
import { harness } from './helpers.js';

const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(3);

async function warm(sandbox: SandboxMode): Promise<void> {
  const h = harness({ spares: 0, sandbox });
  const spec = h.spec(h.code({ 'index.js': 'exports.handler = async (e) => e;' }));
  const req = (i: number) => ({ requestId: `r${i}`, payload: Buffer.from('{"hello":"world"}'), invokedFunctionArn: spec.functionArn });
  for (let i = 0; i < 500; i++) await h.pool.invoke(spec, req(i));
  const xs: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t = performance.now();
    await h.pool.invoke(spec, req(i));
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  console.log(`warm invoke, sandbox ${sandbox} (ms)     p50 ${q(xs, 0.5)}  p90 ${q(xs, 0.9)}  p99 ${q(xs, 0.99)}  (n=${xs.length})`);
  await h.close();
}

async function cold(spares: number, sandbox: SandboxMode): Promise<void> {
  const h = harness({ spares, sandbox });
  const code = h.code({ 'index.js': 'exports.handler = async (e) => e;' });
  const total: number[] = [];
  const init: number[] = [];
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 300)); // time for a spare to be ready, as between real cold starts
    const spec = h.spec(code);
    const t = performance.now();
    const r = await h.pool.invoke(spec, { requestId: `c${i}`, payload: Buffer.from('{}'), invokedFunctionArn: spec.functionArn });
    if (i === 0) continue; // the very first start has no spare to adopt
    total.push(performance.now() - t);
    init.push(r.initDurationMs ?? NaN);
  }
  total.sort((a, b) => a - b);
  init.sort((a, b) => a - b);
  console.log(`cold start, sandbox ${sandbox}, spares=${spares} (ms)  invoke→result p50 ${q(total, 0.5)} max ${q(total, 1)}  Init Duration p50 ${q(init, 0.5)}`);
  await h.close();
}

async function bareNode(): Promise<void> {
  const xs: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t = performance.now();
    await new Promise((r) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).once('exit', r));
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  console.log(`baseline: node -e '' start+exit (ms) p50 ${q(xs, 0.5)}`);
}

const modes: SandboxMode[] = detectSandbox('auto', createLogger('silent')) ? ['off', 'required'] : ['off'];
for (const m of modes) await warm(m);
await bareNode();
for (const m of modes) await cold(0, m);
await cold(2, 'off'); // spares are not used sandboxed
