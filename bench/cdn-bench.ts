/**
 * The CloudFront family (`--only cdn`): cache hits through a distribution at concurrency 32,
 * of a 1 KiB and a 100 KiB object, against the bare node:http ceiling answering the same GET
 * from memory (which is also the distribution's origin). Nimbus runs durable (a temp data dir);
 * the distribution uses CachingOptimized without compression, so every measured request is an
 * edge hit (the first GET of each object, before the window, is the only miss).
 * Printed: ops/s, server CPU per request, and both as ratios of the bare server's.
 * Not measured here (yet): nginx proxy_cache as a peer, and the Zipf workload over 100,000 keys.
 */
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Args } from './args.js';
import { getOp } from './apigw-ops.js';
import { brief, fmt, log, measure, ratio, type Measured } from './measure.js';
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

function get(endpoint: string, path: string, host: string): Promise<{ status: number; cache: string | undefined; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(`${endpoint}${path}`, { headers: { host } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cache: res.headers['x-cache'] as string | undefined, bytes }));
    })
      .on('error', reject)
      .end();
  });
}

export async function cdnPart(args: Args, dir: string): Promise<void> {
  const shapes = CDN_SIZES.filter((s) => args.only.has(s.shape as never));
  if (!args.table || shapes.length === 0) return;
  const started: ServerProc[] = [];
  const rows: Array<{ label: string; bare: Measured; nimbus: Measured }> = [];
  try {
    const bare = await startBare();
    started.push(bare);
    const nimbus = await startNimbus(join(dir, 'cdn-data'));
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
    for (const s of shapes) {
      await put(bare.endpoint, s.path, s.size);
      const first = await get(nimbus.endpoint, s.path, host);
      const second = await get(nimbus.endpoint, s.path, host);
      if (first.status !== 200 || first.bytes !== s.size || second.cache !== 'Hit from cloudfront') throw new Error(`${s.shape}: priming gave ${JSON.stringify([first, second])}`);
      let best: { bare?: Measured; nimbus?: Measured } = {};
      for (let rep = 0; rep < args.repeat; rep++) {
        const b = getOp(bare.endpoint, 32, { path: s.path });
        const mb = await measure(bare, 32, b.op, args);
        b.close();
        log(`${s.shape} bare c32: ${brief(mb)}`);
        const n = getOp(nimbus.endpoint, 32, { host, path: s.path });
        const mn = await measure(nimbus, 32, n.op, args);
        n.close();
        log(`${s.shape} nimbus c32: ${brief(mn)}`);
        if (!best.bare || mb.opsPerSec > best.bare.opsPerSec) best.bare = mb;
        if (!best.nimbus || mn.opsPerSec > best.nimbus.opsPerSec) best.nimbus = mn;
        if (nimbus.exited()) throw new Error(`nimbus exited during the run; stderr:\n${nimbus.stderrTail()}`);
      }
      rows.push({ label: s.label, bare: best.bare!, nimbus: best.nimbus! });
    }
    console.log('\nCloudFront edge hits at c32: Nimbus (durable, CachingOptimized, no compression; every request an edge hit) vs bare node:http answering the same GET from memory');
    console.log(['request shape'.padEnd(18), 'bare ops/s'.padStart(11), 'µs/op'.padStart(7), 'nimbus ops/s'.padStart(13), 'µs/op'.padStart(7), 'p50 ms'.padStart(7), 'p99 ms'.padStart(7), 'ops ratio'.padStart(10), 'CPU ratio'.padStart(10)].join(' '));
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
        ].join(' '),
      );
    }
    console.log('Targets (issue 18): 1 KiB hits at least 0.5x the bare ops/s and at most 2x its server CPU per request.');
    const stderr = nimbus.stderrTail().trim();
    if (stderr) console.log(`\nNimbus stderr (warn and above):\n${stderr}`);
  } finally {
    for (const s of started) await s.stop();
  }
}
