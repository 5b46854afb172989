/**
 * Signature Version 2, as older SDKs and tools sign for S3: `Authorization: AWS key:signature`,
 * presigned URLs with AWSAccessKeyId/Expires/Signature, and browser POST forms whose policy is
 * signed with HMAC-SHA1. The signer below follows S3's RESTAuthentication rules (and botocore's
 * HmacV1Auth, which the AWS CLI v1 uses).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client } from '../../helpers/s3.js';

const SUBRESOURCES = ['acl', 'tagging', 'uploads', 'uploadId', 'partNumber', 'versionId', 'response-content-type'];

/** S3's SigV2 string to sign, written out independently of the server's. */
function stringToSign(method: string, path: string, query: Record<string, string>, headers: Record<string, string>, dateOrExpires: string): string {
  const amz = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .filter((h) => h.startsWith('x-amz-'))
    .sort()
    .map((h) => `${h}:${headers[h]!.trim()}\n`)
    .join('');
  const subs = Object.keys(query)
    .filter((k) => SUBRESOURCES.includes(k))
    .sort()
    .map((k) => (query[k] === '' ? k : `${k}=${query[k]}`));
  return `${method}\n${headers['content-md5'] ?? ''}\n${headers['content-type'] ?? ''}\n${dateOrExpires}\n${amz}${path}${subs.length ? `?${subs.join('&')}` : ''}`;
}
const sign = (secret: string, s: string) => createHmac('sha1', secret).update(s, 'utf8').digest('base64');

function qs(query: Record<string, string>): string {
  const s = Object.entries(query)
    .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
    .join('&');
  return s ? `?${s}` : '';
}

