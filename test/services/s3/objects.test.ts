import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, withBucket } from '../../helpers/s3.js';

const s3 = s3Client;

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

/** A PUT signed for one body (its SHA-256 in x-amz-content-sha256) that may carry another. */
async function rawPut(t: TestNimbus, key: string, signedBody: Buffer, sentBody: Buffer): Promise<{ status: number; body: string }> {
  const url = new URL(t.endpoint);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS, uriEscapePath: false });
  const hash = createHash('sha256').update(signedBody).digest('hex');
  const signed = await signer.sign(
    new HttpRequest({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: `/data/${key}`,
      headers: { host: url.host, 'x-amz-content-sha256': hash, 'content-length': String(sentBody.length) },
    }),
  );
  const res = await fetch(`${t.endpoint}/data/${key}`, { method: 'PUT', headers: signed.headers as Record<string, string>, body: new Uint8Array(sentBody) });
  return { status: res.status, body: await res.text() };
}

describe('S3 objects', () => {
  test('put, get, head and delete, with metadata and content headers', () =>
    withBucket(async (c) => {
      const body = 'hello, objects';
      const put = await c.send(
        new PutObjectCommand({ Bucket: 'data', Key: 'notes/hello.txt', Body: body, ContentType: 'text/plain', Metadata: { author: 'ada' }, CacheControl: 'max-age=60' }),
      );
      assert.equal(put.ETag, `"${md5(body)}"`);
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'notes/hello.txt' }));
      assert.equal(await got.Body!.transformToString(), body);
      assert.equal(got.ContentType, 'text/plain');
      assert.equal(got.ContentLength, body.length);
      assert.equal(got.CacheControl, 'max-age=60');
      assert.deepEqual(got.Metadata, { author: 'ada' });
      assert.equal(got.ETag, put.ETag);
      assert.ok(got.LastModified instanceof Date);
      const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'notes/hello.txt' }));
      assert.equal(head.ContentLength, body.length);
      await rejectsWith(c.send(new DeleteBucketCommand({ Bucket: 'data' })), 'BucketNotEmpty', 'The bucket you tried to delete is not empty');
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'notes/hello.txt' }));
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'notes/hello.txt' })); // idempotent
      await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'notes/hello.txt' })), 'NoSuchKey', 'The specified key does not exist.');
      await rejectsWith(c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'notes/hello.txt' })), 'NotFound');
    }));

  test('binary bodies, keys with any UTF-8, a streamed upload, ranges and conditions', () =>
    withBucket(async (c) => {
      const bin = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
      const key = 'dir/ünïcödé ✓/../a%2Fb?x=1&y';
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: bin }));
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: key }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), bin);
      // A stream of unknown length goes as aws-chunked with a trailing checksum.
      const streamed = Buffer.alloc(300_000, 7);
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'streamed', Body: Readable.from([streamed.subarray(0, 100_000), streamed.subarray(100_000)]), ContentLength: streamed.length }));
      const back = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'streamed', ChecksumMode: 'ENABLED' }));
      assert.equal(md5(Buffer.from(await back.Body!.transformToByteArray())), md5(streamed));

      const part = await c.send(new GetObjectCommand({ Bucket: 'data', Key: key, Range: 'bytes=100-199' }));
      assert.equal(part.ContentRange, `bytes 100-199/${bin.length}`);
      assert.deepEqual(Buffer.from(await part.Body!.transformToByteArray()), bin.subarray(100, 200));
      // A small body lives in its row: ranges work the same.
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'small', Body: 'abcdefghij' }));
      const mid = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'small', Range: 'bytes=2-4' }));
      assert.equal(await mid.Body!.transformToString(), 'cde');
      assert.equal(mid.ContentRange, 'bytes 2-4/10');
      const tail = await c.send(new GetObjectCommand({ Bucket: 'data', Key: key, Range: 'bytes=-10' }));
      assert.deepEqual(Buffer.from(await tail.Body!.transformToByteArray()), bin.subarray(bin.length - 10));
      await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: key, Range: `bytes=${bin.length}-` })), 'InvalidRange', 'The requested range is not satisfiable');

      const etag = got.ETag!;
      await assert.rejects(c.send(new GetObjectCommand({ Bucket: 'data', Key: key, IfNoneMatch: etag })), (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 304);
      await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: key, IfMatch: '"0000"' })), 'PreconditionFailed');
      const ok = await c.send(new GetObjectCommand({ Bucket: 'data', Key: key, IfMatch: etag, ResponseContentType: 'application/x-test' }));
      assert.equal(ok.ContentType, 'application/x-test');
      await ok.Body!.transformToString(); // an unread body would be cut off when Nimbus stops
      // Conditional writes.
      await rejectsWith(c.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: 'x', IfNoneMatch: '*' })), 'PreconditionFailed');
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'fresh', Body: 'x', IfNoneMatch: '*' }));
    }));

  test('ListObjectsV2: prefix, delimiter, pages, start-after, url encoding; ListObjects', () =>
    withBucket(async (c) => {
      const keys = ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'é', 'z'];
      for (const Key of keys) await c.send(new PutObjectCommand({ Bucket: 'data', Key, Body: Key }));
      const all = await c.send(new ListObjectsV2Command({ Bucket: 'data' }));
      assert.deepEqual(all.Contents?.map((o) => o.Key), ['a/1', 'a/2', 'a/b/3', 'b/1', 'c', 'z', 'é'], 'UTF-8 byte order');
      assert.equal(all.KeyCount, 7);
      const rolled = await c.send(new ListObjectsV2Command({ Bucket: 'data', Delimiter: '/' }));
      assert.deepEqual(rolled.CommonPrefixes?.map((p) => p.Prefix), ['a/', 'b/']);
      assert.deepEqual(rolled.Contents?.map((o) => o.Key), ['c', 'z', 'é']);
      const inA = await c.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'a/', Delimiter: '/' }));
      assert.deepEqual(inA.Contents?.map((o) => o.Key), ['a/1', 'a/2']);
      assert.deepEqual(inA.CommonPrefixes?.map((p) => p.Prefix), ['a/b/']);
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await c.send(new ListObjectsV2Command({ Bucket: 'data', MaxKeys: 2, ContinuationToken: token }));
        seen.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
        assert.equal(page.IsTruncated, token !== undefined);
      } while (token);
      assert.deepEqual(seen, all.Contents?.map((o) => o.Key));
      const after = await c.send(new ListObjectsV2Command({ Bucket: 'data', StartAfter: 'b/1' }));
      assert.deepEqual(after.Contents?.map((o) => o.Key), ['c', 'z', 'é']);
      const v1 = await c.send(new ListObjectsCommand({ Bucket: 'data', Delimiter: '/', MaxKeys: 1 }));
      assert.equal(v1.IsTruncated, true);
      assert.deepEqual(v1.CommonPrefixes?.map((p) => p.Prefix), ['a/']);
      assert.equal(v1.NextMarker, 'a/');
    }));

  test('a body that does not match its signed SHA-256 is refused and leaves nothing', () =>
    withBucket(async (c, t) => {
      const good = await rawPut(t, 'checked', Buffer.from('the real body'), Buffer.from('the real body'));
      assert.equal(good.status, 200, good.body);
      const bad = await rawPut(t, 'tampered', Buffer.from('the signed body'), Buffer.from('a swapped body!'));
      assert.equal(bad.status, 400);
      assert.match(bad.body, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
      await rejectsWith(c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'tampered' })), 'NotFound');
    }, { memory: false }));

  test('bodies and their listing survive a restart', async () => {
    const t = await startTestNimbus({ memory: false, credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    const dir = t.dataDir!;
    const c = s3(t);
    await c.send(new CreateBucketCommand({ Bucket: 'keep' }));
    await c.send(new PutObjectCommand({ Bucket: 'keep', Key: 'k', Body: 'durable bytes' }));
    c.destroy();
    await t.nimbus.stop();
    const again = await startTestNimbus({ memory: false, dataDir: dir, credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    const c2 = s3(again);
    try {
      const got = await c2.send(new GetObjectCommand({ Bucket: 'keep', Key: 'k' }));
      assert.equal(await got.Body!.transformToString(), 'durable bytes');
    } finally {
      c2.destroy();
      await again.stop();
      const { rmSync } = await import('node:fs');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
