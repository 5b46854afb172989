/** `--profile`: CPU profiles of Nimbus (node --cpu-prof) under one request shape each, summarised. */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { APIGW_SHAPES, DDB_SHAPES, isDdb, SHAPES, type Args } from './args.js';
import { DDB_TABLE, ddbOp, setUpDdbTable } from './ddb-bench.js';
import { JsonClient } from './load.js';
import { brief, fmt, log, measure, type Measured } from './measure.js';
import { summariseProfile } from './prof-summary.js';
import { createProxyApi, getOp } from './apigw-ops.js';
import { startBackend } from './apigw-bench.js';
import { startNimbus } from './servers.js';
import { fillForReceive } from './sqs-bench.js';
import { batchOp, createQueue, receiveDeleteOp, sendOp } from './sqs-ops.js';

// ---- part 3: CPU profiles of Nimbus (node --cpu-prof) -------------------------------------------

export async function profilePart(args: Args, dir: string): Promise<void> {
  mkdirSync(args.profDir, { recursive: true });
  for (const shape of args.profileShapes) {
    const before = new Set(readdirSync(args.profDir));
    const nimbus = await startNimbus(args.profileMemory ? 'memory' : join(dir, `prof-${shape}`), ['--cpu-prof', '--cpu-prof-dir', args.profDir]);
    let m: Measured;
    try {
      if (shape === 'apigw-http') {
        const backend = await startBackend();
        try {
          const api = await createProxyApi(nimbus.endpoint, backend.endpoint);
          const { op, close } = getOp(nimbus.endpoint, 32, { host: api.host, path: '/proxy', expect: '{"hello":"world"}' });
          m = await measure(nimbus, 32, op, args);
          close();
        } finally {
          await backend.stop();
        }
      } else if (isDdb(shape)) {
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
    const label = [...SHAPES, ...DDB_SHAPES, ...APIGW_SHAPES].find((x) => x.shape === shape)!.label;
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
