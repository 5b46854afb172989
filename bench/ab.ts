/**
 * Before and after on a busy machine: server CPU per request of this build and of another one
 * (say the previous commit, built in another directory), alternated, with the bare server in
 * the same run. Each measurement is a fixed number of requests after a fixed number of warm-up
 * requests (not a time window): on a shared machine a time window holds too few requests to
 * warm the JIT, and its CPU per request follows the machine's load.
 *
 *   node dist/bench/ab.js --base /path/to/other/checkout [--shapes send,ddb-put,ddb-get,s3-get-1k,s3-put-1k,apigw-http]
 *                         [--mode memory|durable] [--rounds 2] [--warmup-ops 4000] [--ops 12000]
 *
 * The other checkout needs only its `dist/src` built (and `node_modules`); this harness drives
 * both. Concurrency 32; prints one line per measurement and the medians per build (CPU per
 * request, and the rate of the measured requests, which in durable mode follows the commit
 * pipeline more than the CPU).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setUpDdbTable, ddbOp } from './ddb-bench.js';
import { JsonClient } from './load.js';
import { fmt, log } from './measure.js';
import { BUCKET, getObjectOp, makeBodies, prefillObjects, putObjectOp, S3Raw } from './s3-ops.js';
import { ROOT, spawnServer, startBare, type ServerProc } from './servers.js';
import { createQueue, sendOp } from './sqs-ops.js';
import { createProxyApi, getOp } from './apigw-ops.js';
import { startBackend } from './apigw-bench.js';
import type { Args } from './args.js';

const SHAPES = ['send', 'ddb-put', 'ddb-get', 's3-get-1k', 's3-put-1k', 'apigw-http'] as const;
type AbShape = (typeof SHAPES)[number];
const C = 32;
const TABLE_ITEMS = 10_000;

interface AbArgs {
  base: string;
  shapes: AbShape[];
  memory: boolean;
  rounds: number;
  warmupOps: number;
  ops: number;
}

function parse(argv: string[]): AbArgs {
  const a: AbArgs = { base: '', shapes: [...SHAPES], memory: true, rounds: 2, warmupOps: 4000, ops: 12_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i] ?? '';
    if (flag === '--base') a.base = resolve(value());
    else if (flag === '--shapes') a.shapes = value().split(',').filter((s): s is AbShape => (SHAPES as readonly string[]).includes(s));
    else if (flag === '--mode') a.memory = value() !== 'durable';
    else if (flag === '--rounds') a.rounds = Number(value());
    else if (flag === '--warmup-ops') a.warmupOps = Number(value());
    else if (flag === '--ops') a.ops = Number(value());
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!a.base) throw new Error('usage: node dist/bench/ab.js --base <other checkout> [--shapes ...] [--mode memory|durable] [--rounds n] [--warmup-ops n] [--ops n]');
  return a;
}

/** Nimbus from a checkout's bundle (this one or the base), in memory or on a fresh data directory. */
function startNimbusFrom(root: string, memory: boolean, scratch: string): Promise<ServerProc> {
  return spawnServer({
    name: 'nimbus',
    script: join(root, 'dist', 'src', 'cli.bundle.js'),
    args: ['start', '--host', '127.0.0.1', '--port', '0', ...(memory ? ['--memory'] : ['--data-dir', mkdtempSync(join(scratch, 'data-'))]), '--log-level', 'warn'],
    readyPrefix: 'NIMBUS_READY ',
  });
}

