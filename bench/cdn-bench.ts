/**
 * The CloudFront family (`--only cdn`): cache hits through a distribution at concurrency 32,
 * of a 1 KiB and a 100 KiB object, against the bare node:http ceiling answering the same GET
 * from memory (which is also the distribution's origin). Nimbus runs durable (a temp data dir);
 * the distribution uses CachingOptimized without compression, so every measured request is an
 * edge hit (the first GET of each object, before the window, is the only miss).
 * The peer is nginx with `proxy_cache` (Debian's package) in front of the same origin, its cache
 * on disk in the temp dir (served from the page cache); it is skipped, with a line saying so,
 * when nginx is not installed.
 * Printed: ops/s, server CPU per request, and both as ratios of the bare server's.
 */
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Args } from './args.js';
import { getOp } from './apigw-ops.js';
import { brief, fmt, log, measure, ratio, type Measured } from './measure.js';
import { nginxBinary, startNginx, blockSize } from './nginx-server.js';
import { summariseProfile } from './prof-summary.js';
import { startBare, startNimbus, type ServerProc } from './servers.js';

export const CDN_SIZES = [
  { shape: 'cdn-1k', label: 'GET hit 1 KiB', path: '/cdn/obj-1k', size: 1024 },
  { shape: 'cdn-100k', label: 'GET hit 100 KiB', path: '/cdn/obj-100k', size: 100 * 1024 },
] as const;