describe('S3 Signature Version 2', () => {
  let t: TestNimbus;
  let c: S3Client;
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    c = s3Client(t);
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'dir/a b.txt', Body: 'hello v2' }));
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  /** A request signed in the header form. */
  async function v2(method: string, path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, body?: string, secret = TEST_CREDENTIALS.secretAccessKey) {
    const date = new Date(t.clock.now()).toUTCString();
    const all = { date, ...headers };
    const signature = sign(secret, stringToSign(method, path, query, all, 'x-amz-date' in all ? '' : date));
    return fetch(`${t.endpoint}${path}${qs(query)}`, { method, headers: { ...all, authorization: `AWS ${TEST_CREDENTIALS.accessKeyId}:${signature}` }, body });
  }

  test('Authorization: AWS key:signature reads, writes, lists and names subresources', async () => {
    const got = await v2('GET', '/data/dir/a%20b.txt');
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'hello v2');
    const put = await v2('PUT', '/data/v2.txt', {}, { 'content-type': 'text/plain', 'x-amz-meta-by': 'v2', 'x-amz-date': new Date(t.clock.now()).toUTCString() }, 'written with v2');
    assert.equal(put.status, 200, await put.text());
    const head = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'v2.txt' }));
    assert.equal(await head.Body!.transformToString(), 'written with v2');
    assert.equal(head.Metadata?.by, 'v2');
    const list = await v2('GET', '/data', { prefix: 'dir/' });
    assert.match(await list.text(), /<Key>dir\/a b\.txt<\/Key>/);
    const tags = await v2('GET', '/data/dir/a%20b.txt', { tagging: '' });
    assert.equal(tags.status, 200);
    assert.match(await tags.text(), /<Tagging/);
    const buckets = await v2('GET', '/');
    assert.match(await buckets.text(), /<Name>data<\/Name>/);
  });

  test('a wrong signature is SignatureDoesNotMatch with the StringToSign; an unknown key InvalidAccessKeyId; an old Date RequestTimeTooSkewed', async () => {
    const bad = await v2('GET', '/data/dir/a%20b.txt', {}, {}, undefined, 'wrong-secret');
    assert.equal(bad.status, 403);
    const text = await bad.text();
    assert.match(text, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.match(text, /<StringToSign>GET\n\n\n[^\n]+\n\/data\/dir\/a%20b\.txt<\/StringToSign>/);
    const unknown = await fetch(`${t.endpoint}/data/dir/a%20b.txt`, { headers: { date: new Date(t.clock.now()).toUTCString(), authorization: 'AWS nobody:abc=' } });
    assert.equal(unknown.status, 403);
    assert.match(await unknown.text(), /<Code>InvalidAccessKeyId<\/Code>/);
    const old = new Date(t.clock.now() - 3_600_000).toUTCString();
    const skewed = await fetch(`${t.endpoint}/data/dir/a%20b.txt`, {
      headers: { date: old, authorization: `AWS test:${sign('test', stringToSign('GET', '/data/dir/a%20b.txt', {}, {}, old))}` },
    });
    assert.equal(skewed.status, 403);
    assert.match(await skewed.text(), /<Code>RequestTimeTooSkewed<\/Code>/);
  });

  test('a bucket itself may be signed as /bucket/ (botocore signs so, sending /bucket); a date before the epoch is AccessDenied', async () => {
    const date = new Date(t.clock.now()).toUTCString();
    const headers = { date, 'x-amz-object-ownership': 'ObjectWriter' };
    const signature = sign('test', stringToSign('PUT', '/v2-made/', {}, headers, date));
    const made = await fetch(`${t.endpoint}/v2-made`, { method: 'PUT', headers: { ...headers, authorization: `AWS test:${signature}` } });
    assert.equal(made.status, 200, await made.text());
    const listed = await v2('GET', '/');
    assert.match(await listed.text(), /<Name>v2-made<\/Name>/);
    // Only the bucket itself: a key's path is signed as sent.
    const keySigned = sign('test', stringToSign('GET', '/data/dir/a%20b.txt/', {}, { date }, date));
    const key = await fetch(`${t.endpoint}/data/dir/a%20b.txt`, { headers: { date, authorization: `AWS test:${keySigned}` } });
    assert.equal(key.status, 403);
    assert.match(await key.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

    const before1970 = 'Tue, 07 Jul 1950 21:53:04 GMT';
    const old = await v2('PUT', '/data/old.txt', {}, { 'x-amz-date': before1970 }, 'x');
    assert.equal(old.status, 403);
    assert.match(await old.text(), /<Code>AccessDenied<\/Code><Message>AWS authentication requires a valid Date or x-amz-date header<\/Message>/);
  });

  test('presigned URLs (AWSAccessKeyId, Expires, Signature) work until they expire', async () => {
    const expires = String(Math.floor(t.clock.now() / 1000) + 60);
    const query = { 'response-content-type': 'text/x-v2' };
    const signature = sign('test', stringToSign('GET', '/data/dir/a%20b.txt', query, {}, expires));
    const url = `${t.endpoint}/data/dir/a%20b.txt${qs({ ...query, AWSAccessKeyId: 'test', Expires: expires, Signature: signature })}`;
    const ok = await fetch(url);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'text/x-v2');
    assert.equal(await ok.text(), 'hello v2');
    t.clock.advance(61_000);
    const late = await fetch(url);
    assert.equal(late.status, 403);
    assert.match(await late.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
  });

  test('a browser POST form signed with SigV2 uploads as the key\'s account; a bad signature is refused', async () => {
    const policy = Buffer.from(
      JSON.stringify({ expiration: new Date(t.clock.now() + 600_000).toISOString(), conditions: [{ bucket: 'data' }, ['starts-with', '$key', 'uploads/']] }),
    ).toString('base64');
    const form = (signature: string) => {
      const f = new FormData();
      f.append('key', 'uploads/${filename}');
      f.append('AWSAccessKeyId', 'test');
      f.append('policy', policy);
      f.append('signature', signature);
      f.append('file', new Blob(['posted with v2']), 'note.txt');
      return f;
    };
    const ok = await fetch(`${t.endpoint}/data`, { method: 'POST', body: form(sign('test', policy)) });
    assert.equal(ok.status, 204, await ok.text());
    const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'uploads/note.txt' }));
    assert.equal(await got.Body!.transformToString(), 'posted with v2');
    const bad = await fetch(`${t.endpoint}/data`, { method: 'POST', body: form(sign('wrong', policy)) });
    assert.equal(bad.status, 403);
    assert.match(await bad.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });
});
