/**
 * Large objects and the edge caches' disk tier: objects larger than the memory tier's object
 * limit (1 MiB) stream from the origin to the viewer while they are written to disk, and the
 * disk tier survives a restart of Nimbus on the same data directory (served from disk as hits
 * after the restart; small ones are fetched again, as the memory tier starts empty; a damaged
 * file is dropped and fetched again; what was invalidated is not served).
 */
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { createDistribution, customOrigin, startEdge, startOrigin, view, type EdgeNimbus, type TestOrigin } from './edge-helpers.js';

const BIG = 1536 * 1024;
const STREAMED = 4 * 1024 * 1024;
/** A compressible object larger than the memory tier takes (streamed from the origin) and within CloudFront's 10 MB compression limit. */
const BUNDLE = Buffer.from('export const answer = 42;\n'.repeat(80_000));
/** A large object asked for by a Range on its first request. */
const RANGED = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => i % 253));
/** The streamed object's origin sends its first MiB, then waits for this before the rest. */
let releaseRest: () => void = () => undefined;

/** Every file of the CloudFront caches under a data directory. */
function cacheFiles(dataDir: string): string[] {
  const root = join(dataDir, 'cloudfront-cache');
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)));
}

describe('CloudFront edge caches across a restart', () => {
  let dir: string;
  let origin: TestOrigin;
  const clock = new ManualClock(Date.now());
  let n: EdgeNimbus;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-cdn-restart-'));
    origin = await startOrigin(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/streamed') {
        res.writeHead(200, { 'content-length': STREAMED, 'cache-control': 'max-age=3600', 'content-type': 'application/octet-stream' });
        res.write(Buffer.alloc(1024 * 1024, 1));
        await new Promise<void>((r) => (releaseRest = r));
        res.end(Buffer.alloc(STREAMED - 1024 * 1024, 2));
        return;
      }
      if (path === '/ranged') {
        res.writeHead(200, { 'content-length': RANGED.length, 'cache-control': 'max-age=3600', 'content-type': 'application/octet-stream' });
        res.end(RANGED);
        return;
      }
      if (path === '/bundle.js') {
        res.writeHead(200, { 'content-length': BUNDLE.length, 'cache-control': 'max-age=3600', 'content-type': 'application/javascript' });
        res.end(BUNDLE);
        return;
      }
      res.setHeader('cache-control', 'max-age=3600');
      res.end(path.startsWith('/big') ? Buffer.alloc(BIG, path.length) : `small ${path}`);
    });
    n = await startEdge({ memory: false, dataDir: dir, clock });
  });
  after(async () => {
    await n.stop();
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the disk tier is reloaded, checked, and invalidations made before the restart hold', async () => {
    const d = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] }, DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', Compress: false } });
    for (const p of ['/big-a', '/big-b', '/big-gone', '/small']) {
      const r = await view(n.t, d.id, p);
      assert.equal(r.headers.get('x-cache'), 'Miss from cloudfront', p);
    }
    assert.equal((await view(n.t, d.id, '/big-a')).headers.get('x-cache'), 'Hit from cloudfront');
    await n.cf.send(new CreateInvalidationCommand({ DistributionId: d.id, InvalidationBatch: { CallerReference: 'gone', Paths: { Quantity: 1, Items: ['/big-gone'] } } }));
    // The edge and the shield each keep the three large objects on disk (less the invalidated one).
    await n.stop();
    const files = cacheFiles(dir);
    assert.equal(files.length, 4, files.join('\n'));

    // Damage both copies of /big-b (the edge's and the shield's: a flipped byte in the body) and leave a partial write behind.
    const damaged = files.filter((f) => readFileSync(f).includes('/big-b'));
    assert.equal(damaged.length, 2);
    for (const f of damaged) {
      const bytes = readFileSync(f);
      bytes[bytes.length - 100] ^= 0xff;
      writeFileSync(f, bytes);
    }
    const planted = join(damaged[0]!, '..', `${'0'.repeat(32)}.part`);
    writeFileSync(planted, 'half');

    n = await startEdge({ memory: false, dataDir: dir, clock });
    const before = { a: origin.count('/big-a'), b: origin.count('/big-b'), small: origin.count('/small'), gone: origin.count('/big-gone') };
    const a = await view(n.t, d.id, '/big-a');
    assert.equal(a.headers.get('x-cache'), 'Hit from cloudfront');
    assert.equal(a.bytes.length, BIG);
    assert.ok(a.bytes.every((x) => x === '/big-a'.length));
    assert.equal(Number(a.headers.get('age')), 0);

    // The damaged copies are not served: each cache drops its own and the origin is asked again.
    const b = await view(n.t, d.id, '/big-b');
    assert.equal(b.status, 200);
    assert.equal(b.bytes.length, BIG);
    assert.ok(b.bytes.every((x) => x === '/big-b'.length));
    assert.equal(b.headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(b.headers.get('x-nimbus-shield-cache'), 'Miss from cloudfront');
    assert.equal(origin.count('/big-b'), before.b + 1);
    assert.equal((await view(n.t, d.id, '/big-b')).headers.get('x-cache'), 'Hit from cloudfront');

    assert.equal((await view(n.t, d.id, '/small')).headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(origin.count('/small') - before.small, 1, 'the memory tiers (edge and shield) start empty');
    assert.equal((await view(n.t, d.id, '/big-gone')).headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(origin.count('/big-gone') - before.gone, 1);
    assert.equal(origin.count('/big-a'), before.a);
    assert.ok(!existsSync(planted), 'a partial write left before the restart is removed');
  });

  test('an object larger than the memory tier streams from the origin to the viewer while it is written to disk', async () => {
    const d = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] }, DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', Compress: false } });
    // The viewer gets the first MiB while the origin still holds the rest back: nothing waits for the whole body.
    const first = await new Promise<{ cache: string | undefined; bytes: Buffer; early: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the viewer got nothing before the origin finished: the body was buffered')), 15_000);
      request(`${n.t.endpoint}/_nimbus/cloudfront/${d.id}/streamed`, (res) => {
        const chunks: Buffer[] = [];
        let got = 0;
        let early = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          got += c.length;
          if (got >= 1024 * 1024 && !early) {
            early = got;
            clearTimeout(timer);
            releaseRest();
          }
        });
        res.on('end', () => resolve({ cache: res.headers['x-cache'] as string | undefined, bytes: Buffer.concat(chunks), early }));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(first.cache, 'Miss from cloudfront');
    assert.equal(first.bytes.length, STREAMED);
    assert.ok(first.early >= 1024 * 1024 && first.early < STREAMED);
    assert.equal(first.bytes[0], 1);
    assert.equal(first.bytes[STREAMED - 1], 2);
    // The next viewer (the same cache key: no Accept-Encoding) is a hit from the disk tier with the same bytes; the origin was asked once.
    const again = await new Promise<{ cache: string | undefined; bytes: Buffer }>((resolve, reject) => {
      request(`${n.t.endpoint}/_nimbus/cloudfront/${d.id}/streamed`, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ cache: res.headers['x-cache'] as string | undefined, bytes: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(again.cache, 'Hit from cloudfront');
    assert.ok(again.bytes.equals(first.bytes));
    assert.equal(origin.count('/streamed'), 1);
  });

  test('a compressible object larger than the memory tier is compressed for a viewer that accepts gzip, on a miss and on disk hits', async () => {
    const d = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] }, DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', Compress: true } });
    const get = () =>
      new Promise<{ cache: string | undefined; encoding: string | undefined; length: string | undefined; bytes: Buffer }>((resolve, reject) => {
        request(`${n.t.endpoint}/_nimbus/cloudfront/${d.id}/bundle.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ cache: res.headers['x-cache'] as string | undefined, encoding: res.headers['content-encoding'], length: res.headers['content-length'], bytes: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    const first = await get();
    assert.equal(first.cache, 'Miss from cloudfront');
    assert.equal(first.encoding, 'gzip');
    assert.equal(Number(first.length), first.bytes.length);
    assert.ok(first.bytes.length < BUNDLE.length / 10);
    assert.ok(gunzipSync(first.bytes).equals(BUNDLE));
    const again = await get();
    assert.equal(again.cache, 'Hit from cloudfront');
    assert.equal(again.encoding, 'gzip');
    assert.ok(again.bytes.equals(first.bytes));
    assert.equal(origin.count('/bundle.js'), 1);
  });

  test('a Range on a large object\'s first request is answered 206 from the stream, and the whole object is cached', async () => {
    const d = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] }, DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', Compress: false } });
    // One cache key for both requests: fetch() would otherwise ask for gzip when it sends no Range.
    const identity = { 'accept-encoding': 'identity' };
    const first = await view(n.t, d.id, '/ranged', { headers: { ...identity, range: 'bytes=1048570-1048585' } });
    assert.equal(first.status, 206);
    assert.equal(first.headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(first.headers.get('content-range'), `bytes 1048570-1048585/${RANGED.length}`);
    assert.ok(first.bytes.equals(RANGED.subarray(1048570, 1048586)));
    // The caches kept the whole object: the next request waits for it to land, then hits.
    const whole = await view(n.t, d.id, '/ranged', { headers: identity });
    assert.equal(whole.headers.get('x-cache'), 'Hit from cloudfront');
    assert.ok(whole.bytes.equals(RANGED));
    assert.equal(origin.count('/ranged'), 1);
  });
});
