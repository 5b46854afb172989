/**
 * `npm run bench`: SQS, DynamoDB, Lambda and SNS request shapes against Nimbus (durable, on a temp data dir),
 * against a bare node:http server (the ceiling) and, for SQS, against Nimbus --memory and fauxqs
 * (npm, in memory), for DynamoDB against dynalite (npm, in memory), with the same light load
 * generator, in one run.
 * S3 is not in the default run (it would lengthen it by about four minutes): `--only s3`, or
 * --large without --only, adds PutObject/GetObject of 1 KiB and 1 MiB against bare, Nimbus
 * and s3rver (npm), and one 1 GiB PUT+GET on each (see s3-bench.ts).
 * Lambda is in the default run (about 70 s): warm Invoke at c1/c32 against bare, Nimbus and
 * lambda-local (npm) and the overhead over an in-process call (lambda-invoke), cold starts
 * (lambda-cold) and SQS → function throughput (lambda-sqs); `--only lambda` runs it alone
 * (see lambda-bench.ts).
 * SNS is in the default run (about 2 minutes): Publish at c32 to a topic with 1, 10 and 100 SQS
 * queues subscribed, enveloped and raw, against bare (Publish only) and Nimbus: publishes/s,
 * deliveries/s, fan-out latency Publish → receivable (p50, p99) and the drain lag; `--only sns`
 * runs it alone, `--only sns-1` one subscriber count (see sns-bench.ts).
 *
 * API Gateway is not in the default run: `--only apigw` measures an HTTP API's Lambda route
 * against a direct Invoke, its HTTP_PROXY route against the backend called directly, and its
 * JWT route against the open one, at c1 and c32 (see apigw-bench.ts).
 *
 * WebSocket APIs are not in the default run: `--only websocket` measures 10,000 idle connections
 * (RSS, CPU), a broadcast to 1,000 from a function and the echo round trip against Invoke
 * (ws-idle, ws-broadcast, ws-echo: see ws-bench.ts), then acknowledged delivery's durable
 * messages/s against plain PostToConnection (ws-ack: see ws-ack-bench.ts).
 * CloudFront is not in the default run: `--only cdn` measures edge hits of a 1 KiB and a 100 KiB
 * object at c32 against the bare ceiling and nginx's proxy_cache, and the hit ratio of a Zipf
 * stream against nginx's with the same cache size (see cdn-bench.ts).
 *
 * Start-up is first in the default run (a few seconds): launch → healthy for the bundle, tsc's
 * output and a bare server (see startup-bench.ts); `--only startup` runs it alone.
 *
 *   node dist/bench/run.js [--duration 5] [--warmup 1.5] [--only startup,sqs,ddb,s3,lambda,sns,apigw,websocket | send,batch,recv,ddb-put,ddb-get,ddb-update,ddb-query,s3-put-1k,s3-get-1k,s3-put-1m,s3-get-1m,s3-1g,lambda-invoke,lambda-cold,lambda-sqs,sns-1,sns-10,sns-100,apigw-lambda,apigw-http,apigw-jwt,ws-idle,ws-broadcast,ws-echo,ws-ack]
 *                          [--repeat 1] [--table-items 10000]
 *                          [--large | --messages 1000000 | --items 1000000] [--rounds 3] [--prefill-concurrency 64]
 *                          [--cold-samples 10] [--lambda-messages 20000]
 *                          [--profile[=send,ddb-put,lambda-invoke,lambda-sqs,sns-1,ws-broadcast,ws-ack,...] [--profile-memory] [--prof-dir /tmp/prof]] [--no-table]
 *
 * --large (or BENCH_LARGE=1) also runs the large part of each selected family: a queue of
 * --messages messages (SQS), a table of --items items (DynamoDB). --messages and --items imply
 * --large. Everything talks to 127.0.0.1 only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { apigwPart } from './apigw-bench.js';
import { wsAckPart } from './ws-ack-bench.js';
import { wsPart } from './ws-bench.js';
import { cdnPart, cdnZipfPart } from './cdn-bench.js';
import { DDB_SHAPES, isApigw, isWebSocket, isLambda, isS3, isSns, parseArgs, S3_SHAPES, SHAPES } from './args.js';
import { ddbLargePart, ddbTable, printDdbTable } from './ddb-bench.js';
import { lambdaPart, lambdaProfilePart } from './lambda-bench.js';
import { fmt, log } from './measure.js';
import { profilePart } from './profile.js';
import { s3Part, s3ProfilePart } from './s3-bench.js';
import { fsyncProbe, startBare, startDynalite, startFauxqs, startNimbus, type ServerProc } from './servers.js';
import { snsPart, snsProfilePart } from './sns-bench.js';
import { startupPart } from './startup-bench.js';
import { largePart, printTable, table } from './sqs-bench.js';

// ---- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  args.scratch = dir;
  log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${fmt(fsyncProbe(dir, 200).p50, 2)} ms disk fsync p50)`);
  const started: ServerProc[] = [];
  const t0 = Date.now();
  try {
    if (args.only.has('startup')) await startupPart();
    const sqs = SHAPES.some((x) => args.only.has(x.shape));
    const ddb = DDB_SHAPES.some((x) => args.only.has(x.shape));
    const s3 = S3_SHAPES.some((x) => args.only.has(x.shape));
    if (args.table && sqs) {
      const bare = await startBare();
      started.push(bare);
      const nimbus = await startNimbus(join(dir, 'data'));
      started.push(nimbus);
      const peers = [await startNimbus('memory')];
      try {
        peers.push(await startFauxqs());
      } catch (e) {
        log(`NOTE: fauxqs not measured: it did not start (${(e instanceof Error ? e.message : String(e)).trim().split('\n')[0]})`);
      }
      started.push(...peers);
      log(`bare ${bare.endpoint} (pid ${bare.pid}), nimbus ${nimbus.endpoint} (pid ${nimbus.pid}, data ${join(dir, 'data')}), ${peers.map((p) => `${p.name} ${p.endpoint}`).join(', ')}`);
      const rows = await table(args, bare, nimbus, peers);
      printTable(rows, args);
      const stderr = nimbus.stderrTail().trim();
      if (stderr) console.log(`\nNimbus stderr (warn and above):\n${stderr}`);
      for (const s of started.splice(0)) await s.stop();
    }
    if (args.table && ddb) {
      const bare = await startBare();
      started.push(bare);
      const nimbus = await startNimbus(join(dir, 'ddb-data'));
      started.push(nimbus, await startNimbus('memory'));
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
    if (s3) await s3Part(args, dir);
    await lambdaPart(args, dir);
    await snsPart(args, dir);
    await apigwPart(args, dir);
    await wsPart(args, dir);
    await wsAckPart(args, dir);
    await cdnPart(args, dir);
    await cdnZipfPart(args, dir);
    if (args.large && sqs) await largePart(args, dir);
    if (args.large && ddb) await ddbLargePart(args, dir);
    if (args.profile) {
      await profilePart({ ...args, profileShapes: args.profileShapes.filter((x) => !isS3(x) && !isLambda(x) && !isSns(x) && (!isApigw(x) || x === 'apigw-http') && !isWebSocket(x) && !x.startsWith('cdn-')) }, dir);
      await s3ProfilePart(args, dir);
      await lambdaProfilePart(args, dir);
      await snsProfilePart(args, dir);
    }
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
