/**
 * Server-side encryption of objects: SSE-S3 by default, SSE-KMS, SSE-C on PUT, GET, HEAD, copy
 * and multipart, default bucket encryption; and bodies really sealed at rest.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, signedS3Fetch } from '../../helpers/s3.js';
import { BodyCrypto, CHUNK, MASTER_KEY_FILE } from '../../../src/services/s3/engine/crypto.js';
import { BlobStore } from '../../../src/store/blobs.js';

const KEY = randomBytes(32);
const OTHER = randomBytes(32);
const ssec = (key: Buffer) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key as unknown as string });
const copySsec = (key: Buffer) => ({ CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key as unknown as string });
const md5b64 = (b: Buffer) => createHash('md5').update(b).digest('base64');

/** A body of n bytes whose every 16-byte line is distinct (range reads are checked byte for byte). */
function pattern(n: number, tag = 'line'): Buffer {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `${tag}${String(i).padStart(11, '0')}\n`.slice(-16);
  return Buffer.from(s.slice(0, n));
}

const bytes = async (p: Promise<{ Body?: { transformToByteArray(): Promise<Uint8Array> } }>) => Buffer.from(await (await p).Body!.transformToByteArray());

describe('S3 server-side encryption', () => {
  let t: TestNimbus;
  let s3: S3Client;
  before(async () => {
    t = await startTestNimbus();
    s3 = s3Client(t);
    await s3.send(new CreateBucketCommand({ Bucket: 'sse' }));
  });
  after(async () => {
    s3.destroy();
    await t.stop();
  });

  test('every new object is SSE-S3 unless asked otherwise, and the answers say so', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'plain', Body: 'hello' }));
    assert.equal(put.ServerSideEncryption, 'AES256');
    assert.equal(put.ETag, `"${createHash('md5').update('hello').digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'plain' }));
    assert.equal(got.ServerSideEncryption, 'AES256');
    assert.equal(await got.Body!.transformToString(), 'hello');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'sse', Key: 'plain' }))).ServerSideEncryption, 'AES256');
    // Asking for AES256 is the same; a value S3 does not know is refused.
    assert.equal((await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'asked', Body: 'x', ServerSideEncryption: 'AES256' }))).ServerSideEncryption, 'AES256');
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'bad', Body: 'x', ServerSideEncryption: 'AES512' as 'AES256' })), 'InvalidArgument', 'The encryption method specified is not supported');
    // A GET of an SSE-S3 object with an encryption header is refused: its encryption cannot change on a read.
    const res = await signedS3Fetch(t, 'GET', '/sse/plain', {}, { 'x-amz-server-side-encryption': 'AES256' });
    assert.equal(res.status, 400);
  });

  test('large bodies stream whole and in ranges that cross chunk boundaries', async () => {
    const body = pattern(3 * CHUNK + 1234);
    await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'big', Body: body }));
    assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'big' })))).equals(body));
    for (const [start, end] of [
      [0, 0],
      [CHUNK - 5, CHUNK + 5],
      [CHUNK, 2 * CHUNK - 1],
      [CHUNK + 7, 3 * CHUNK + 100],
      [body.length - 10, body.length - 1],
    ] as const) {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'big', Range: `bytes=${start}-${end}` }));
      assert.equal(got.ContentRange, `bytes ${start}-${end}/${body.length}`);
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(start, end + 1)), `bytes=${start}-${end}`);
    }
    const tail = await bytes(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'big', Range: 'bytes=-100' })));
    assert.ok(tail.equals(body.subarray(body.length - 100)));
    // A small (inline) body's ranges too.
    await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'small', Body: 'abcdefghij' }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'small', Range: 'bytes=2-4' }))).Body!.transformToString(), 'cde');
  });

  test('SSE-KMS: a named key, an alias, the aws/s3 key, bucket keys', async () => {
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const named = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'kms', Body: 'k', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: id, BucketKeyEnabled: true }));
    assert.equal(named.ServerSideEncryption, 'aws:kms');
    assert.equal(named.SSEKMSKeyId, `arn:aws:kms:us-east-1:000000000000:key/${id}`);
    assert.equal(named.BucketKeyEnabled, true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sse', Key: 'kms' }));
    assert.deepEqual([head.ServerSideEncryption, head.SSEKMSKeyId, head.BucketKeyEnabled], ['aws:kms', named.SSEKMSKeyId, true]);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'kms' }))).Body!.transformToString(), 'k');
    const managed = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'kms2', Body: 'k', ServerSideEncryption: 'aws:kms' }));
    assert.match(managed.SSEKMSKeyId!, /^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/);
    assert.equal(managed.BucketKeyEnabled, undefined);
    const again = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'kms3', Body: 'k', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/aws/s3' }));
    assert.equal(again.SSEKMSKeyId, managed.SSEKMSKeyId);
    const alias = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'kms4', Body: 'k', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/mine' }));
    assert.equal(alias.SSEKMSKeyId, 'arn:aws:kms:us-east-1:000000000000:alias/mine');
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'x', Body: 'k', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'fake-key-id' })), 'KMS.NotFoundException', "Invalid keyId 'fake-key-id'");
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'x', Body: 'k', SSEKMSKeyId: id })),
      'InvalidArgument',
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
    );
  });

  test('ETags: the MD5 of the content for SSE-S3 objects, not for SSE-C or SSE-KMS ones (PUT and copy), and stable per version', async () => {
    const md5hex = `"${createHash('md5').update('same body').digest('hex')}"`;
    const s3put = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'etag-s3', Body: 'same body' }));
    assert.equal(s3put.ETag, md5hex);
    const kms = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'etag-kms', Body: 'same body', ServerSideEncryption: 'aws:kms' }));
    const ssecPut = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'etag-c', Body: 'same body', ...ssec(KEY) }));
    const ssecCopy = await s3.send(new CopyObjectCommand({ Bucket: 'sse', Key: 'etag-c-copy', CopySource: 'sse/etag-s3', ...ssec(KEY) }));
    const kmsCopy = await s3.send(new CopyObjectCommand({ Bucket: 'sse', Key: 'etag-kms-copy', CopySource: 'sse/etag-s3', ServerSideEncryption: 'aws:kms' }));
    const s3Copy = await s3.send(new CopyObjectCommand({ Bucket: 'sse', Key: 'etag-s3-copy', CopySource: 'sse/etag-kms' }));
    assert.equal(s3Copy.CopyObjectResult!.ETag, md5hex);
    const hidden = [kms.ETag!, ssecPut.ETag!, ssecCopy.CopyObjectResult!.ETag!, kmsCopy.CopyObjectResult!.ETag!];
    for (const etag of hidden) {
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      assert.notEqual(etag, md5hex);
    }
    assert.equal(new Set(hidden).size, hidden.length);
    // The version keeps its ETag: HEAD, GET and conditional reads agree with the PUT's answer.
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'sse', Key: 'etag-kms' }))).ETag, kms.ETag);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'etag-c', ...ssec(KEY), IfMatch: ssecPut.ETag }))).ETag, ssecPut.ETag);
    // Content-MD5 is still checked against the bytes.
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'etag-bad', Body: 'same body', ServerSideEncryption: 'aws:kms', ContentMD5: md5b64(Buffer.from('other')) })),
      'BadDigest',
    );
  });

  test('SSE-C: the key is needed to read, HEAD and copy; the wrong key and its MD5 are refused', async () => {
    const body = pattern(2 * CHUNK + 10, 'ssec');
    const put = await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'c', Body: body, ...ssec(KEY) }));
    assert.equal(put.ServerSideEncryption, undefined);
    assert.equal(put.SSECustomerAlgorithm, 'AES256');
    assert.equal(put.SSECustomerKeyMD5, md5b64(KEY));
    const stored = 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.';
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'c' })), 'InvalidRequest', stored);
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'sse', Key: 'c' })), (e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode === 400);
    await rejectsWith(
      s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'c', ...ssec(OTHER) })),
      'AccessDenied',
      'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.',
    );
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'sse', Key: 'c', ...ssec(OTHER) })), (e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode === 403);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'c', ...ssec(KEY), Range: `bytes=${CHUNK - 3}-${CHUNK + 3}` }));
    assert.equal(got.SSECustomerKeyMD5, md5b64(KEY));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(CHUNK - 3, CHUNK + 4)));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sse', Key: 'c', ...ssec(KEY) }));
    assert.equal(head.ContentLength, body.length);
    await rejectsWith(s3.send(new GetObjectAttributesCommand({ Bucket: 'sse', Key: 'c', ObjectAttributes: ['ObjectSize'] })), 'InvalidRequest', stored);
    assert.equal((await s3.send(new GetObjectAttributesCommand({ Bucket: 'sse', Key: 'c', ObjectAttributes: ['ObjectSize'], ...ssec(KEY) }))).ObjectSize, body.length);
    // The key's MD5 is checked; a key of the wrong length is refused on a write.
    const k64 = KEY.toString('base64');
    const bad = await signedS3Fetch(t, 'PUT', '/sse/c2', {}, {
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': k64,
      'x-amz-server-side-encryption-customer-key-md5': md5b64(OTHER),
    }, 'x');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /<Code>InvalidArgument<\/Code><Message>The calculated MD5 hash of the key did not match the hash that was provided.<\/Message>/);
    // A write without the key's MD5 is refused (reads without it are taken).
    const noMd5 = await signedS3Fetch(t, 'PUT', '/sse/c2', {}, { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': k64 }, 'x');
    assert.equal(noMd5.status, 400);
    assert.match(noMd5.body, /<Code>InvalidArgument<\/Code><Message>Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.<\/Message>/);
    const readNoMd5 = await signedS3Fetch(t, 'GET', '/sse/c', {}, { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': k64 });
    assert.equal(readNoMd5.status, 200);
    const short = randomBytes(16);
    await rejectsWith(s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'c2', Body: 'x', ...ssec(short) })), 'InvalidArgument', 'The secret key was invalid for the specified algorithm.');
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'c2', Body: 'x', SSECustomerAlgorithm: 'AES128', SSECustomerKey: KEY as unknown as string })),
      'InvalidEncryptionAlgorithmError',
    );
    await rejectsWith(
      s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'c2', Body: 'x', ServerSideEncryption: 'AES256', ...ssec(KEY) })),
      'InvalidArgument',
      'Server Side Encryption with Customer provided key is incompatible with the encryption method specified',
    );
    // A key for an object that has none is refused too.
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'plain', ...ssec(KEY) })), 'InvalidRequest', 'The encryption parameters are not applicable to this object.');

    // Copy: the source's key is needed; the copy takes its own encryption (SSE-S3 by default, or a new SSE-C key).
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: 'sse', Key: 'c-copy', CopySource: 'sse/c' })), 'InvalidRequest', stored);
    await rejectsWith(s3.send(new CopyObjectCommand({ Bucket: 'sse', Key: 'c-copy', CopySource: 'sse/c', ...copySsec(OTHER) })), 'AccessDenied');
    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'sse', Key: 'c-copy', CopySource: 'sse/c', ...copySsec(KEY) }));
    assert.equal(copied.ServerSideEncryption, 'AES256');
    assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'c-copy' })))).equals(body));
    const rekeyed = await s3.send(new CopyObjectCommand({ Bucket: 'sse', Key: 'c', CopySource: 'sse/c', ...copySsec(KEY), ...ssec(OTHER) }));
    assert.equal(rekeyed.SSECustomerKeyMD5, md5b64(OTHER));
    assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'c', ...ssec(OTHER) })))).equals(body));
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'c', ...ssec(KEY) })), 'AccessDenied');
  });

  test('multipart: SSE-C parts need the upload key, part copies the source key; the object reads back whole', async () => {
    const part1 = pattern(5 * 1024 * 1024, 'p1');
    const part2 = pattern(1000, 'p2');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'sse', Key: 'mp', ...ssec(KEY) }));
    assert.equal(up.SSECustomerKeyMD5, md5b64(KEY));
    const target = { Bucket: 'sse', Key: 'mp', UploadId: up.UploadId! };
    await rejectsWith(
      s3.send(new UploadPartCommand({ ...target, PartNumber: 1, Body: part1 })),
      'InvalidRequest',
      'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.',
    );
    await rejectsWith(s3.send(new UploadPartCommand({ ...target, PartNumber: 1, Body: part1, ...ssec(OTHER) })), 'InvalidRequest', 'The provided encryption parameters did not match the ones used originally.');
    const p1 = await s3.send(new UploadPartCommand({ ...target, PartNumber: 1, Body: part1, ...ssec(KEY) }));
    assert.equal(p1.SSECustomerAlgorithm, 'AES256');
    // The second part is copied from an SSE-C object: the copy-source key and the upload's key.
    await s3.send(new PutObjectCommand({ Bucket: 'sse', Key: 'src', Body: part2, ...ssec(OTHER) }));
    await rejectsWith(s3.send(new UploadPartCopyCommand({ ...target, PartNumber: 2, CopySource: 'sse/src', ...ssec(KEY) })), 'InvalidRequest');
    const p2 = await s3.send(new UploadPartCopyCommand({ ...target, PartNumber: 2, CopySource: 'sse/src', ...ssec(KEY), ...copySsec(OTHER) }));
    await s3.send(new CompleteMultipartUploadCommand({ ...target, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.CopyPartResult!.ETag }] } }));
    await rejectsWith(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'mp' })), 'InvalidRequest');
    const whole = await bytes(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'mp', ...ssec(KEY) })));
    assert.ok(whole.equals(Buffer.concat([part1, part2])));
    const range = await bytes(s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'mp', ...ssec(KEY), Range: `bytes=${part1.length - 5}-${part1.length + 5}` })));
    assert.ok(range.equals(whole.subarray(part1.length - 5, part1.length + 6)));

    // An SSE-KMS upload: the answers of every step say so.
    const kms = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'sse', Key: 'mp-kms', ServerSideEncryption: 'aws:kms' }));
    assert.equal(kms.ServerSideEncryption, 'aws:kms');
    const k = { Bucket: 'sse', Key: 'mp-kms', UploadId: kms.UploadId! };
    const kp = await s3.send(new UploadPartCommand({ ...k, PartNumber: 1, Body: 'only part' }));
    assert.equal(kp.ServerSideEncryption, 'aws:kms');
    const done = await s3.send(new CompleteMultipartUploadCommand({ ...k, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: kp.ETag }] } }));
    assert.equal(done.ServerSideEncryption, 'aws:kms');
    assert.equal(done.SSEKMSKeyId, kms.SSEKMSKeyId);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'sse', Key: 'mp-kms' }))).Body!.transformToString(), 'only part');
  });

  test('default bucket encryption: SSE-S3 until set; new objects and copies take it; delete resets it', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sse-default' }));
    const B = { Bucket: 'sse-default' };
    const first = await s3.send(new GetBucketEncryptionCommand(B));
    assert.deepEqual(first.ServerSideEncryptionConfiguration?.Rules, [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }]);
    const rule = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: '0f0e0d0c-0b0a-0908-0706-050403020100' }, BucketKeyEnabled: true };
    await s3.send(new PutBucketEncryptionCommand({ ...B, ServerSideEncryptionConfiguration: { Rules: [rule] } }));
    assert.deepEqual((await s3.send(new GetBucketEncryptionCommand(B))).ServerSideEncryptionConfiguration?.Rules, [rule]);
    const put = await s3.send(new PutObjectCommand({ ...B, Key: 'k', Body: 'x' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'arn:aws:kms:us-east-1:000000000000:key/0f0e0d0c-0b0a-0908-0706-050403020100');
    assert.equal(put.BucketKeyEnabled, true);
    // A request's own choice wins over the default.
    assert.equal((await s3.send(new PutObjectCommand({ ...B, Key: 'own', Body: 'x', ServerSideEncryption: 'AES256' }))).ServerSideEncryption, 'AES256');
    const copy = await s3.send(new CopyObjectCommand({ ...B, Key: 'copied', CopySource: 'sse/plain' }));
    assert.equal(copy.ServerSideEncryption, 'aws:kms');
    await rejectsWith(
      s3.send(new PutBucketEncryptionCommand({ ...B, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' } }] } })),
      'InvalidArgument',
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
    );
    await rejectsWith(s3.send(new PutBucketEncryptionCommand({ ...B, ServerSideEncryptionConfiguration: { Rules: [] } })), 'MalformedXML');
    await s3.send(new DeleteBucketEncryptionCommand(B));
    await s3.send(new DeleteBucketEncryptionCommand(B));
    assert.equal((await s3.send(new GetBucketEncryptionCommand(B))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
    assert.equal((await s3.send(new PutObjectCommand({ ...B, Key: 'after', Body: 'x' }))).ServerSideEncryption, 'AES256');
    await rejectsWith(s3.send(new GetBucketEncryptionCommand({ Bucket: 'no-such-bucket-here' })), 'NoSuchBucket');
  });
});

describe('S3 bodies at rest', () => {
  test('the data directory holds no plaintext body, its master key is 0600, and it reads back after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-sse-'));
    try {
      const marker = 'PLAINTEXT-MARKER-7f3a9c';
      const big = Buffer.from(marker.repeat(Math.ceil((200 * 1024) / marker.length)));
      const small = Buffer.from(`${marker} small body`);
      const key = randomBytes(32);
      let t = await startTestNimbus({ dataDir: dir, memory: false });
      let s3 = s3Client(t);
      await s3.send(new CreateBucketCommand({ Bucket: 'rest' }));
      await s3.send(new PutObjectCommand({ Bucket: 'rest', Key: 'big', Body: big }));
      await s3.send(new PutObjectCommand({ Bucket: 'rest', Key: 'small', Body: small }));
      await s3.send(new PutObjectCommand({ Bucket: 'rest', Key: 'ssec', Body: small, ...ssec(key) }));
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'rest', Key: 'parts' }));
      await s3.send(new UploadPartCommand({ Bucket: 'rest', Key: 'parts', UploadId: up.UploadId!, PartNumber: 1, Body: big }));
      s3.destroy();
      await t.stop();

      const keyFile = join(dir, MASTER_KEY_FILE);
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(readFileSync(keyFile).length, 32);
      let files = 0;
      const walk = (d: string, depth: number): void => {
        assert.ok(depth < 8);
        for (const e of readdirSync(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) walk(p, depth + 1);
          else if (e.isFile()) {
            files++;
            assert.equal(readFileSync(p).includes(marker), false, `${p} holds a plaintext body`);
          }
        }
      };
      walk(dir, 0);
      assert.ok(files > 3);

      t = await startTestNimbus({ dataDir: dir, memory: false });
      s3 = s3Client(t);
      assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'rest', Key: 'big' })))).equals(big));
      assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'rest', Key: 'small' })))).equals(small));
      assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'rest', Key: 'ssec', ...ssec(key) })))).equals(small));
      s3.destroy();
      await t.stop();

      // Under another master key (the data directory copied without its key file) nothing opens.
      unlinkSync(keyFile);
      t = await startTestNimbus({ dataDir: dir, memory: false });
      s3 = s3Client(t);
      await assert.rejects(bytes(s3.send(new GetObjectCommand({ Bucket: 'rest', Key: 'small' }))));
      await assert.rejects(bytes(s3.send(new GetObjectCommand({ Bucket: 'rest', Key: 'big' }))));
      s3.destroy();
      await t.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bodies stored before encryption (plaintext rows and blobs, unsealed parts) still read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-sse-'));
    try {
      const big = pattern(100 * 1024, 'old');
      let t = await startTestNimbus({ dataDir: dir, memory: false });
      let s3 = s3Client(t);
      await s3.send(new CreateBucketCommand({ Bucket: 'old' }));
      await s3.send(new PutObjectCommand({ Bucket: 'old', Key: 'small', Body: 'legacy' }));
      await s3.send(new PutObjectCommand({ Bucket: 'old', Key: 'big', Body: big }));
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'old', Key: 'mp' }));
      const part = await s3.send(new UploadPartCommand({ Bucket: 'old', Key: 'mp', UploadId: up.UploadId!, PartNumber: 1, Body: big }));
      s3.destroy();
      await t.stop();

      // Turn the rows and files back into what an older Nimbus wrote: no sse, plaintext bodies.
      const dbFile = readdirSync(dir).find((f) => f.endsWith('.db') || f.endsWith('.sqlite'))!;
      const db = new Database(join(dir, dbFile));
      db.prepare(`UPDATE s3_objects SET sse = NULL, body = ? WHERE key = 'small'`).run(Buffer.from('legacy'));
      const blobOf = (sql: string) => (db.prepare(sql).get() as { blob_id: string }).blob_id;
      const bigBlob = blobOf(`SELECT blob_id FROM s3_objects WHERE key = 'big'`);
      const partBlob = blobOf(`SELECT blob_id FROM s3_upload_parts`);
      db.prepare(`UPDATE s3_objects SET sse = NULL WHERE key = 'big'`).run();
      db.close();
      const blobPath = (id: string) => join(dir, 'blobs', id.slice(0, 2), id);
      assert.ok(existsSync(blobPath(bigBlob)));
      writeFileSync(blobPath(bigBlob), big);
      writeFileSync(blobPath(partBlob), big);

      t = await startTestNimbus({ dataDir: dir, memory: false });
      s3 = s3Client(t);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'old', Key: 'small' }));
      assert.equal(got.ServerSideEncryption, undefined);
      assert.equal(await got.Body!.transformToString(), 'legacy');
      assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'old', Key: 'big', Range: 'bytes=1000-70000' })))).equals(big.subarray(1000, 70001)));
      // A part written before encryption joins a completed object as it is; the object is sealed.
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'old', Key: 'mp', UploadId: up.UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      assert.equal(done.ServerSideEncryption, 'AES256');
      assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'old', Key: 'mp' })))).equals(big));
      // Copying an old object seals the copy.
      assert.equal((await s3.send(new CopyObjectCommand({ Bucket: 'old', Key: 'copy', CopySource: 'old/big' }))).ServerSideEncryption, 'AES256');
      assert.ok((await bytes(s3.send(new GetObjectCommand({ Bucket: 'old', Key: 'copy' })))).equals(big));
      s3.destroy();
      await t.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sealed streams: any split of the upload, any range of the read', async () => {
    const blobs = new BlobStore({ memory: true });
    try {
      const crypto = BodyCrypto.withKey(randomBytes(32));
      for (const size of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 2 * 1024 * 1024 + 77]) {
        const plain = randomBytes(size);
        // Pieces of odd sizes, as a socket hands them over.
        const pieces: Buffer[] = [];
        for (let at = 0, i = 0; at < size; i++) {
          const n = [1, 700, 16_384, 65_535, 100_000][i % 5]!;
          pieces.push(plain.subarray(at, at + n));
          at += n;
        }
        const info = await crypto.writeSealed(blobs, pieces, { expectedSize: size });
        assert.equal(info.size, size);
        assert.ok(info.md5.equals(createHash('md5').update(plain).digest()));
        const read = async (range?: { start: number; end: number }) => {
          const parts: Buffer[] = [];
          for await (const c of await crypto.openSealed(blobs, info.id, size, range)) parts.push(c as Buffer);
          return Buffer.concat(parts);
        };
        assert.ok((await read()).equals(plain), `whole ${size}`);
        for (const [a, b] of [[0, 0], [CHUNK - 1, CHUNK], [5, size - 2], [size - 1, size - 1], [1024 * 1024 - 3, 1024 * 1024 + CHUNK + 9]]) {
          if (a! < 0 || a! >= size || b! >= size || b! < a!) continue;
          assert.ok((await read({ start: a!, end: b! })).equals(plain.subarray(a!, b! + 1)), `${size} bytes=${a}-${b}`);
        }
      }
      await assert.rejects(crypto.writeSealed(blobs, [randomBytes(10)], { expectedSize: 11 }));
      await assert.rejects(crypto.writeSealed(blobs, [randomBytes(10)], { maxBytes: 9 }));
    } finally {
      await blobs.close();
    }
  });

  test('a sealed body that was tampered with or cut short does not open', () => {
    const crypto = BodyCrypto.withKey(randomBytes(32));
    const plain = pattern(CHUNK * 2 + 5);
    const sealed = crypto.sealBuffer(plain);
    assert.ok(crypto.openBuffer(sealed, plain.length).equals(plain));
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 40]! ^= 1;
    assert.throws(() => crypto.openBuffer(flipped, plain.length));
    // Dropping the last chunk and claiming the shorter size fails: the new last chunk was not sealed as last.
    assert.throws(() => crypto.openBuffer(sealed.subarray(0, sealed.length - 5 - 16), CHUNK * 2));
    assert.throws(() => BodyCrypto.withKey(randomBytes(32)).openBuffer(sealed, plain.length));
  });
});
