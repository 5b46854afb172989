/**
 * The edge cache engine on its own: an EdgeNetwork (three edges, one shield) in front of an
 * origin written here, on a ManualClock. The data plane's tests drive the same engine through
 * real distributions; these pin the caching rules one by one.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { freshness, parseCacheControl } from '../../../src/services/cloudfront/edge/freshness.js';
import type { CachedReply, UpstreamReply } from '../../../src/services/cloudfront/edge/http-cache.js';
import { EdgeNetwork, invalidationMatcher, parseEdgeList, type TierRequest } from '../../../src/services/cloudfront/edge/tiers.js';
import { loadConfig } from '../../../src/config.js';
import { cannedPolicy, cloudFrontBase64Encode, verifySignedRequest } from '../../../src/services/cloudfront/edge/signed.js';
import { chooseEncoding, forViewer, parseRange } from '../../../src/services/cloudfront/edge/viewer.js';

const POLICY = { minTtl: 0, defaultTtl: 86400, maxTtl: 31536000 };

/** A reply's body bytes, wherever they are: in memory, in a stream, or on disk. */
async function bytesOf(r: CachedReply): Promise<Buffer> {
  const source = r.stream ?? r.file?.open(0, r.file.size - 1);
  if (!source) return r.body;
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** An origin that counts its requests and answers what `reply` says (per call). */
function origin(reply: (n: number, conditional: Record<string, string>) => UpstreamReply | Promise<UpstreamReply>) {
  const o = {
    calls: 0,
    conditionals: [] as Record<string, string>[],
    fetch: async (conditional: Record<string, string>) => {
      o.calls++;
      o.conditionals.push(conditional);
      return reply(o.calls, conditional);
    },
  };
  return o;
}

const text = (body: string, headers: Record<string, string> = {}): UpstreamReply => ({ status: 200, headers: { 'content-type': 'text/plain', ...headers }, body: Buffer.from(body) });

function request(path: string, extra: Partial<TierRequest> = {}): TierRequest {
  return { distributionId: 'E1', method: 'GET', key: path, path, headers: {}, ttl: POLICY, encoding: '', cacheable: true, ...extra };
}

describe('freshness: CloudFront TTL rules', () => {
  const now = 1_800_000_000;
  test('max-age within [min, max] is used; outside it is clamped; none takes the default', () => {
    const p = { minTtl: 10, defaultTtl: 100, maxTtl: 1000 };
    assert.equal(freshness(200, { 'cache-control': 'max-age=50' }, p, now).ttl, 50);
    assert.equal(freshness(200, { 'cache-control': 'max-age=5' }, p, now).ttl, 10);
    assert.equal(freshness(200, { 'cache-control': 'max-age=5000' }, p, now).ttl, 1000);
    assert.equal(freshness(200, { 'cache-control': 'max-age=50, s-maxage=70' }, p, now).ttl, 70);
    assert.equal(freshness(200, {}, p, now).ttl, 100);
    assert.equal(freshness(200, { expires: new Date((now + 300) * 1000).toUTCString(), date: new Date(now * 1000).toUTCString() }, p, now).ttl, 300);
  });
  test('no-store, no-cache and private: not cached with MinTTL 0, MinTTL with MinTTL > 0', () => {
    for (const cc of ['no-store', 'no-cache', 'private, max-age=60']) {
      assert.equal(freshness(200, { 'cache-control': cc }, POLICY, now).store, false, cc);
      assert.deepEqual(freshness(200, { 'cache-control': cc }, { ...POLICY, minTtl: 30 }, now).ttl, 30, cc);
    }
  });
  test('CachingDisabled never stores; errors are cached 10 s; 302 is not cached; Vary: * is not', () => {
    assert.equal(freshness(200, { 'cache-control': 'max-age=60' }, { minTtl: 0, defaultTtl: 0, maxTtl: 0 }, now).store, false);
    assert.deepEqual(freshness(404, {}, POLICY, now), { store: true, ttl: 10, staleIfError: 0, staleWhileRevalidate: 0 });
    assert.equal(freshness(404, {}, POLICY, now, 60).ttl, 60);
    assert.equal(freshness(302, { 'cache-control': 'max-age=60' }, POLICY, now).store, false);
    assert.equal(freshness(200, { vary: '*' }, POLICY, now).store, false);
    assert.deepEqual(parseCacheControl('Max-Age=5, stale-if-error="30", no-transform'), { maxAge: 5, staleIfError: 30, noStore: false, noCache: false, private: false, noTransform: true });
  });
});

describe('edge network', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const network = (opts: Partial<ConstructorParameters<typeof EdgeNetwork>[0]> = {}) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    return { clock, net: new EdgeNetwork({ clock, ...opts }) };
  };

  test('a miss, then hits with a growing Age; the TTL runs out on the clock; revalidation gives RefreshHit', async () => {
    const { clock, net } = network();
    const o = origin((_, cond) => (cond['if-none-match'] === '"v1"' ? { status: 304, headers: { etag: '"v1"', 'cache-control': 'max-age=60' }, body: Buffer.alloc(0) } : text('hello', { etag: '"v1"', 'cache-control': 'max-age=60' })));
    const first = await net.serve('IAD89-C1', request('/a'), o.fetch);
    assert.equal(first.result, 'Miss');
    assert.equal(first.shieldResult, 'Miss');
    clock.advance(30_000);
    const second = await net.serve('IAD89-C1', request('/a'), o.fetch);
    assert.equal(second.result, 'Hit');
    assert.equal(second.headers.age, '30');
    assert.equal(second.body.toString(), 'hello');
    assert.equal(o.calls, 1);
    clock.advance(31_000);
    const third = await net.serve('IAD89-C1', request('/a'), o.fetch);
    assert.equal(third.result, 'RefreshHit');
    assert.equal(third.body.toString(), 'hello');
    assert.equal(o.calls, 2);
    assert.deepEqual(o.conditionals[1], { 'if-none-match': '"v1"' });
    const fourth = await net.serve('IAD89-C1', request('/a'), o.fetch);
    assert.equal(fourth.result, 'Hit');
    assert.equal(o.calls, 2);
    const s = net.statsOf('E1');
    assert.equal(s.edges['IAD89-C1']!.hits, 2);
    assert.equal(s.edges['IAD89-C1']!.refreshHits, 1);
    assert.equal(s.edges['IAD89-C1']!.misses, 1);
    assert.equal(s.shield.upstreamRequests, 2);
  });

  test('a changed object after expiry replaces the cached one (Miss); Last-Modified revalidates too', async () => {
    const { clock, net } = network();
    const lm = 'Wed, 01 Jan 2025 00:00:00 GMT';
    const o = origin((n, cond) => (n === 2 && cond['if-modified-since'] === lm ? { status: 304, headers: {}, body: Buffer.alloc(0) } : text(`v${n}`, { 'last-modified': n < 3 ? lm : 'Thu, 02 Jan 2025 00:00:00 GMT', 'cache-control': 'max-age=10' })));
    await net.serve('IAD89-C1', request('/b'), o.fetch);
    clock.advance(11_000);
    assert.equal((await net.serve('IAD89-C1', request('/b'), o.fetch)).result, 'RefreshHit');
    clock.advance(11_000);
    const r = await net.serve('IAD89-C1', request('/b'), o.fetch);
    assert.equal(r.result, 'Miss');
    assert.equal(r.body.toString(), 'v3');
  });

  test('no-store answers are not cached; CachingDisabled goes to the origin every time', async () => {
    const { net } = network();
    const o = origin(() => text('x', { 'cache-control': 'no-store' }));
    await net.serve('IAD89-C1', request('/n'), o.fetch);
    assert.equal((await net.serve('IAD89-C1', request('/n'), o.fetch)).result, 'Miss');
    const p = origin(() => text('x'));
    await net.serve('IAD89-C1', request('/d', { cacheable: false }), p.fetch);
    await net.serve('IAD89-C1', request('/d', { cacheable: false }), p.fetch);
    assert.equal(o.calls + p.calls, 4);
  });

  test('Vary: each value of the named header is its own variant', async () => {
    const { net } = network();
    const o = origin((n) => text(`lang-${n}`, { vary: 'Accept-Language', 'cache-control': 'max-age=60' }));
    const en = { headers: { 'accept-language': 'en' } };
    const fr = { headers: { 'accept-language': 'fr' } };
    assert.equal((await net.serve('IAD89-C1', request('/v', en), o.fetch)).body.toString(), 'lang-1');
    assert.equal((await net.serve('IAD89-C1', request('/v', fr), o.fetch)).body.toString(), 'lang-2');
    const enAgain = await net.serve('IAD89-C1', request('/v', en), o.fetch);
    assert.equal(enAgain.result, 'Hit');
    assert.equal(enAgain.body.toString(), 'lang-1');
    assert.equal((await net.serve('IAD89-C1', request('/v', fr), o.fetch)).body.toString(), 'lang-2');
    assert.equal(o.calls, 2);
  });

  test('100 concurrent misses for one key make one origin request', async () => {
    const { net } = network();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const o = origin(async () => {
      await gate;
      return text('shared', { 'cache-control': 'max-age=60' });
    });
    const all = Promise.all(Array.from({ length: 100 }, () => net.serve('IAD89-C1', request('/c'), o.fetch)));
    await new Promise((r) => setImmediate(r));
    release();
    const replies = await all;
    assert.equal(o.calls, 1);
    assert.ok(replies.every((r) => r.body.toString() === 'shared'));
    assert.equal(replies.filter((r) => r.result === 'Miss').length, 1);
  });

  test('collapsed requests for an answer that cannot be cached each go to the origin', async () => {
    const { net } = network();
    const o = origin(async () => text('private', { 'cache-control': 'private' }));
    await Promise.all(Array.from({ length: 5 }, () => net.serve('IAD89-C1', request('/p'), o.fetch)));
    assert.equal(o.calls, 5);
  });

  test('stale-if-error: an expired object answers while the origin fails, within the window only', async () => {
    const { clock, net } = network();
    const o = origin((n) => (n === 1 ? text('good', { 'cache-control': 'max-age=10, stale-if-error=60' }) : { status: 503, headers: {}, body: Buffer.from('down') }));
    await net.serve('IAD89-C1', request('/s'), o.fetch);
    clock.advance(30_000);
    const stale = await net.serve('IAD89-C1', request('/s'), o.fetch);
    assert.equal(stale.status, 200);
    assert.equal(stale.body.toString(), 'good');
    clock.advance(60_000);
    const gone = await net.serve('IAD89-C1', request('/s'), o.fetch);
    assert.equal(gone.status, 503);
    const thrown = origin((n) => {
      if (n === 1) return text('good', { 'cache-control': 'max-age=10, stale-if-error=60' });
      throw new Error('ECONNREFUSED');
    });
    await net.serve('FRA56-P1', request('/t'), thrown.fetch);
    clock.advance(20_000);
    assert.equal((await net.serve('FRA56-P1', request('/t'), thrown.fetch)).body.toString(), 'good');
  });

  test('three edges cache independently behind one shield: a miss at a second edge is served by the shield', async () => {
    const { net } = network();
    const o = origin(() => text('tiered', { 'cache-control': 'max-age=300' }));
    const a = await net.serve('IAD89-C1', request('/t'), o.fetch);
    const b = await net.serve('FRA56-P1', request('/t'), o.fetch);
    const c = await net.serve('NRT57-P2', request('/t'), o.fetch);
    assert.deepEqual([a.result, a.shieldResult], ['Miss', 'Miss']);
    assert.deepEqual([b.result, b.shieldResult], ['Miss', 'Hit']);
    assert.deepEqual([c.result, c.shieldResult], ['Miss', 'Hit']);
    assert.equal(o.calls, 1);
    const again = await net.serve('FRA56-P1', request('/t'), o.fetch);
    assert.equal(again.result, 'Hit');
    assert.equal(again.shieldResult, undefined);
    const s = net.statsOf('E1');
    assert.equal(s.shield.hits, 2);
    assert.equal(s.shield.misses, 1);
    assert.deepEqual(Object.keys(s.edges), ['IAD89-C1', 'FRA56-P1', 'NRT57-P2']);
  });

  test('edges are picked by x-nimbus-edge, then CloudFront-Viewer-Country, then the default', () => {
    const { net } = network();
    assert.equal(net.pick({}), 'IAD89-C1');
    assert.equal(net.pick({ 'cloudfront-viewer-country': 'DE' }), 'FRA56-P1');
    assert.equal(net.pick({ 'cloudfront-viewer-country': 'jp' }), 'NRT57-P2');
    assert.equal(net.pick({ 'cloudfront-viewer-country': 'AU' }), 'NRT57-P2');
    assert.equal(net.pick({ 'cloudfront-viewer-country': 'BR' }), 'IAD89-C1');
    assert.equal(net.pick({ 'cloudfront-viewer-country': 'ZA' }), 'FRA56-P1');
    assert.equal(net.pick({ 'x-nimbus-edge': 'nrt57-p2', 'cloudfront-viewer-country': 'DE' }), 'NRT57-P2');
    assert.equal(net.pick({ 'x-nimbus-edge': 'nowhere' }), 'IAD89-C1');
  });

  test('configured edges and latencies: a hit pays the viewer leg only, a miss every leg', async () => {
    const edges = parseEdgeList('SYD1-C1:OC:5:40,GRU1-C1:SA');
    assert.deepEqual(edges, [{ name: 'SYD1-C1', continent: 'OC', viewerMs: 5, shieldMs: 40 }, { name: 'GRU1-C1', continent: 'SA' }]);
    assert.throws(() => parseEdgeList('X:MARS'), /CONTINENT/);
    assert.deepEqual(loadConfig([], { NIMBUS_CDN_EDGES: 'A1:EU', NIMBUS_CDN_ORIGIN_LATENCY: '7' }).cdnEdges, [{ name: 'A1', continent: 'EU' }]);
    const { net } = network({ edges, originMs: 10 });
    assert.equal(net.pick({ 'cloudfront-viewer-country': 'NZ' }), 'SYD1-C1');
    assert.equal(net.pick({ 'cloudfront-viewer-country': 'US' }), 'GRU1-C1');
    const o = origin(() => text('far', { 'cache-control': 'max-age=60' }));
    const t0 = performance.now();
    const miss = await net.serve('SYD1-C1', request('/l'), o.fetch);
    assert.equal(miss.simulatedMs, 55);
    assert.ok(performance.now() - t0 >= 50);
    assert.equal((await net.serve('SYD1-C1', request('/l'), o.fetch)).simulatedMs, 5);
  });

  test('invalidation with wildcards reaches every edge and the shield, and only the distribution named', async () => {
    const { net } = network();
    const o = origin((n) => text(`n${n}`, { 'cache-control': 'max-age=300' }));
    for (const p of ['/img/a.png', '/img/b.png', '/index.html', '/img2/c.png']) for (const e of ['IAD89-C1', 'FRA56-P1']) await net.serve(e, request(p), o.fetch);
    await net.serve('IAD89-C1', request('/img/a.png', { distributionId: 'E2' }), o.fetch);
    const dropped = net.invalidate('E1', ['/img/*']);
    assert.deepEqual(dropped, { 'IAD89-C1': 2, 'FRA56-P1': 2, 'NRT57-P2': 0, 'IAD-REC': 2 });
    assert.equal((await net.serve('FRA56-P1', request('/img/a.png'), o.fetch)).shieldResult, 'Miss');
    assert.equal((await net.serve('FRA56-P1', request('/img2/c.png'), o.fetch)).result, 'Hit');
    assert.equal((await net.serve('IAD89-C1', request('/img/a.png', { distributionId: 'E2' }), o.fetch)).result, 'Hit');
    assert.ok(invalidationMatcher('/*')('/anything?x=1'));
    assert.ok(!invalidationMatcher('/index.html')('/index.html?v=2'));
  });

  test('compression: Brotli preferred, then gzip, per encoding in the cache; small or binary bodies are left alone', async () => {
    const { net } = network();
    const big = 'the quick brown fox '.repeat(200);
    const o = origin(() => text(big, { etag: '"e"', 'cache-control': 'max-age=60' }));
    const enc = chooseEncoding('gzip, deflate, br', true, true);
    assert.equal(enc, 'br');
    assert.equal(chooseEncoding('gzip, br;q=0', true, true), 'gzip');
    assert.equal(chooseEncoding('br', true, false), '');
    const br = await net.serve('IAD89-C1', request('/z', { encoding: 'br' }), o.fetch);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.etag, 'W/"e"');
    assert.match(br.headers.vary!, /Accept-Encoding/);
    assert.equal(brotliDecompressSync(br.body).toString(), big);
    const gz = await net.serve('IAD89-C1', request('/z', { encoding: 'gzip' }), o.fetch);
    assert.equal(gunzipSync(gz.body).toString(), big);
    assert.equal((await net.serve('IAD89-C1', request('/z', { encoding: 'br' }), o.fetch)).result, 'Hit');
    const small = origin(() => text('tiny'));
    assert.equal((await net.serve('IAD89-C1', request('/small', { encoding: 'gzip' }), small.fetch)).headers['content-encoding'], undefined);
    const png = origin(() => ({ status: 200, headers: { 'content-type': 'image/png' }, body: Buffer.alloc(5000, 1) }));
    assert.equal((await net.serve('IAD89-C1', request('/p.png', { encoding: 'gzip' }), png.fetch)).headers['content-encoding'], undefined);
  });

  test('ranges are served from the cached object; conditional viewer requests get 304', async () => {
    const { net } = network();
    const o = origin(() => text('0123456789', { etag: '"r"', 'cache-control': 'max-age=60' }));
    const full = await net.serve('IAD89-C1', request('/r'), o.fetch);
    const part = forViewer({ method: 'GET', headers: { range: 'bytes=2-5' } }, full);
    assert.equal(part.status, 206);
    assert.equal(part.body.toString(), '2345');
    assert.equal(part.headers['content-range'], 'bytes 2-5/10');
    assert.equal(forViewer({ method: 'GET', headers: { range: 'bytes=-3' } }, full).body.toString(), '789');
    assert.equal(forViewer({ method: 'GET', headers: { range: 'bytes=20-' } }, full).status, 416);
    assert.equal(forViewer({ method: 'GET', headers: { 'if-none-match': 'W/"r"' } }, full).status, 304);
    assert.equal(forViewer({ method: 'HEAD', headers: {} }, full).body.length, 0);
    assert.deepEqual(parseRange('bytes=0-0,5-6', 10), { kind: 'none' });
    assert.equal(o.calls, 1);
  });

  test('each cache is bounded in bytes, least recently used out first; large bodies go to disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-test-'));
    dirs.push(dir);
    const { net } = network({ dir, limits: { memoryBytes: 3000, diskBytes: 50_000, memoryObjectMax: 1000 } });
    const o = origin((n) => ({ status: 200, headers: { 'cache-control': 'max-age=600' }, body: Buffer.alloc(n <= 4 ? 1000 : 20_000, n) }));
    for (const p of ['/1', '/2', '/3']) await net.serve('IAD89-C1', request(p), o.fetch);
    await net.serve('IAD89-C1', request('/1'), o.fetch); // /1 is now the most recent
    await net.serve('IAD89-C1', request('/4'), o.fetch); // evicts /2
    const occ = net.occupancy()['IAD89-C1']!;
    assert.equal(occ.memoryBytes, 3000);
    assert.equal((await net.serve('IAD89-C1', request('/1'), o.fetch)).result, 'Hit');
    assert.equal((await net.serve('IAD89-C1', request('/2'), o.fetch)).shieldResult, 'Hit');
    const bigReply = await net.serve('IAD89-C1', request('/big'), o.fetch);
    assert.equal(bigReply.body.length, 20_000);
    assert.equal(net.occupancy()['IAD89-C1']!.diskBytes, 20_000);
    const again = await net.serve('IAD89-C1', request('/big'), o.fetch);
    assert.equal(again.result, 'Hit');
    assert.ok((await bytesOf(again)).equals(bigReply.body));
    const files = readdirSync(dir, { recursive: true }).map(String);
    assert.ok(files.every((f) => /^[0-9a-f]{16}(\/[0-9a-f]{32})?$/.test(f)), files.join(','));
  });

  test('a body on disk is read only for the bytes sent: whole, a range, HEAD, 304; a shield hit from disk fills the edge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-test-'));
    dirs.push(dir);
    const { net } = network({ dir, limits: { memoryBytes: 3000, diskBytes: 100_000, memoryObjectMax: 1000 } });
    const big = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));
    const o = origin(() => ({ status: 200, headers: { 'cache-control': 'max-age=600', etag: '"big"', 'content-type': 'application/octet-stream' }, body: big }));
    await net.serve('IAD89-C1', request('/big'), o.fetch);
    const hit = await net.serve('IAD89-C1', request('/big'), o.fetch);
    assert.equal(hit.result, 'Hit');
    assert.equal(hit.body.length, 0, 'the hit holds no copy of the body');
    assert.equal(hit.file?.size, big.length);

    const whole = forViewer({ method: 'GET', headers: {} }, hit);
    assert.equal(whole.headers['content-length'], '20000');
    assert.ok((await bytesOf(whole)).equals(big));
    const part = forViewer({ method: 'GET', headers: { range: 'bytes=19990-' } }, hit);
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], 'bytes 19990-19999/20000');
    assert.equal(part.headers['content-length'], '10');
    assert.ok((await bytesOf(part)).equals(big.subarray(19_990)));
    const head = forViewer({ method: 'HEAD', headers: {} }, hit);
    assert.equal(head.stream, undefined);
    assert.equal(head.headers['content-length'], '20000');
    assert.equal(forViewer({ method: 'GET', headers: { 'if-none-match': '"big"' } }, hit).status, 304);
    assert.equal(forViewer({ method: 'GET', headers: { range: 'bytes=20000-' } }, hit).status, 416);

    // Another edge: its own miss, answered from the shield's disk tier as a stream, and kept on its disk.
    const other = await net.serve('FRA56-P1', request('/big'), o.fetch);
    assert.equal(other.result, 'Miss');
    assert.equal(other.shieldResult, 'Hit');
    assert.ok((await bytesOf(other)).equals(big));
    const otherAgain = await net.serve('FRA56-P1', request('/big'), o.fetch);
    assert.equal(otherAgain.result, 'Hit');
    assert.ok((await bytesOf(otherAgain)).equals(big));
    assert.equal(o.calls, 1);
  });

  test('a Range on a body still arriving is cut from the stream, which is still read to its end', async () => {
    const chunks = [Buffer.alloc(8, 1), Buffer.alloc(8, 2), Buffer.alloc(8, 3), Buffer.alloc(8, 4)];
    let read = 0;
    const source = Readable.from((function* () {
      for (const c of chunks) {
        read += c.length;
        yield c;
      }
    })());
    const reply = forViewer({ method: 'GET', headers: { range: 'bytes=6-17' } }, { status: 200, headers: { 'content-length': '32' }, body: Buffer.alloc(0), stream: source });
    assert.equal(reply.status, 206);
    assert.equal(reply.headers['content-range'], 'bytes 6-17/32');
    assert.equal(reply.headers['content-length'], '12');
    assert.deepEqual([...(await bytesOf(reply))], [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3]);
    await finished(source);
    assert.equal(read, 32, 'the rest of the body was read (the caches fill)');
    const beyond = forViewer({ method: 'GET', headers: { range: 'bytes=40-' } }, { status: 200, headers: { 'content-length': '32' }, body: Buffer.alloc(0), stream: Readable.from([Buffer.alloc(32)]) });
    assert.equal(beyond.status, 416);
  });

  test('an edge compresses an answer the shield gives from its disk tier', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-test-'));
    dirs.push(dir);
    const { net } = network({ dir, limits: { memoryBytes: 3000, diskBytes: 100_000, memoryObjectMax: 1000 } });
    const page = 'hello edge '.repeat(500);
    const o = origin(() => text(page, { 'cache-control': 'max-age=600' }));
    const gz = (edge: string) => net.serve(edge, request('/page', { encoding: 'gzip' }), o.fetch);
    const first = await gz('IAD89-C1');
    assert.equal(first.headers['content-encoding'], 'gzip');
    const other = await gz('FRA56-P1');
    assert.equal(other.shieldResult, 'Hit');
    assert.equal(other.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(await bytesOf(other)).toString(), page);
    assert.equal(o.calls, 1);
  });
});

