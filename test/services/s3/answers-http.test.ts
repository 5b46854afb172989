/**
 * HTTP-level answers S3 gives: 304 with the ETag, non-ASCII metadata under a signature,
 * chunked uploads (plain and aws-chunked), Content-Encoding lists, Expect: 100-continue, anonymous requests to a
 * missing bucket, too many tags, re-creating one's own bucket in each region, OPTIONS on a
 * presigned URL, and x-amz-expiration from lifecycle rules.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client } from '../../helpers/s3.js';

/** A signed request (UNSIGNED-PAYLOAD) sent with node:http, so headers and body framing are the test's. */
async function rawRequest(
  t: TestNimbus,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string[],
  opts: { expectContinue?: boolean } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; continued: boolean }> {
  const url = new URL(t.endpoint + path);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS, uriEscapePath: false });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
    }),
  );
  return new Promise((resolve, reject) => {
    let continued = false;
    // A fresh connection each time: an answer given before its body was read closes the connection.
    const req = request(url, { method, headers: signed.headers, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), continued }));
    });
    const send = () => {
      for (const chunk of body ?? []) req.write(chunk);
      req.end();
    };
    if (opts.expectContinue) {
      req.on('continue', () => {
        continued = true;
        send();
      });
    } else send();
  });
}

/** A signed PUT with neither Content-Length nor Transfer-Encoding (node:http adds one or the other), written on a socket. */
async function requestWithoutLength(t: TestNimbus, path: string, headers: Record<string, string> = {}, body = ''): Promise<string> {
  const url = new URL(t.endpoint + path);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS, uriEscapePath: false });
  const signed = await signer.sign(
    new HttpRequest({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers } }),
  );
  const head = `PUT ${url.pathname} HTTP/1.1\r\n${Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}connection: close\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(head + body));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
    socket.on('error', reject);
  });
}

describe('S3 HTTP answers', () => {
  let t: TestNimbus;
  let c: S3Client;
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    c = s3Client(t);
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  test('a 304 answer carries the ETag and Last-Modified', async () => {
    const put = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'x' }));
    const r = await rawRequest(t, 'GET', '/data/k', { 'if-none-match': put.ETag! });
    assert.equal(r.status, 304);
    assert.equal(r.headers.etag, put.ETag);
    assert.ok(r.headers['last-modified']);
    assert.equal(r.body, '');
    const since = await rawRequest(t, 'HEAD', '/data/k', { 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() });
    assert.equal(since.status, 304);
    assert.equal(since.headers.etag, put.ETag);
  });

  test('user metadata with non-ASCII characters is signed and stored', async () => {
    await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'meta', Body: 'x', Metadata: { name: 'café crème', plain: 'ascii' } }));
    const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'meta' }));
    assert.equal(head.Metadata?.plain, 'ascii');
    // Non-ASCII values come back as S3 gives them: RFC 2047, UTF-8 in base64.
    assert.equal(head.Metadata?.name, `=?UTF-8?B?${Buffer.from('café crème').toString('base64')}?=`);
  });

  test('Transfer-Encoding: chunked without a Content-Length: a plain body is taken to its end; aws-chunked with its decoded length is taken', async () => {
    const plain = await rawRequest(t, 'PUT', '/data/chunked', { 'transfer-encoding': 'chunked' }, ['abc', 'def', 'x'.repeat(70 * 1024)]);
    assert.equal(plain.status, 200, plain.body);
    const whole = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'chunked' }));
    assert.equal(whole.ContentLength, 6 + 70 * 1024);
    assert.equal((await whole.Body!.transformToString()).slice(0, 8), 'abcdefxx');
    const small = await rawRequest(t, 'PUT', '/data/chunked-small', { 'transfer-encoding': 'chunked' }, ['ab', 'c']);
    assert.equal(small.status, 200, small.body);
    assert.equal(small.headers.etag, '"900150983cd24fb0d6963f7d28e17f72"'); // MD5("abc")
    // A part too.
    const up = await rawRequest(t, 'POST', '/data/chunked-mpu?uploads', {});
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(up.body)![1]!;
    const part = await rawRequest(t, 'PUT', `/data/chunked-mpu?partNumber=1&uploadId=${encodeURIComponent(uploadId)}`, { 'transfer-encoding': 'chunked' }, ['abc']);
    assert.equal(part.status, 200, part.body);
    assert.equal(part.headers.etag, '"900150983cd24fb0d6963f7d28e17f72"');
    // Neither a length nor chunked framing: S3's 411.
    const none = await requestWithoutLength(t, '/data/no-length');
    assert.match(none, /^HTTP\/1\.1 411 /);
    assert.match(none, /<Code>MissingContentLength<\/Code>/);
    // aws-chunked (as the SDKs stream a body with a trailing checksum) carries its decoded length.
    const ok = await rawRequest(
      t,
      'PUT',
      '/data/chunked',
      {
        'transfer-encoding': 'chunked',
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '6',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      ['6\r\nabc', 'def\r\n', '0\r\nx-amz-checksum-crc32:S4457w==\r\n\r\n'],
    );
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.headers['x-amz-checksum-crc32'], 'S4457w==');
    const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'chunked' }));
    assert.equal(await got.Body!.transformToString(), 'abcdef');
  });

  test('Content-Encoding lists are kept as sent, without aws-chunked', async () => {
    const cases: Array<[string, string | undefined]> = [
      ['deflate, gzip', 'deflate, gzip'],
      ['gzip,br', 'gzip,br'],
      ['gzip, aws-chunked', 'gzip'],
      ['aws-chunked, deflate, gzip', 'deflate, gzip'],
      ['aws-chunked, aws-chunked', undefined],
    ];
    for (const [sent, kept] of cases) {
      const r = await rawRequest(t, 'PUT', '/data/enc', { 'content-encoding': sent, 'content-length': '3' }, ['abc']);
      assert.equal(r.status, 200);
      assert.equal((await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'enc' }))).ContentEncoding, kept, sent);
    }
  });

  test('an Expect other than 100-continue is ignored, as S3 ignores it (not 417)', async () => {
    for (const expect of ['', '200']) {
      const r = await rawRequest(t, 'PUT', '/data/expected', { expect, 'content-length': '3' }, ['abc']);
      assert.equal(r.status, 200, `Expect: '${expect}' ${r.body}`);
    }
  });

  test('Expect: 100-continue is answered 100 before the body', async () => {
    const r = await rawRequest(t, 'PUT', '/data/continued', { expect: '100-continue', 'content-length': '5' }, ['hello'], { expectContinue: true });
    assert.equal(r.status, 200);
    assert.ok(r.continued);
    const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'continued' }));
    assert.equal(await got.Body!.transformToString(), 'hello');
  });

  test('Expect: 100-continue to an upload that is refused: 403 at once, never 100 first', async () => {
    const answer = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request(`${t.endpoint}/data/anonymous`, { method: 'PUT', headers: { expect: '100-continue', 'content-length': '5' }, agent: false });
      req.on('error', reject);
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, continued }));
        req.destroy();
      });
    });
    assert.deepEqual(answer, { status: 403, continued: false });
  });

  test('a presigned URL with X-Amz-Expires=0 is expired at once (403), not malformed', async () => {
    await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'soon', Body: 'x' }));
    const url = await getSignedUrl(c, new GetObjectCommand({ Bucket: 'data', Key: 'soon' }), { expiresIn: 0 });
    assert.match(url, /X-Amz-Expires=0/);
    const r = await fetch(url);
    assert.equal(r.status, 403);
    assert.match(await r.text(), /<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired/);
  });

  test('more body than the Content-Length declared: the request is answered (BadDigest), not the stray bytes', async () => {
    // Content-Length 2 with 'bar' sent: S3 reads 'ba', whose MD5 is not that of 'bar'.
    const md5 = createHash('md5').update('bar').digest('base64');
    const r = await requestWithoutLength(t, '/data/short', { 'content-length': '2', 'content-md5': md5 }, 'bar');
    assert.match(r, /^HTTP\/1\.1 400 /);
    assert.match(r, /<Code>BadDigest<\/Code>/);
  });

  test('an anonymous request to a missing bucket is 404 NoSuchBucket', async () => {
    for (const path of ['/no-such-bucket-here/key', '/no-such-bucket-here']) {
      const r = await fetch(`${t.endpoint}${path}`);
      assert.equal(r.status, 404, path);
      assert.match(await r.text(), /<Code>NoSuchBucket<\/Code>/);
    }
  });

  test('more than 10 object tags is InvalidTag (BadRequest on PutObject)', async () => {
    const TagSet = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(c.send(new PutObjectTaggingCommand({ Bucket: 'data', Key: 'k', Tagging: { TagSet } })), 'InvalidTag', 'Object tags cannot be greater than 10');
    await rejectsWith(c.send(new PutObjectCommand({ Bucket: 'data', Key: 'tagged', Body: 'x', Tagging: TagSet.map((x) => `${x.Key}=${x.Value}`).join('&') })), 'InvalidTag');
  });

  test("re-creating one's own bucket: 200 in us-east-1, BucketAlreadyOwnedByYou elsewhere; another account's is BucketAlreadyExists", async () => {
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    const eu = s3Client(t, { region: 'eu-west-1' });
    try {
      await eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      await rejectsWith(eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })), 'BucketAlreadyOwnedByYou');
      await rejectsWith(eu.send(new CreateBucketCommand({ Bucket: 'data', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })), 'BucketAlreadyOwnedByYou');
    } finally {
      eu.destroy();
    }
  });

  test('OPTIONS on a presigned URL is a CORS preflight, answered by the bucket\'s rules', async () => {
    await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'shared', Body: 'x' }));
    await c.send(new PutBucketCorsCommand({ Bucket: 'data', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'] }] } }));
    const url = await getSignedUrl(c, new GetObjectCommand({ Bucket: 'data', Key: 'shared' }), { expiresIn: 600 });
    const ok = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    const refused = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://other.example', 'access-control-request-method': 'GET' } });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>AccessForbidden<\/Code>/);
    // The presigned GET itself still works.
    assert.equal(await (await fetch(url)).text(), 'x');
  });

  test('x-amz-expiration names the lifecycle rule that will expire the object, and when', async () => {
    await c.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'data',
        LifecycleConfiguration: {
          Rules: [
            { ID: 'logs-rule', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 3 } },
            { ID: 'off', Status: 'Disabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } },
          ],
        },
      }),
    );
    const written = t.clock.now();
    const put = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'logs/a', Body: 'x' }));
    const day = 86_400_000;
    const due = new Date((Math.floor(written / day) + 4) * day).toUTCString();
    const expected = `expiry-date="${due}", rule-id="logs-rule"`;
    assert.equal(put.Expiration, expected);
    assert.equal((await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'logs/a' }))).Expiration, expected);
    assert.equal((await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'logs/a' }))).Expiration, expected);
    // An object no enabled rule selects has none.
    assert.equal((await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'k' }))).Expiration, undefined);
  });
});
