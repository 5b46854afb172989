/**
 * CloudFront's alternate domain names (Aliases) on the data plane, and Set-Cookie from the
 * origin as CloudFront passes and caches it per the behavior's cookie forwarding.
 */
import { CreateCachePolicyCommand, CreateOriginRequestPolicyCommand, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createDistribution, customOrigin, startEdge, startOrigin, type EdgeNimbus, type TestOrigin } from './edge-helpers.js';

const CERT = { ACMCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/abc', SSLSupportMethod: 'sni-only' as const };

/** A viewer request with the Host header given (fetch cannot set Host). */
function viewAs(endpoint: string, host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${endpoint}${path}`, { headers: { ...headers, host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('CloudFront data plane: alternate domain names and Set-Cookie', () => {
  let n: EdgeNimbus;
  let origin: TestOrigin;
  let port: string;

  before(async () => {
    n = await startEdge();
    port = new URL(n.t.endpoint).port;
    // Answers which distribution origin it is (by path prefix) and, under /cookie, two cookies.
    origin = await startOrigin((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      res.setHeader('cache-control', 'max-age=300');
      if (path.endsWith('/cookie')) res.setHeader('set-cookie', ['session=s1; Path=/; HttpOnly', 'theme=dark; Path=/']);
      if (path.endsWith('/nocache-cookie')) {
        res.setHeader('cache-control', 'max-age=300, no-cache="Set-Cookie"');
        res.setHeader('set-cookie', ['session=s2; Path=/']);
      }
      res.end(`origin ${path} cookie=${req.headers.cookie ?? ''}`);
    });
  });
  after(async () => {
    await origin.close();
    await n.stop();
  });

  test('a request whose Host is an alias reaches its distribution: exact aliases, then a wildcard covering one label', async () => {
    const exact = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/exact')] }, Aliases: { Quantity: 1, Items: ['www.shop.test'] }, ViewerCertificate: CERT });
    const wild = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/wild')] }, Aliases: { Quantity: 1, Items: ['*.shop.test'] }, ViewerCertificate: CERT });

    const a = await viewAs(n.t.endpoint, `WWW.Shop.Test:${port}`, '/page');
    assert.equal(a.status, 200);
    assert.equal(a.body, 'origin /exact/page cookie=');
    assert.equal(a.headers['x-cache'], 'Miss from cloudfront');
    assert.equal((await viewAs(n.t.endpoint, 'www.shop.test', '/page')).headers['x-cache'], 'Hit from cloudfront');

    const b = await viewAs(n.t.endpoint, `img.shop.test:${port}`, '/page');
    assert.equal(b.body, 'origin /wild/page cookie=');
    // One label only, and not the bare domain.
    for (const host of ['a.b.shop.test', 'shop.test']) {
      const r = await viewAs(n.t.endpoint, host, '/page');
      assert.equal(r.headers['x-cache'], undefined, `${host} is nobody's alias`);
    }
    assert.notEqual(exact.id, wild.id);
  });

  test('an alias taken off a distribution stops routing to it, and another distribution may then take it', async () => {
    const d = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/first')] }, Aliases: { Quantity: 1, Items: ['moving.example.test'] }, ViewerCertificate: CERT });
    assert.equal((await viewAs(n.t.endpoint, 'moving.example.test', '/x')).body, 'origin /first/x cookie=');
    const taken = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/second')] }, Aliases: { Quantity: 1, Items: ['moving.example.test'] }, ViewerCertificate: CERT }).then(
      () => 'created',
      (e: Error) => e.name,
    );
    assert.equal(taken, 'CNAMEAlreadyExists');

    const cfg = await n.cf.send(new GetDistributionConfigCommand({ Id: d.id }));
    await n.cf.send(new UpdateDistributionCommand({ Id: d.id, IfMatch: cfg.ETag, DistributionConfig: { ...cfg.DistributionConfig!, Aliases: { Quantity: 0, Items: [] } } }));
    assert.equal((await viewAs(n.t.endpoint, 'moving.example.test', '/x')).headers['x-cache'], undefined);

    await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/second')] }, Aliases: { Quantity: 1, Items: ['moving.example.test'] }, ViewerCertificate: CERT });
    assert.equal((await viewAs(n.t.endpoint, 'moving.example.test', '/x')).body, 'origin /second/x cookie=');
  });

  test('aliases never take Nimbus\'s own hosts or the plain API', async () => {
    await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] }, Aliases: { Quantity: 1, Items: ['api.nimbus.test'] }, ViewerCertificate: CERT });
    // The API on 127.0.0.1 still answers as the API (an unsigned request is refused by SigV4, not served by the edge).
    const api = await viewAs(n.t.endpoint, `127.0.0.1:${port}`, '/');
    assert.equal(api.headers['x-cache'], undefined);
  });

  test('Set-Cookie with cookies not forwarded: removed from the answer, never cached', async () => {
    const d = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/none')] } });
    const first = await viewAs(n.t.endpoint, `${d.id.toLowerCase()}.cloudfront.localhost`, '/cookie', { cookie: 'session=old' });
    assert.equal(first.headers['x-cache'], 'Miss from cloudfront');
    assert.equal(first.headers['set-cookie'], undefined);
    assert.equal(first.body, 'origin /none/cookie cookie=');
    const second = await viewAs(n.t.endpoint, `${d.id.toLowerCase()}.cloudfront.localhost`, '/cookie');
    assert.equal(second.headers['x-cache'], 'Hit from cloudfront');
    assert.equal(second.headers['set-cookie'], undefined);
  });

  test('Set-Cookie with a cookie list: the miss passes every cookie, the cache keeps only the listed ones', async () => {
    const policy = await n.cf.send(
      new CreateCachePolicyCommand({
        CachePolicyConfig: {
          Name: 'by-session',
          MinTTL: 0,
          DefaultTTL: 300,
          MaxTTL: 3600,
          ParametersInCacheKeyAndForwardedToOrigin: {
            EnableAcceptEncodingGzip: false,
            QueryStringsConfig: { QueryStringBehavior: 'none' },
            HeadersConfig: { HeaderBehavior: 'none' },
            CookiesConfig: { CookieBehavior: 'whitelist', Cookies: { Quantity: 1, Items: ['session'] } },
          },
        },
      }),
    );
    const d = await createDistribution(n.cf, {
      Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/list')] },
      DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all', CachePolicyId: policy.CachePolicy!.Id!, Compress: false },
    });
    const host = `${d.id.toLowerCase()}.cloudfront.localhost`;
    const first = await viewAs(n.t.endpoint, host, '/cookie', { cookie: 'theme=light; session=abc' });
    assert.equal(first.headers['x-cache'], 'Miss from cloudfront');
    assert.deepEqual(first.headers['set-cookie'], ['session=s1; Path=/; HttpOnly', 'theme=dark; Path=/']);
    assert.equal(first.body, 'origin /list/cookie cookie=session=abc');
    const hit = await viewAs(n.t.endpoint, host, '/cookie', { cookie: 'session=abc' });
    assert.equal(hit.headers['x-cache'], 'Hit from cloudfront');
    assert.deepEqual(hit.headers['set-cookie'], ['session=s1; Path=/; HttpOnly']);
    // no-cache="Set-Cookie": the answer is cached, its cookies are not.
    const fresh = await viewAs(n.t.endpoint, host, '/nocache-cookie', { cookie: 'session=abc' });
    assert.deepEqual(fresh.headers['set-cookie'], ['session=s2; Path=/']);
    const again = await viewAs(n.t.endpoint, host, '/nocache-cookie', { cookie: 'session=abc' });
    assert.equal(again.headers['x-cache'], 'Hit from cloudfront');
    assert.equal(again.headers['set-cookie'], undefined);
  });

  test('Set-Cookie with all cookies forwarded by an origin request policy: cached are the cookies the viewer sent', async () => {
    const orp = await n.cf.send(
      new CreateOriginRequestPolicyCommand({
        OriginRequestPolicyConfig: { Name: 'all-cookies', HeadersConfig: { HeaderBehavior: 'none' }, QueryStringsConfig: { QueryStringBehavior: 'none' }, CookiesConfig: { CookieBehavior: 'all' } },
      }),
    );
    const d = await createDistribution(n.cf, {
      Origins: { Quantity: 1, Items: [customOrigin('web', origin.port, '/all')] },
      DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', OriginRequestPolicyId: orp.OriginRequestPolicy!.Id!, Compress: false },
    });
    const host = `${d.id.toLowerCase()}.cloudfront.localhost`;
    const first = await viewAs(n.t.endpoint, host, '/cookie', { cookie: 'theme=light' });
    assert.deepEqual(first.headers['set-cookie'], ['session=s1; Path=/; HttpOnly', 'theme=dark; Path=/']);
    assert.equal(first.body, 'origin /all/cookie cookie=theme=light');
    const hit = await viewAs(n.t.endpoint, host, '/cookie');
    assert.equal(hit.headers['x-cache'], 'Hit from cloudfront');
    assert.deepEqual(hit.headers['set-cookie'], ['theme=dark; Path=/']);
  });
});
