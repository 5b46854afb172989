/**
 * The CloudFront data plane end to end, its origins and access: a private S3 bucket behind
 * origin access control, invalidations across the edges and the shield, signed URLs and
 * cookies. Distributions are made with the real CloudFront SDK client; viewers are `fetch`.
 * (edge-data-plane.test.ts covers caching itself and the API Gateway origin.)
 */
import { CreateInvalidationCommand, CreateKeyGroupCommand, CreateOriginAccessControlCommand, CreatePublicKeyCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CACHING_DISABLED, createDistribution, customOrigin, startEdge, startOrigin, view, type EdgeNimbus, type TestOrigin } from './edge-helpers.js';

const b64 = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');

describe('CloudFront data plane: S3 behind OAC, invalidations, signed requests', () => {
  let n: EdgeNimbus;
  let origin: TestOrigin;

  before(async () => {
    n = await startEdge();
    // Every path answers its own name, cacheable for 5 minutes.
    origin = await startOrigin(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      res.setHeader('cache-control', 'max-age=300');
      res.end(`origin ${path}`);
    });
  });
  after(async () => {
    await origin.close();
    await n.stop();
  });

  const plain = () => createDistribution(n.cf, { Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] } });

  test('a private S3 bucket behind origin access control: anonymous access refused, the distribution allowed, another distribution refused', async () => {
    await n.s3.send(new CreateBucketCommand({ Bucket: 'private-site' }));
    await n.s3.send(new PutObjectCommand({ Bucket: 'private-site', Key: 'index.html', Body: '<h1>hello</h1>', ContentType: 'text/html' }));
    const oac = await n.cf.send(new CreateOriginAccessControlCommand({ OriginAccessControlConfig: { Name: 'site-oac', SigningProtocol: 'sigv4', SigningBehavior: 'always', OriginAccessControlOriginType: 's3' } }));
    const s3Origin = { Id: 's3', DomainName: 'private-site.s3.us-east-1.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' }, OriginAccessControlId: oac.OriginAccessControl!.Id! };
    const dist = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [s3Origin] }, DefaultRootObject: 'index.html' });
    const other = await createDistribution(n.cf, { Origins: { Quantity: 1, Items: [s3Origin] } });
    await n.s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'private-site',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::private-site/*', Condition: { StringEquals: { 'AWS:SourceArn': dist.arn } } }],
        }),
      }),
    );
    assert.equal((await fetch(`${n.t.endpoint}/private-site/index.html`)).status, 403);
    const first = await view(n.t, dist.id, '/');
    assert.equal(first.status, 200, first.body);
    assert.equal(first.body, '<h1>hello</h1>');
    assert.equal(first.headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(first.headers.get('x-amz-cf-pop'), 'IAD89-C1');
    assert.match(first.headers.get('via')!, /^1\.1 [a-z0-9]+\.cloudfront\.net \(CloudFront\)$/);
    assert.equal(first.headers.get('x-amz-cf-id')!.length, 56);
    const second = await view(n.t, dist.id, '/index.html');
    assert.equal(second.headers.get('x-cache'), 'Hit from cloudfront');
    const refused = await view(n.t, other.id, '/index.html');
    assert.equal(refused.status, 403);
    assert.match(refused.body, /AccessDenied/);
  });

  test('invalidation with a wildcard reaches every edge and the shield before it is Completed', async () => {
    const dist = await plain();
    for (const edge of ['IAD89-C1', 'FRA56-P1']) for (const p of ['/img/a.png', '/img/b.png', '/keep.css']) await view(n.t, dist.id, p, { headers: { 'x-nimbus-edge': edge } });
    const before = origin.count('/img/a.png');
    const inv = await n.cf.send(new CreateInvalidationCommand({ DistributionId: dist.id, InvalidationBatch: { CallerReference: 'inv-1', Paths: { Quantity: 1, Items: ['/img/*'] } } }));
    // Answered InProgress; Completed once every edge and the shield dropped the objects (a store write later).
    let status = inv.Invalidation!.Status;
    for (let i = 0; i < 100 && status !== 'Completed'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      status = (await n.cf.send(new GetInvalidationCommand({ DistributionId: dist.id, Id: inv.Invalidation!.Id! }))).Invalidation!.Status;
    }
    assert.equal(status, 'Completed');
    const a = await view(n.t, dist.id, '/img/a.png', { headers: { 'x-nimbus-edge': 'FRA56-P1' } });
    assert.equal(a.headers.get('x-cache'), 'Miss from cloudfront');
    assert.equal(a.headers.get('x-nimbus-shield-cache'), 'Miss from cloudfront');
    assert.equal(origin.count('/img/a.png'), before + 1);
    assert.equal((await view(n.t, dist.id, '/keep.css', { headers: { 'x-nimbus-edge': 'FRA56-P1' } })).headers.get('x-cache'), 'Hit from cloudfront');
  });

  test('signed URLs and cookies: valid, expired, tampered, unsigned', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pk = await n.cf.send(new CreatePublicKeyCommand({ PublicKeyConfig: { CallerReference: 'pk-1', Name: 'signer', EncodedKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() } }));
    const kg = await n.cf.send(new CreateKeyGroupCommand({ KeyGroupConfig: { Name: 'signers', Items: [pk.PublicKey!.Id!] } }));
    const dist = await createDistribution(n.cf, {
      Origins: { Quantity: 1, Items: [customOrigin('web', origin.port)] },
      DefaultCacheBehavior: { TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all', CachePolicyId: CACHING_DISABLED, TrustedKeyGroups: { Enabled: true, Quantity: 1, Items: [kg.KeyGroup!.Id!] } },
    });
    const keyId = pk.PublicKey!.Id!;
    const url = `https://${dist.domainName}/private.txt`;
    const now = Math.floor(n.t.clock.now() / 1000);
    const canned = (u: string, exp: number) => `{"Statement":[{"Resource":"${u}","Condition":{"DateLessThan":{"AWS:EpochTime":${exp}}}}]}`;
    const sig = (text: string) => b64(sign('RSA-SHA1', Buffer.from(text), privateKey));
    const exp = now + 300;
    const q = `Expires=${exp}&Signature=${sig(canned(url, exp))}&Key-Pair-Id=${keyId}`;
    const ok = await view(n.t, dist.id, `/private.txt?${q}`);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(origin.requests.at(-1)!.url, '/private.txt');
    const unsigned = await view(n.t, dist.id, '/private.txt');
    assert.equal(unsigned.status, 403);
    assert.match(unsigned.body, /<Code>MissingKey<\/Code>/);
    const tampered = await view(n.t, dist.id, `/private.txt?${q.replace(`Expires=${exp}`, `Expires=${exp + 3600}`)}`);
    assert.equal(tampered.status, 403);
    assert.match(tampered.body, /<Code>AccessDenied<\/Code>/);
    n.t.clock.advance(301_000);
    assert.equal((await view(n.t, dist.id, `/private.txt?${q}`)).status, 403);
    const later = Math.floor(n.t.clock.now() / 1000);
    const policy = JSON.stringify({ Statement: [{ Resource: `https://${dist.domainName}/*`, Condition: { DateLessThan: { 'AWS:EpochTime': later + 60 } } }] });
    const cookie = `CloudFront-Policy=${b64(Buffer.from(policy))}; CloudFront-Signature=${sig(policy)}; CloudFront-Key-Pair-Id=${keyId}`;
    assert.equal((await view(n.t, dist.id, '/private.txt', { headers: { cookie } })).status, 200);
    assert.equal((await view(n.t, dist.id, '/private.txt', { headers: { cookie: cookie.replace('CloudFront-Signature=', 'CloudFront-Signature=AAAA') } })).status, 403);
    n.t.clock.advance(61_000);
    assert.equal((await view(n.t, dist.id, '/private.txt', { headers: { cookie } })).status, 403);
  });
});