function put(endpoint: string, path: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}${path}`, { method: 'PUT', headers: { 'content-length': String(size) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(Buffer.alloc(size, 7));
  });
}

function get(endpoint: string, path: string, host?: string, agent?: Agent): Promise<{ status: number; cache: string | undefined; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(`${endpoint}${path}`, { headers: host ? { host } : {}, ...(agent ? { agent } : {}) }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cache: (res.headers['x-cache'] ?? res.headers['x-cache-status']) as string | undefined, bytes }));
    })
      .on('error', reject)
      .end();
  });
}

export async function cdnPart(args: Args, dir: string): Promise<void> {
  const shapes = CDN_SIZES.filter((s) => args.only.has(s.shape as never));
  if (!args.table || shapes.length === 0) return;
  const started: ServerProc[] = [];
  const rows: Array<{ label: string; bare: Measured; nimbus: Measured; nginx?: Measured }> = [];
  try {
    const bare = await startBare();
    started.push(bare);
    // --profile=cdn-1k (or cdn-100k): Nimbus runs under the V8 profiler and the measured window is summarised.
    const profiled = args.profile ? shapes.filter((s) => args.profileShapes.includes(s.shape as never)) : [];
    if (profiled.length) mkdirSync(args.profDir, { recursive: true });
    const profBefore = profiled.length ? new Set(readdirSync(args.profDir)) : new Set<string>();
    const nimbus = await startNimbus(join(dir, 'cdn-data'), profiled.length ? ['--cpu-prof', '--cpu-prof-dir', args.profDir] : []);
    started.push(nimbus);
    const cf = new CloudFrontClient({ endpoint: nimbus.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const barePort = Number(new URL(bare.endpoint).port);
    const dist = await cf.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: `bench-${Date.now()}`,
          Comment: 'bench',
          Enabled: true,
          Origins: { Quantity: 1, Items: [{ Id: 'bare', DomainName: 'localhost', CustomOriginConfig: { HTTPPort: barePort, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' } }] },
          DefaultCacheBehavior: { TargetOriginId: 'bare', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', Compress: false },
        },
      }),
    );
    cf.destroy();
    const host = `${dist.Distribution!.Id!.toLowerCase()}.cloudfront.localhost`;
    log(`bare ${bare.endpoint} (pid ${bare.pid}), nimbus ${nimbus.endpoint} (pid ${nimbus.pid}), distribution ${dist.Distribution!.Id} at ${host}`);
    let nginx: ServerProc | undefined;
    let nginxNote = '';
    if (!nginxBinary()) nginxNote = 'nginx: not measured, it is not installed (apt-get install -y nginx-light)';
    else {
      try {
        nginx = await startNginx(join(dir, 'cdn-nginx'), barePort, { maxBytes: 256 * 1024 * 1024 });
        started.push(nginx);
        log(`nginx ${nginx.endpoint} (pid ${nginx.pid}), proxy_cache in front of the bare server`);
      } catch (e) {
        nginxNote = `nginx: not measured, it did not start (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
      }
    }
    if (nginxNote) log(nginxNote);
    for (const s of shapes) {
      await put(bare.endpoint, s.path, s.size);
      const first = await get(nimbus.endpoint, s.path, host);
      const second = await get(nimbus.endpoint, s.path, host);
      if (first.status !== 200 || first.bytes !== s.size || second.cache !== 'Hit from cloudfront') throw new Error(`${s.shape}: priming gave ${JSON.stringify([first, second])}`);
      if (nginx) {
        await get(nginx.endpoint, s.path);
        const hit = await get(nginx.endpoint, s.path);
        if (hit.status !== 200 || hit.bytes !== s.size || hit.cache !== 'HIT') throw new Error(`${s.shape}: priming nginx gave ${JSON.stringify(hit)}`);
      }
      let best: { bare?: Measured; nimbus?: Measured; nginx?: Measured } = {};
      for (let rep = 0; rep < args.repeat; rep++) {
        const b = getOp(bare.endpoint, 32, { path: s.path });
        const mb = await measure(bare, 32, b.op, args);
        b.close();
        log(`${s.shape} bare c32: ${brief(mb)}`);
        const n = getOp(nimbus.endpoint, 32, { host, path: s.path });
        const mn = await measure(nimbus, 32, n.op, args);
        n.close();
        log(`${s.shape} nimbus c32: ${brief(mn)}`);
        if (nginx) {
          const g = getOp(nginx.endpoint, 32, { path: s.path });
          const mg = await measure(nginx, 32, g.op, args);
          g.close();
          log(`${s.shape} nginx c32: ${brief(mg)}`);
          if (!best.nginx || mg.opsPerSec > best.nginx.opsPerSec) best.nginx = mg;
        }
        if (!best.bare || mb.opsPerSec > best.bare.opsPerSec) best.bare = mb;
        if (!best.nimbus || mn.opsPerSec > best.nimbus.opsPerSec) best.nimbus = mn;
        if (nimbus.exited()) throw new Error(`nimbus exited during the run; stderr:\n${nimbus.stderrTail()}`);
      }
      rows.push({ label: s.label, bare: best.bare!, nimbus: best.nimbus!, ...(best.nginx ? { nginx: best.nginx } : {}) });
    }
    console.log('\nCloudFront edge hits at c32: Nimbus (durable, CachingOptimized, no compression; every request an edge hit) vs bare node:http answering the same GET from memory, and nginx proxy_cache (1 worker) in front of it');
    console.log(['request shape'.padEnd(18), 'bare ops/s'.padStart(11), 'µs/op'.padStart(7), 'nimbus ops/s'.padStart(13), 'µs/op'.padStart(7), 'p50 ms'.padStart(7), 'p99 ms'.padStart(7), 'ops ratio'.padStart(10), 'CPU ratio'.padStart(10), 'nginx ops/s'.padStart(12), 'µs/op'.padStart(7), 'CPU ratio'.padStart(10)].join(' '));
    for (const r of rows) {
      console.log(
        [
          r.label.padEnd(18),
          fmt(r.bare.opsPerSec).padStart(11),
          fmt(r.bare.srvUsPerOp).padStart(7),
          fmt(r.nimbus.opsPerSec).padStart(13),
          fmt(r.nimbus.srvUsPerOp).padStart(7),
          fmt(r.nimbus.p50, 2).padStart(7),
          fmt(r.nimbus.p99, 2).padStart(7),
          ratio(r.nimbus.opsPerSec, r.bare.opsPerSec).padStart(10),
          ratio(r.nimbus.srvUsPerOp, r.bare.srvUsPerOp).padStart(10),
          fmt(r.nginx?.opsPerSec ?? NaN).padStart(12),
          fmt(r.nginx?.srvUsPerOp ?? NaN).padStart(7),
          (r.nginx ? ratio(r.nginx.srvUsPerOp, r.bare.srvUsPerOp) : '-').padStart(10),
        ].join(' '),
      );
    }
    console.log('Ratios are to bare. Targets (issue 18): 1 KiB hits at least 0.5x the bare ops/s and at most 2x its server CPU per request.');
    if (nginxNote) console.log(nginxNote);
    if (profiled.length) {
      await nimbus.stop();
      const file = readdirSync(args.profDir).filter((f) => f.endsWith('.cpuprofile') && /\.0\.\d+\.cpuprofile$/.test(f) && !profBefore.has(f)).sort().at(-1);
      for (const s of profiled) {
        const r = rows.find((x) => x.label === s.label)!;
        if (file) console.log(`\nCPU profile of Nimbus during ${s.label} c32 (${join(args.profDir, file)})\n${summariseProfile(join(args.profDir, file), 25, { fromUs: r.nimbus.fromUs, toUs: r.nimbus.toUs })}`);
      }
    }
    const stderr = nimbus.stderrTail().trim();
    if (stderr) console.log(`\nNimbus stderr (warn and above):\n${stderr}`);
  } finally {
    for (const s of started) await s.stop();
  }
}