/** Sets up what the shape needs on the server and answers its operation. */
async function prepare(shape: AbShape, server: ServerProc): Promise<{ op: () => Promise<number>; close(): void }> {
  if (shape === 'send') {
    const setup = new JsonClient(server.endpoint, 1);
    const queue = await createQueue(setup, 'bench-ab');
    setup.close();
    const client = new JsonClient(server.endpoint, C);
    return { op: sendOp(client, queue), close: () => client.close() };
  }
  if (shape === 's3-put-1k') {
    const setup = new S3Raw(server.endpoint, 1);
    await setup.createBucket(BUCKET);
    setup.close();
    const client = new S3Raw(server.endpoint, C);
    return { op: putObjectOp(client, '1k', makeBodies(1024, 8)), close: () => client.close() };
  }
  if (shape === 's3-get-1k') {
    const setup = new S3Raw(server.endpoint, 8);
    await setup.createBucket(BUCKET);
    await prefillObjects(setup, '1k', makeBodies(1024, 8), server.name !== 'bare');
    setup.close();
    const client = new S3Raw(server.endpoint, C);
    return { op: getObjectOp(client, '1k', 1024), close: () => client.close() };
  }
  if (shape === 'apigw-http') {
    // The "bare" run is the backend called directly; Nimbus proxies GET /proxy to a backend of its own (whose CPU is not counted).
    if (server.name !== 'nimbus') {
      const { op, close } = getOp(server.endpoint, C, { path: '/hello' });
      return { op, close };
    }
    const backend = await startBackend();
    const api = await createProxyApi(server.endpoint, backend.endpoint);
    const { op, close } = getOp(server.endpoint, C, { host: api.host, path: '/proxy', expect: '{"hello":"world"}' });
    return { op, close: () => (close(), void backend.stop()) };
  }
  await setUpDdbTable(server, 'bench', TABLE_ITEMS, { prefillConcurrency: 32 } as Args);
  const { client, op } = ddbOp(shape, server.endpoint, C, 'bench', TABLE_ITEMS);
  return { op, close: () => client.close() };
}

/** Server CPU (µs) per op over `ops` requests at concurrency C, after `warmupOps`, and their rate (ops/s). */
async function measureFixed(server: ServerProc, shape: AbShape, a: AbArgs): Promise<{ us: number; rate: number }> {
  const { op, close } = await prepare(shape, server);
  const run = async (n: number) => {
    let left = n;
    await Promise.all(Array.from({ length: C }, async () => {
      while (left-- > 0) await op();
    }));
  };
  try {
    await run(a.warmupOps);
    const before = server.cpuMicros();
    const t0 = performance.now();
    await run(a.ops);
    const rate = a.ops / ((performance.now() - t0) / 1000);
    return { us: (server.cpuMicros() - before) / a.ops, rate };
  } finally {
    close();
  }
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), 'nimbus-ab-'));
  const load = () => loadavg()[0]!.toFixed(1);
  try {
    for (const shape of a.shapes) {
      const got: Record<'bare' | 'base' | 'this', number[]> = { bare: [], base: [], this: [] };
      const rates: Record<'bare' | 'base' | 'this', number[]> = { bare: [], base: [], this: [] };
      for (let r = 0; r < a.rounds; r++) {
        for (const [name, start] of [
          ['bare', () => (shape === 'apigw-http' ? startBackend() : startBare())],
          ['base', () => startNimbusFrom(a.base, a.memory, scratch)],
          ['this', () => startNimbusFrom(ROOT, a.memory, scratch)],
        ] as const) {
          const server = await start();
          try {
            const { us, rate } = await measureFixed(server, shape, a);
            got[name].push(us);
            rates[name].push(rate);
            log(`${shape} ${name}: ${fmt(us, 1)} µs/op, ${fmt(rate)} ops/s (load ${load()})`);
          } finally {
            await server.stop();
          }
        }
      }
      const [bare, base, mine] = [median(got.bare), median(got.base), median(got.this)];
      console.log(
        `${shape.padEnd(10)} ${a.memory ? '--memory' : 'durable '} c${C}: bare ${fmt(bare, 1)} µs, base ${fmt(base, 1)} µs (${(base / bare).toFixed(2)}x bare), ` +
          `this ${fmt(mine, 1)} µs (${(mine / bare).toFixed(2)}x bare), change ${(((mine - base) / base) * 100).toFixed(0)} %; ` +
          `ops/s bare ${fmt(median(rates.bare))}, base ${fmt(median(rates.base))}, this ${fmt(median(rates.this))}`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
