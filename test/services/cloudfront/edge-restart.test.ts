/**
 * The edge caches' disk tier survives a restart of Nimbus on the same data directory: objects
 * larger than the memory tier's object limit (1 MiB) are served from disk as hits after the
 * restart, small ones are fetched again (the memory tier starts empty), a damaged file is
 * dropped and fetched again, and what was invalidated is not served.
 */
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { createDistribution, customOrigin, startEdge, startOrigin, view, type EdgeNimbus, type TestOrigin } from './edge-helpers.js';

const BIG = 1536 * 1024;

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
    origin = await startOrigin((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
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

    // Damage one entry of /big-b (a flipped byte in its body) and leave a partial write behind.
    const edgeFiles = files.filter((f) => readFileSync(f).includes('/big-b'));
    const victim = edgeFiles.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)[edgeFiles.length - 1]!;
    const bytes = readFileSync(victim);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(victim, bytes);
    writeFileSync(join(victim, '..', `${'0'.repeat(32)}.part`), 'half');

    n = await startEdge({ memory: false, dataDir: dir, clock });
    const before = { a: origin.count('/big-a'), b: origin.count('/big-b'), small: origin.count('/small'), gone: origin.count('/big-gone') };
    const a = await view(n.t, d.id, '/big-a');
    assert.equal(a.headers.get('x-cache'), 'Hit from cloudfront');
    assert.equal(a.bytes.length, BIG);
    assert.ok(a.bytes.every((x) => x === '/big-a'.length));
    assert.equal(Number(a.headers.get('age')), 0);

    // The damaged copy is not served: the edge drops it and asks the shield, whose copy is whole.
    const b = await view(n.t, d.id, '/big-b');
    assert.equal(b.status, 200);
    assert.equal(b.bytes.length, BIG);
    assert.ok(b.bytes.every((x) => x === '/big-b'.length));
    assert.equal(b.headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(b.headers.get('x-nimbus-shield-cache'), 'Hit from cloudfront');
    assert.equal(origin.count('/big-b'), before.b);
    assert.equal((await view(n.t, d.id, '/big-b')).headers.get('x-cache'), 'Hit from cloudfront');

    assert.equal((await view(n.t, d.id, '/small')).headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(origin.count('/small') - before.small, 1, 'the memory tiers (edge and shield) start empty');
    assert.equal((await view(n.t, d.id, '/big-gone')).headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(origin.count('/big-gone') - before.gone, 1);
    assert.equal(origin.count('/big-a'), before.a);
    assert.ok(!cacheFiles(dir).some((f) => f.endsWith('.part')));
  });
});