/** A Zipf (s = 1.0) sampler over `keys` keys, by inverse CDF, on a fixed xorshift32 stream: every call of zipfStream gives the same sequence. */
function zipfStream(keys: number): () => number {
  const cdf = new Float64Array(keys);
  let total = 0;
  for (let i = 0; i < keys; i++) cdf[i] = total += 1 / (i + 1);
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) / 2 ** 32) * total;
  };
  return () => {
    const x = rand();
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const ZIPF = { keys: 100_000, requests: 200_000, size: 1024, cached: 10_000 };

/**
 * The Zipf workload (`--only cdn-zipf`): 200,000 requests over 100,000 keys of 1 KiB (Zipf,
 * s = 1.0) with caches that hold 10,000 of them (10% of the working set).
 *  - Nimbus's cache engine in process (no HTTP), one edge in front of the shield, each holding
 *    10,000 objects: the edge's hit ratio and origin requests per 1,000 requests.
 *  - nginx's proxy_cache on the same stream over HTTP (8 requests at a time, in stream order),
 *    `max_size` of 10,000 file-system blocks (each 1 KiB object with its headers is one file of
 *    one block, the unit nginx counts): its hit ratio (X-Cache-Status HIT) and origin requests
 *    per 1,000. Skipped, with a line saying so, when nginx is not installed.
 */
export async function cdnZipfPart(args: Args, dir: string): Promise<void> {
  if (!args.table || !args.only.has('cdn-zipf' as never)) return;
  const { EdgeNetwork } = await import('../src/services/cloudfront/edge/tiers.js');
  const { ManualClock } = await import('../src/lib/clock.js');
  const { keys, requests, size } = ZIPF;
  const capacity = ZIPF.cached * size;
  const pick = zipfStream(keys);
  const net = new EdgeNetwork({ clock: new ManualClock(), edges: [{ name: 'EDGE1', continent: 'NA' }], limits: { memoryBytes: capacity + 64 * 1024, diskBytes: 0, memoryObjectMax: 1024 * 1024 } });
  const body = Buffer.alloc(size, 1);
  let originRequests = 0;
  const origin = async () => {
    originRequests++;
    return { status: 200, headers: { 'cache-control': 'max-age=86400' }, body };
  };
  const ttl = { minTtl: 0, defaultTtl: 86400, maxTtl: 31536000 };
  const t0 = performance.now();
  let hits = 0;
  for (let i = 0; i < requests; i++) {
    const key = `/k/${pick()}`;
    const r = await net.serve('EDGE1', { distributionId: 'E', method: 'GET', key, path: key, headers: {}, ttl, encoding: '', cacheable: true }, origin);
    if (r.result === 'Hit') hits++;
  }
  const ms = performance.now() - t0;
  console.log(`\nZipf s=1.0 over ${fmt(keys)} keys of 1 KiB, ${fmt(requests)} requests, caches of ${fmt(ZIPF.cached)} objects:`);
  console.log(`Nimbus cache engine (edge and shield, in process): edge hit ratio ${fmt((100 * hits) / requests, 1)}%, origin requests per 1,000 requests ${fmt((1000 * originRequests) / requests, 1)}, ${fmt((ms * 1000) / requests, 1)} µs per request`);
  const peer = await nginxZipf(join(dir, 'zipf-nginx'));
  console.log(typeof peer === 'string' ? peer : `nginx proxy_cache (max_size ${fmt(ZIPF.cached)} blocks, over HTTP at c8): hit ratio ${fmt((100 * peer.hits) / requests, 1)}%, origin requests per 1,000 requests ${fmt((1000 * peer.originRequests) / requests, 1)}, ${fmt(peer.cachedFiles)} files in its cache at the end`);
  console.log('Target (issue 18): hit ratio within 2 points of nginx\'s.');
}

/** The Zipf stream through nginx in front of an origin in this process; a sentence when nginx is missing. */
async function nginxZipf(dir: string): Promise<{ hits: number; originRequests: number; cachedFiles: number } | string> {
  if (!nginxBinary()) return 'nginx: not measured, it is not installed (apt-get install -y nginx-light)';
  const body = Buffer.alloc(ZIPF.size, 1);
  let originRequests = 0;
  const origin = createServer((req, res) => {
    if (req.url?.startsWith('/k/')) originRequests++;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'cache-control': 'max-age=86400' });
    res.end(body);
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  let nginx: ServerProc | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    mkdirSync(dir, { recursive: true });
    try {
      nginx = await startNginx(dir, (origin.address() as AddressInfo).port, { maxBytes: ZIPF.cached * blockSize(dir) });
    } catch (e) {
      return `nginx: not measured, it did not start (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`;
    }
    log(`nginx ${nginx.endpoint} (pid ${nginx.pid}) for the Zipf stream, cache blocks of ${blockSize(dir)} bytes`);
    originRequests = 0;
    const pick = zipfStream(ZIPF.keys);
    let next = 0;
    let hits = 0;
    const worker = async () => {
      while (next < ZIPF.requests) {
        next++;
        const r = await get(nginx!.endpoint, `/k/${pick()}`, undefined, agent);
        if (r.status !== 200) throw new Error(`nginx answered ${r.status}`);
        if (r.cache === 'HIT') hits++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const cachedFiles = (readdirSync(join(dir, 'cache'), { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean }>).filter((f) => f.isFile()).length;
    return { hits, originRequests, cachedFiles };
  } finally {
    agent.destroy();
    await nginx?.stop();
    await new Promise((r) => origin.close(r));
  }
}
