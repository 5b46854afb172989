/**
 * The CloudFront data plane end to end: distributions made with the real CloudFront SDK client,
 * viewers as `fetch` (or node:http where the wire matters), origins in Nimbus (S3 behind origin
 * access control, an API Gateway stage) or a loopback HTTP server the test writes. Time moves
 * on the ManualClock.
 */
import { CreateInvalidationCommand, CreateKeyGroupCommand, CreateOriginAccessControlCommand, CreatePublicKeyCommand, CreateCachePolicyCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CreateDeploymentCommand, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand } from '@aws-sdk/client-api-gateway';
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { apigwClient } from '../apigateway/v1-helpers.js';
import { TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { CACHING_DISABLED, createDistribution, customOrigin, startEdge, startOrigin, view, type EdgeNimbus, type TestOrigin } from './edge-helpers.js';

const b64 = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');

describe('CloudFront data plane', () => {
  let n: EdgeNimbus;
  let origin: TestOrigin;
  let version = 1;
  let release: (() => void) | undefined;
  let gate: Promise<void> = Promise.resolve();

  before(async () => {
    n = await startEdge();
    origin = await startOrigin(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/ttl') {
        const etag = `"v${version}"`;
        res.setHeader('cache-control', 'max-age=60');
        res.setHeader('etag', etag);
        if (req.headers['if-none-match'] === etag) {
          res.statusCode = 304;
          return void res.end();
        }
        return void res.end(`version ${version}`);
      }
      if (path === '/vary') {
        res.setHeader('vary', 'Accept-Language');
        res.setHeader('cache-control', 'max-age=300');
        return void res.end(`lang=${req.headers['accept-language'] ?? ''}`);
      }
      if (path === '/text.txt') {
        res.setHeader('content-type', 'text/plain');
        res.setHeader('cache-control', 'max-age=300');
        return void res.end('abcdefghijklmnopqrstuvwxyz'.repeat(100));
      }
      if (path === '/slow') {
        await gate;
        res.setHeader('cache-control', 'max-age=300');
        return void res.end('collapsed');
      }
      if (path.startsWith('/primary/')) {
        res.statusCode = 503;
        return void res.end('primary down');
      }
      if (path.startsWith('/secondary/')) return void res.end(`from secondary ${path}`);
      if (path === '/missing') {
        res.statusCode = 404;
        return void res.end('no such thing');
      }
      res.setHeader('cache-control', 'max-age=300');
      res.end(`origin ${path}`);
    });
  });
  after(async () => {
    await origin.close();
    await n.stop();
  });

  const plain = () => createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] } });

  test('an API Gateway stage origin with a cache policy keyed on one query string', async () => {
    const apigw = apigwClient(n.t.endpoint);
    const api = await apigw.send(new CreateRestApiCommand({ name: 'cdn-origin' }));
    const base = { restApiId: api.id!, resourceId: api.rootResourceId!, httpMethod: 'GET' };
    await apigw.send(new PutMethodCommand({ ...base, authorizationType: 'NONE', requestParameters: { 'method.request.querystring.q': false } }));
    await apigw.send(new PutIntegrationCommand({ ...base, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await apigw.send(new PutMethodResponseCommand({ ...base, statusCode: '200' }));
    await apigw.send(new PutIntegrationResponseCommand({ ...base, statusCode: '200', responseTemplates: { 'application/json': `{"q": "$input.params('q')", "other": "$input.params('other')"}` } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: 'prod' }));
    const policy = await n.cf.send(
      new CreateCachePolicyCommand({
        CachePolicyConfig: {
          Name: 'by-q',
          MinTTL: 0,
          DefaultTTL: 60,
          MaxTTL: 300,
          ParametersInCacheKeyAndForwardedToOrigin: {
            EnableAcceptEncodingGzip: false,
            HeadersConfig: { HeaderBehavior: 'none' },
            CookiesConfig: { CookieBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: { Quantity: 1, Items: ['q'] } },
          },
        },
      }),
    );
    const dist = await createDistribution(n.cf, {
      Origins: { Quantity: 1, Items: [{ Id: 'api', DomainName: `${api.id}.execute-api.us-east-1.amazonaws.com`, OriginPath: '/prod', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }] },
      DefaultCacheBehavior: { TargetOriginId: 'api', ViewerProtocolPolicy: 'allow-all', CachePolicyId: policy.CachePolicy!.Id! },
    });
    const a = await view(n.t, dist.id, '/?q=1&other=x');
    assert.equal(a.status, 200, a.body);
    assert.deepEqual(JSON.parse(a.body), { q: '1', other: '' });
    assert.equal(a.headers.get('x-cache'), 'Miss from cloudfront');
    const b = await view(n.t, dist.id, '/?q=1&other=y');
    assert.equal(b.headers.get('x-cache'), 'Hit from cloudfront');
    const c = await view(n.t, dist.id, '/?q=2');
    assert.equal(c.headers.get('x-cache'), 'Miss from cloudfront');
    assert.deepEqual(JSON.parse(c.body), { q: '2', other: '' });
  });

  test('TTL expiry and revalidation on the injected clock: Hit with Age, then RefreshHit on a 304, then Miss on a change', async () => {
    const dist = await plain();
    version = 1;
    const first = await view(n.t, dist.id, '/ttl');
    assert.equal(first.body, 'version 1');
    n.t.clock.advance(30_000);
    const hit = await view(n.t, dist.id, '/ttl');
    assert.equal(hit.headers.get('x-cache'), 'Hit from cloudfront');
    assert.equal(hit.headers.get('age'), '30');
    n.t.clock.advance(31_000);
    const refreshed = await view(n.t, dist.id, '/ttl');
    assert.equal(refreshed.headers.get('x-cache'), 'RefreshHit from cloudfront');
    assert.equal(refreshed.body, 'version 1');
    assert.equal(origin.requests.at(-1)!.headers['if-none-match'], '"v1"');
    version = 2;
    n.t.clock.advance(61_000);
    const changed = await view(n.t, dist.id, '/ttl');
    assert.equal(changed.headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(changed.body, 'version 2');
  });

  test('Vary: the origin varies on Accept-Language and each language is cached on its own', async () => {
    const dist = await plain();
    assert.equal((await view(n.t, dist.id, '/vary', { headers: { 'accept-language': 'en' } })).body, 'lang=');
    // CachingOptimized forwards no headers: the origin sees none, so both variants are the same answer stored twice.
    const fr = await view(n.t, dist.id, '/vary', { headers: { 'accept-language': 'fr' } });
    assert.equal(fr.headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal((await view(n.t, dist.id, '/vary', { headers: { 'accept-language': 'en' } })).headers.get('x-cache'), 'Hit from cloudfront');
    assert.equal((await view(n.t, dist.id, '/vary', { headers: { 'accept-language': 'fr' } })).headers.get('x-cache'), 'Hit from cloudfront');
    assert.equal(origin.count('/vary'), 2);
  });

  test('a range of a cached object is served from the cache', async () => {
    const dist = await plain();
    const full = await view(n.t, dist.id, '/text.txt', { headers: { 'accept-encoding': 'identity' } });
    assert.equal(full.bytes.length, 2600);
    const part = await view(n.t, dist.id, '/text.txt', { headers: { range: 'bytes=26-51', 'accept-encoding': 'identity' } });
    assert.equal(part.status, 206);
    assert.equal(part.body, 'abcdefghijklmnopqrstuvwxyz');
    assert.equal(part.headers.get('content-range'), 'bytes 26-51/2600');
    assert.equal(part.headers.get('x-cache'), 'Hit from cloudfront');
    assert.equal((await view(n.t, dist.id, '/text.txt', { headers: { range: 'bytes=9999-', 'accept-encoding': 'identity' } })).status, 416);
    assert.equal(origin.count('/text.txt'), 1);
  });

  test('compression: Brotli or gzip by Accept-Encoding, each cached', async () => {
    const dist = await plain();
    const get = (ae: string) =>
      new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const u = new URL(`${n.t.endpoint}/_nimbus/cloudfront/${dist.id}/text.txt`);
        request(u, { headers: { 'accept-encoding': ae } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    const br = await get('gzip, deflate, br');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.body).toString(), 'abcdefghijklmnopqrstuvwxyz'.repeat(100));
    const gz = await get('gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString().length, 2600);
    assert.equal((await get('gzip')).headers['x-cache'], 'Hit from cloudfront');
    assert.equal((await get('identity')).headers['content-encoding'], undefined);
  });

  test('collapsing: 100 concurrent misses for one object make one origin request', async () => {
    const dist = await plain();
    gate = new Promise<void>((r) => (release = r));
    const all = Promise.all(Array.from({ length: 100 }, () => view(n.t, dist.id, '/slow')));
    while (origin.count('/slow') === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    release!();
    const replies = await all;
    assert.equal(origin.count('/slow'), 1);
    assert.ok(replies.every((r) => r.status === 200 && r.body === 'collapsed'));
  });

  test('origin failover: the group tries its second origin on the first one\'s 503', async () => {
    const dist = await createDistribution(n.cf, {
      Origins: { Quantity: 2, Items: [customOrigin('primary', origin.port, '/primary'), customOrigin('secondary', origin.port, '/secondary')] },
      OriginGroups: { Quantity: 1, Items: [{ Id: 'group', FailoverCriteria: { StatusCodes: { Quantity: 2, Items: [500, 503] } }, Members: { Quantity: 2, Items: [{ OriginId: 'primary' }, { OriginId: 'secondary' }] } }] },
      DefaultCacheBehavior: { TargetOriginId: 'group', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_DISABLED },
    });
    const r = await view(n.t, dist.id, '/page');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'from secondary /secondary/page');
    assert.equal(origin.count('/primary/page'), 1);
  });

  test('three edges cache independently behind one shield: a miss at a second edge is served by the shield', async () => {
    const dist = await plain();
    const at = (headers: Record<string, string>) => view(n.t, dist.id, '/tiered.js', { headers });
    const iad = await at({});
    const fra = await at({ 'cloudfront-viewer-country': 'DE' });
    const nrt = await at({ 'x-nimbus-edge': 'NRT57-P2' });
    assert.deepEqual([iad.headers.get('x-amz-cf-pop'), fra.headers.get('x-amz-cf-pop'), nrt.headers.get('x-amz-cf-pop')], ['IAD89-C1', 'FRA56-P1', 'NRT57-P2']);
    assert.deepEqual([iad, fra, nrt].map((r) => r.headers.get('x-cache')), ['Miss from cloudfront', 'Miss from cloudfront', 'Miss from cloudfront']);
    assert.deepEqual([iad, fra, nrt].map((r) => r.headers.get('x-nimbus-shield-cache')), ['Miss from cloudfront', 'Hit from cloudfront', 'Hit from cloudfront']);
    assert.equal(origin.count('/tiered.js'), 1);
    assert.equal((await at({ 'cloudfront-viewer-country': 'FR' })).headers.get('x-cache'), 'Hit from cloudfront');
    // Statistics, signed by the distribution's account.
    const signer = new SignatureV4({ service: 'cloudfront', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS });
    const u = new URL(`${n.t.endpoint}/_nimbus/cloudfront-stats/${dist.id}`);
    const signed = await signer.sign(new HttpRequest({ method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: u.pathname, headers: { host: u.host } }));
    const stats = (await (await fetch(u, { headers: signed.headers as Record<string, string> })).json()) as Record<string, any>;
    assert.equal(stats.requests, 4);
    assert.equal(stats.hits, 1);
    assert.equal(stats.misses, 3);
    assert.equal(stats.originRequests, 1);
    assert.equal(stats.shield.hits, 2);
    assert.equal(stats.edges['FRA56-P1'].hits, 1);
    assert.equal((await fetch(u)).status, 403);
  });

  test('geo restriction answers 403; custom error responses; the DomainName Host header reaches the distribution', async () => {
    const dist = await createDistribution(n.cf, {
      Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] },
      Restrictions: { GeoRestriction: { RestrictionType: 'blacklist', Quantity: 1, Items: ['KP'] } },
      CustomErrorResponses: { Quantity: 1, Items: [{ ErrorCode: 404, ResponsePagePath: '/errors/404.html', ResponseCode: '200', ErrorCachingMinTTL: 30 }] },
    });
    const blocked = await view(n.t, dist.id, '/x', { headers: { 'cloudfront-viewer-country': 'KP' } });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.headers.get('x-cache'), 'Error from cloudfront');
    const missing = await view(n.t, dist.id, '/missing');
    assert.equal(missing.status, 200);
    assert.equal(missing.body, 'origin /errors/404.html');
    const viaHost = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(n.t.endpoint);
      request({ hostname: u.hostname, port: u.port, path: '/hello', headers: { host: `${dist.domainName}:${u.port}` } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
        .on('error', reject)
        .end();
    });
    assert.deepEqual(viaHost, { status: 200, body: 'origin /hello' });
  });
});