describe('signed URLs and cookies', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const signText = (t: string) => cloudFrontBase64Encode(sign('RSA-SHA1', Buffer.from(t), privateKey));
  const url = 'https://d111111abcdef8.cloudfront.net/private/a.txt';
  const base = { cookie: undefined, urls: [url], sourceIp: '127.0.0.1', now: 1_800_000_000, keyFor: (id: string) => (id === 'K1' ? pem : undefined) };

  test('canned policy: valid, expired, tampered, unknown key, missing key', () => {
    const exp = 1_800_000_100;
    const q = `Expires=${exp}&Signature=${signText(cannedPolicy(url, exp))}&Key-Pair-Id=K1`;
    assert.equal(verifySignedRequest({ ...base, query: q }), undefined);
    assert.equal(verifySignedRequest({ ...base, query: q, now: exp })?.code, 'AccessDenied');
    assert.equal(verifySignedRequest({ ...base, query: q.replace(`Expires=${exp}`, `Expires=${exp + 1000}`) })?.code, 'AccessDenied');
    assert.equal(verifySignedRequest({ ...base, query: q, urls: ['https://d111111abcdef8.cloudfront.net/private/b.txt'] })?.code, 'AccessDenied');
    assert.deepEqual(verifySignedRequest({ ...base, query: q.replace('Key-Pair-Id=K1', 'Key-Pair-Id=K2') }), { code: 'InvalidKey', message: 'Unknown Key' });
    assert.deepEqual(verifySignedRequest({ ...base, query: '' }), { code: 'MissingKey', message: 'Missing Key-Pair-Id query parameter or cookie value' });
  });

  test('custom policy: wildcard resource, start time, source IP; cookies', () => {
    const policy = JSON.stringify({ Statement: [{ Resource: 'https://d111111abcdef8.cloudfront.net/private/*', Condition: { DateLessThan: { 'AWS:EpochTime': 1_800_000_100 }, DateGreaterThan: { 'AWS:EpochTime': 1_799_999_000 }, IpAddress: { 'AWS:SourceIp': '127.0.0.0/8' } } }] });
    const p = cloudFrontBase64Encode(Buffer.from(policy));
    const sig = signText(policy);
    assert.equal(verifySignedRequest({ ...base, query: `Policy=${p}&Signature=${sig}&Key-Pair-Id=K1` }), undefined);
    assert.equal(verifySignedRequest({ ...base, query: `Policy=${p}&Signature=${sig}&Key-Pair-Id=K1`, sourceIp: '10.0.0.1' })?.code, 'AccessDenied');
    assert.equal(verifySignedRequest({ ...base, query: `Policy=${p}&Signature=${sig}&Key-Pair-Id=K1`, now: 1_799_998_000 })?.code, 'AccessDenied');
    assert.equal(verifySignedRequest({ ...base, query: `Policy=${p}&Signature=${sig}&Key-Pair-Id=K1`, urls: ['https://d111111abcdef8.cloudfront.net/public/x'] })?.code, 'AccessDenied');
    const cookie = `a=b; CloudFront-Policy=${p}; CloudFront-Signature=${sig}; CloudFront-Key-Pair-Id=K1`;
    assert.equal(verifySignedRequest({ ...base, query: '', cookie }), undefined);
    assert.equal(verifySignedRequest({ ...base, query: '', cookie: cookie.replace(`CloudFront-Signature=${sig}`, `CloudFront-Signature=${sig.slice(0, -4)}AAAA`) })?.code, 'AccessDenied');
    assert.equal(verifySignedRequest({ ...base, query: `Policy=bm90IGpzb24_&Signature=${sig}&Key-Pair-Id=K1` })?.code, 'MalformedPolicy');
  });
});
