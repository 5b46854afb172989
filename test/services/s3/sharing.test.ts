/**
 * Sharing: bucket policies (principals, actions, resources, conditions), canned ACLs, the
 * public access block, anonymous requests as a browser makes them, presigned URLs, and
 * virtual-hosted-style addressing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DeleteBucketCorsCommand,
  DeleteBucketPolicyCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectAclCommand,
  PutObjectAclCommand,
  GetObjectCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { createOpenBucket } from '../../helpers/s3.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret' };
const OTHER_ACCOUNT = '111111111111';

function s3(t: TestNimbus, opts: { credentials?: typeof TEST_CREDENTIALS; endpoint?: string; pathStyle?: boolean } = {}): S3Client {
  return new S3Client({
    endpoint: opts.endpoint ?? t.endpoint,
    region: 'us-east-1',
    credentials: opts.credentials ?? TEST_CREDENTIALS,
    forcePathStyle: opts.pathStyle ?? true,
    maxAttempts: 1,
    ...(t.clock ? { systemClockOffset: t.clock.now() - Date.now() } : {}),
  });
}

async function withShared(fn: (t: TestNimbus, owner: S3Client) => Promise<void>): Promise<void> {
  const t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] });
  const owner = s3(t);
  try {
    // ACLs enabled (ObjectWriter) and no public access block, as buckets made before April 2023 have them.
    await createOpenBucket(owner, { Bucket: 'site', ObjectOwnership: 'ObjectWriter' });
    await owner.send(new PutObjectCommand({ Bucket: 'site', Key: 'index.html', Body: '<h1>hi</h1>', ContentType: 'text/html' }));
    await owner.send(new PutObjectCommand({ Bucket: 'site', Key: 'private/secret.txt', Body: 'secret' }));
    await fn(t, owner);
  } finally {
    owner.destroy();
    await t.stop();
  }
}

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const publicRead = (prefix = '') => ({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::site/${prefix}*` });

describe('S3 sharing', () => {
  test('everything is private by default; a bucket policy opens reads to anonymous browsers', () =>
    withShared(async (t, owner) => {
      const anon = await fetch(`${t.endpoint}/site/index.html`);
      assert.equal(anon.status, 403);
      assert.match(await anon.text(), /<Code>AccessDenied<\/Code>/);
      await owner.send(new PutBucketPolicyCommand({ Bucket: 'site', Policy: policy([publicRead()]) }));
      const allowed = await fetch(`${t.endpoint}/site/index.html`);
      assert.equal(allowed.status, 200);
      assert.equal(await allowed.text(), '<h1>hi</h1>');
      assert.equal(allowed.headers.get('content-type'), 'text/html');
      // The policy grants GetObject only: anonymous writes and listings stay refused.
      assert.equal((await fetch(`${t.endpoint}/site/new.txt`, { method: 'PUT', body: 'x' })).status, 403);
      assert.equal((await fetch(`${t.endpoint}/site?list-type=2`)).status, 403);
      // A bucket that does not exist is not claimed for anonymous requests.
      assert.notEqual((await fetch(`${t.endpoint}/no-such-bucket/x`)).status, 200);
      const status = await owner.send(new GetBucketPolicyStatusCommand({ Bucket: 'site' }));
      assert.equal(status.PolicyStatus?.IsPublic, true);
      const got = await owner.send(new GetBucketPolicyCommand({ Bucket: 'site' }));
      assert.deepEqual(JSON.parse(got.Policy!).Statement[0].Action, 's3:GetObject');
      await owner.send(new DeleteBucketPolicyCommand({ Bucket: 'site' }));
      assert.equal((await fetch(`${t.endpoint}/site/index.html`)).status, 403);
      await rejectsWith(owner.send(new GetBucketPolicyCommand({ Bucket: 'site' })), 'NoSuchBucketPolicy', 'The bucket policy does not exist');
    }));

  test('conditions, explicit denies and other accounts', () =>
    withShared(async (t, owner) => {
      await owner.send(
        new PutBucketPolicyCommand({
          Bucket: 'site',
          Policy: policy([
            { ...publicRead(), Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::site', Condition: { StringLike: { 's3:prefix': 'public/*' } } },
            { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::site/private/*' },
          ]),
        }),
      );
      assert.equal((await fetch(`${t.endpoint}/site/index.html`)).status, 200, 'allowed from 127.0.0.1');
      // An explicit Deny wins even over the owner.
      await rejectsWith(owner.send(new GetObjectCommand({ Bucket: 'site', Key: 'private/secret.txt' })), 'AccessDenied');
      const other = s3(t, { credentials: OTHER });
      const listed = await fetch(`${t.endpoint}/site?list-type=2&prefix=public/`);
      assert.equal(listed.status, 403, 'anonymous may not list');
      const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      const ok = await other.send(new ListObjectsV2Command({ Bucket: 'site', Prefix: 'public/' }));
      assert.equal(ok.KeyCount, 0);
      await rejectsWith(other.send(new ListObjectsV2Command({ Bucket: 'site', Prefix: 'private/' })), 'AccessDenied');
      await rejectsWith(other.send(new PutObjectCommand({ Bucket: 'site', Key: 'x', Body: 'x' })), 'AccessDenied');
      await rejectsWith(
        owner.send(new PutBucketPolicyCommand({ Bucket: 'site', Policy: policy([{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' }]) })),
        'MalformedPolicy',
        'Policy has invalid resource',
      );
      await rejectsWith(owner.send(new PutBucketPolicyCommand({ Bucket: 'site', Policy: 'not json' })), 'MalformedPolicy');
      other.destroy();
    }));

  test('canned ACLs and the public access block', () =>
    withShared(async (t, owner) => {
      await owner.send(new PutBucketAclCommand({ Bucket: 'site', ACL: 'public-read' }));
      const acl = await owner.send(new GetBucketAclCommand({ Bucket: 'site' }));
      assert.ok(acl.Grants?.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ'));
      // A public-read bucket lets anyone list it; its objects stay private (their own ACLs decide).
      assert.equal((await fetch(`${t.endpoint}/site/index.html`)).status, 403);
      assert.equal((await fetch(`${t.endpoint}/site?list-type=2`)).status, 200);
      // Who may list the bucket may learn a key is missing: 404, not 403 (GET and HEAD).
      const missing = await fetch(`${t.endpoint}/site/no-such-key`);
      assert.equal(missing.status, 404);
      assert.match(await missing.text(), /<Code>NoSuchKey<\/Code>/);
      assert.equal((await fetch(`${t.endpoint}/site/no-such-key`, { method: 'HEAD' })).status, 404);
      await owner.send(new PutPublicAccessBlockCommand({ Bucket: 'site', PublicAccessBlockConfiguration: { IgnorePublicAcls: true, BlockPublicPolicy: true, BlockPublicAcls: true, RestrictPublicBuckets: true } }));
      assert.equal((await fetch(`${t.endpoint}/site?list-type=2`)).status, 403, 'public ACLs are ignored');
      await rejectsWith(owner.send(new PutBucketPolicyCommand({ Bucket: 'site', Policy: policy([publicRead()]) })), 'AccessDenied');
      await rejectsWith(owner.send(new PutBucketAclCommand({ Bucket: 'site', ACL: 'public-read-write' })), 'AccessDenied');
    }));

  test('object canned ACLs: a public-read object in a private bucket', () =>
    withShared(async (t, owner) => {
      assert.equal((await fetch(`${t.endpoint}/site/index.html`)).status, 403);
      await owner.send(new PutObjectAclCommand({ Bucket: 'site', Key: 'index.html', ACL: 'public-read' }));
      const acl = await owner.send(new GetObjectAclCommand({ Bucket: 'site', Key: 'index.html' }));
      assert.ok(acl.Grants?.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ'));
      assert.equal((await fetch(`${t.endpoint}/site/index.html`)).status, 200);
      assert.equal((await fetch(`${t.endpoint}/site/private/secret.txt`)).status, 403, 'other objects stay private');
      await owner.send(new PutObjectCommand({ Bucket: 'site', Key: 'pub.txt', Body: 'open', ACL: 'public-read' }));
      assert.equal(await (await fetch(`${t.endpoint}/site/pub.txt`)).text(), 'open');
      assert.equal((await fetch(`${t.endpoint}/site/missing.txt`)).status, 403, 'a missing key is not revealed to anonymous callers');
      await owner.send(new PutPublicAccessBlockCommand({ Bucket: 'site', PublicAccessBlockConfiguration: { IgnorePublicAcls: true, BlockPublicAcls: true } }));
      assert.equal((await fetch(`${t.endpoint}/site/pub.txt`)).status, 403, 'public ACLs ignored');
      await rejectsWith(owner.send(new PutObjectCommand({ Bucket: 'site', Key: 'p2.txt', Body: 'x', ACL: 'public-read' })), 'AccessDenied');
    }));

  test('presigned GET and PUT URLs work from a plain fetch until they expire', () =>
    withShared(async (t, owner) => {
      const getUrl = await getSignedUrl(owner, new GetObjectCommand({ Bucket: 'site', Key: 'private/secret.txt' }), { expiresIn: 60 });
      const got = await fetch(getUrl);
      assert.equal(got.status, 200);
      assert.equal(await got.text(), 'secret');
      const putUrl = await getSignedUrl(owner, new PutObjectCommand({ Bucket: 'site', Key: 'uploads/from-browser.txt' }), { expiresIn: 60 });
      const put = await fetch(putUrl, { method: 'PUT', body: 'uploaded by a browser' });
      assert.equal(put.status, 200, await put.text());
      const back = await owner.send(new GetObjectCommand({ Bucket: 'site', Key: 'uploads/from-browser.txt' }));
      assert.equal(await back.Body!.transformToString(), 'uploaded by a browser');
      // A tampered URL fails its signature; an expired one is refused.
      assert.equal((await fetch(getUrl.replace('secret.txt', 'secreT.txt'))).status, 403);
      t.clock.advance(61_000);
      assert.equal((await fetch(getUrl)).status, 403);
    }));

  test('CORS: preflights from other origins, and headers on the answers a page reads', () =>
    withShared(async (t, owner) => {
      const pre = (origin: string, method: string, headers = 'content-type') =>
        fetch(`${t.endpoint}/site/uploads/file.txt`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
        });
      assert.equal((await pre('https://app.example', 'PUT')).status, 403, 'no CORS configuration: refused');
      await owner.send(
        new PutBucketCorsCommand({
          Bucket: 'site',
          CORSConfiguration: {
            CORSRules: [{ AllowedOrigins: ['https://*.example'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 300 }],
          },
        }),
      );
      const rules = await owner.send(new GetBucketCorsCommand({ Bucket: 'site' }));
      assert.deepEqual(rules.CORSRules?.[0]?.AllowedMethods, ['GET', 'PUT']);
      const ok = await pre('https://app.example', 'PUT');
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.equal(ok.headers.get('access-control-allow-methods'), 'GET, PUT');
      assert.equal(ok.headers.get('access-control-allow-headers'), 'content-type');
      assert.equal(ok.headers.get('access-control-max-age'), '300');
      const refused = await pre('https://evil.test', 'PUT');
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /CORSResponse: This CORS request is not allowed/);
      assert.equal((await pre('https://app.example', 'DELETE')).status, 403);
      // The upload itself, with a presigned URL, as a page would make it.
      const putUrl = await getSignedUrl(owner, new PutObjectCommand({ Bucket: 'site', Key: 'uploads/file.txt' }), { expiresIn: 60 });
      const put = await fetch(putUrl, { method: 'PUT', body: 'from a page', headers: { origin: 'https://app.example' } });
      assert.equal(put.status, 200);
      assert.equal(put.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.equal(put.headers.get('access-control-expose-headers'), 'ETag');
      await owner.send(new DeleteBucketCorsCommand({ Bucket: 'site' }));
      await rejectsWith(owner.send(new GetBucketCorsCommand({ Bucket: 'site' })), 'NoSuchCORSConfiguration', 'The CORS configuration does not exist');
    }));

  test('virtual-hosted-style addressing', () =>
    withShared(async (t) => {
      const port = new URL(t.endpoint).port;
      // *.localhost may not resolve here; the agent sends every name to 127.0.0.1 and keeps the Host.
      const agent = new Agent({
        lookup: (_host, opts, cb) =>
          (opts as { all?: boolean }).all ? (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4),
      });
      const vh = new S3Client({
        endpoint: `http://localhost:${port}`,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({ httpAgent: agent }),
      });
      await vh.send(new PutObjectCommand({ Bucket: 'site', Key: 'vh/obj.txt', Body: 'by host' }));
      const got = await vh.send(new GetObjectCommand({ Bucket: 'site', Key: 'vh/obj.txt' }));
      assert.equal(await got.Body!.transformToString(), 'by host');
      vh.destroy();
    }));
});
