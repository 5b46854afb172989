import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checksumBase64 } from '../../../src/protocols/checksums.js';
import { awsCli, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { rejectsWith } from '../../helpers/sqs.js';

const MiB = 1024 * 1024;
const NO_SUCH_UPLOAD = 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.';

function s3(t: TestNimbus, extra: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1, ...extra });
}

async function withBucket(fn: (c: S3Client, t: TestNimbus) => Promise<void>, opts: { memory?: boolean; dataDir?: string } = {}): Promise<void> {
  const t = await startTestNimbus({ memory: opts.memory ?? true, dataDir: opts.dataDir, clock: 'system', credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
  const c = s3(t);
  try {
    if (!opts.dataDir) await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    await fn(c, t);
  } finally {
    c.destroy();
    await t.stop();
  }
}

/** Deterministic bytes that differ at every offset of interest. */
const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 12)) % 251));
const md5 = (b: Buffer) => createHash('md5').update(b).digest();
/** S3's multipart ETag: the MD5 of the binary part MD5s, then `-<parts>`. */
const multipartEtag = (...parts: Buffer[]) => `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-${parts.length}"`;
const read = async (c: S3Client, Key: string) => Buffer.from(await (await c.send(new GetObjectCommand({ Bucket: 'data', Key }))).Body!.transformToByteArray());

describe('S3 multipart uploads', () => {
  after(() => removeCliHome());

  test('lib-storage Upload of a ~12 MiB stream in 5 MiB parts, 4 at a time, reads back byte-exact', () =>
    withBucket(async (c, t) => {
      const body = bytes(12 * MiB + 12345);
      const stream = Readable.from((function* () {
        for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024);
      })());
      const upload = new Upload({ client: c, params: { Bucket: 'data', Key: 'big/stream.bin', Body: stream, ContentType: 'application/x-test' }, partSize: 5 * MiB, queueSize: 4 });
      const done = await upload.done();
      const parts = [body.subarray(0, 5 * MiB), body.subarray(5 * MiB, 10 * MiB), body.subarray(10 * MiB)];
      assert.equal(done.ETag, multipartEtag(...parts));
      // lib-storage asks for CRC32 parts: the object gets S3's composite checksum of them.
      const composite = `${checksumBase64('CRC32', ...parts.map((p) => Buffer.from(checksumBase64('CRC32', p), 'base64')))}-3`;
      assert.equal(done.ChecksumCRC32, composite);
      assert.equal(done.ChecksumType, 'COMPOSITE');
      assert.equal(done.Location, `${t.endpoint}/data/big/stream.bin`);
      assert.ok((await read(c, 'big/stream.bin')).equals(body));
      const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'big/stream.bin', ChecksumMode: 'ENABLED' }));
      assert.equal(head.ContentLength, body.length);
      assert.equal(head.ContentType, 'application/x-test');
      assert.equal(head.ChecksumCRC32, composite);
      assert.equal(head.ChecksumType, 'COMPOSITE');
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'big/stream.bin', ChecksumMode: 'ENABLED', Range: 'bytes=5242878-5242881' }));
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(5 * MiB - 2, 5 * MiB + 2)));
      assert.equal((await c.send(new ListMultipartUploadsCommand({ Bucket: 'data' }))).Uploads, undefined);
    }));

  test('parts out of order, replaced, listed in pages; complete; abort; list uploads', () =>
    withBucket(async (c) => {
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'k', ContentType: 'text/x-parts', Metadata: { who: 'ada' } }));
      assert.ok(UploadId);
      const parts = [bytes(5 * MiB, 1), bytes(5 * MiB, 2), Buffer.from('the tail')];
      const etags: string[] = [];
      for (const n of [3, 1, 2]) {
        const r = await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'k', UploadId, PartNumber: n, Body: n === 1 ? Buffer.from('to be replaced') : parts[n - 1] }));
        etags[n - 1] = r.ETag!;
      }
      // Sending a part again replaces it.
      etags[0] = (await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'k', UploadId, PartNumber: 1, Body: parts[0] }))).ETag!;
      assert.deepEqual(etags, parts.map((p) => `"${md5(p).toString('hex')}"`));

      const first = await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'k', UploadId, MaxParts: 2 }));
      assert.deepEqual(first.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]), [[1, 5 * MiB, etags[0]], [2, 5 * MiB, etags[1]]]);
      assert.equal(first.IsTruncated, true);
      assert.equal(first.NextPartNumberMarker, '2');
      assert.equal(first.Initiator?.ID, ACCOUNT);
      const rest = await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'k', UploadId, PartNumberMarker: first.NextPartNumberMarker }));
      assert.deepEqual(rest.Parts?.map((p) => p.PartNumber), [3]);
      assert.equal(rest.IsTruncated, false);

      const listed = await c.send(new ListMultipartUploadsCommand({ Bucket: 'data' }));
      assert.deepEqual(listed.Uploads?.map((u) => [u.Key, u.UploadId]), [['k', UploadId]]);

      const done = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'k', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
      assert.equal(done.ETag, multipartEtag(...parts));
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'k' }));
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts)));
      assert.equal(got.ContentType, 'text/x-parts');
      assert.deepEqual(got.Metadata, { who: 'ada' });
      assert.equal(got.ETag, done.ETag);
      // A retry of the same completion (its answer lost) gets the same answer; anything else does not.
      const again = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'k', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
      assert.equal(again.ETag, done.ETag);
      await rejectsWith(c.send(new ListPartsCommand({ Bucket: 'data', Key: 'k', UploadId })), 'NoSuchUpload', NO_SUCH_UPLOAD);
      await rejectsWith(c.send(new UploadPartCommand({ Bucket: 'data', Key: 'k', UploadId, PartNumber: 1, Body: 'x' })), 'NoSuchUpload');
      await rejectsWith(c.send(new AbortMultipartUploadCommand({ Bucket: 'data', Key: 'k', UploadId })), 'NoSuchUpload');

      const other = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'k' }));
      await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'k', UploadId: other.UploadId, PartNumber: 1, Body: 'x' }));
      await c.send(new AbortMultipartUploadCommand({ Bucket: 'data', Key: 'k', UploadId: other.UploadId }));
      await rejectsWith(c.send(new ListPartsCommand({ Bucket: 'data', Key: 'k', UploadId: other.UploadId })), 'NoSuchUpload');
      assert.ok((await read(c, 'k')).equals(Buffer.concat(parts)), 'an aborted upload leaves the object alone');
    }));

  test('ListMultipartUploads: by key then initiation, prefix, delimiter, markers, pages', () =>
    withBucket(async (c) => {
      const ids: Record<string, string> = {};
      for (const [name, Key] of [['b1', 'b'], ['cd', 'c d'], ['a2', 'a/2'], ['b2', 'b'], ['a1', 'a/1']]) {
        ids[name!] = (await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key }))).UploadId!;
      }
      const list = async (input: Record<string, unknown>) => {
        const r = await c.send(new ListMultipartUploadsCommand({ Bucket: 'data', ...input }));
        return { uploads: (r.Uploads ?? []).map((u) => Object.keys(ids).find((k) => ids[k] === u.UploadId)), prefixes: (r.CommonPrefixes ?? []).map((p) => p.Prefix), r };
      };
      assert.deepEqual((await list({})).uploads, ['a1', 'a2', 'b1', 'b2', 'cd']);
      assert.deepEqual((await list({ Prefix: 'a/' })).uploads, ['a1', 'a2']);
      const rolled = await list({ Delimiter: '/' });
      assert.deepEqual([rolled.uploads, rolled.prefixes], [['b1', 'b2', 'cd'], ['a/']]);
      const page = await list({ MaxUploads: 3 });
      assert.deepEqual(page.uploads, ['a1', 'a2', 'b1']);
      assert.equal(page.r.IsTruncated, true);
      assert.deepEqual([page.r.NextKeyMarker, page.r.NextUploadIdMarker], ['b', ids.b1]);
      const next = await list({ KeyMarker: page.r.NextKeyMarker, UploadIdMarker: page.r.NextUploadIdMarker });
      assert.deepEqual(next.uploads, ['b2', 'cd']);
      assert.equal(next.r.IsTruncated, false);
      assert.deepEqual((await list({ KeyMarker: 'b' })).uploads, ['cd']);
      assert.deepEqual((await list({ Delimiter: '/', KeyMarker: 'a/', MaxUploads: 1 })).uploads, ['b1']);
      await rejectsWith(c.send(new ListMultipartUploadsCommand({ Bucket: 'data', MaxUploads: -1 })), 'InvalidArgument', 'Argument max-uploads must be an integer between 0 and 2147483647');
    }));

  test('errors: part numbers, EntityTooSmall, InvalidPart, InvalidPartOrder, NoSuchUpload, MalformedXML, conditions', () =>
    withBucket(async (c) => {
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'e' }));
      const small = ['one', 'two', 'three'].map((s) => Buffer.from(s));
      const etags: string[] = [];
      for (const [i, b] of small.entries()) etags.push((await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'e', UploadId, PartNumber: i + 1, Body: b }))).ETag!);
      const message = 'Part number must be an integer between 1 and 10000, inclusive';
      for (const PartNumber of [0, 10001]) await rejectsWith(c.send(new UploadPartCommand({ Bucket: 'data', Key: 'e', UploadId, PartNumber, Body: 'x' })), 'InvalidArgument', message);
      const complete = (Parts: { PartNumber: number; ETag: string }[], extra: object = {}) =>
        c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'e', UploadId, MultipartUpload: { Parts }, ...extra }));
      await assert.rejects(complete([{ PartNumber: 1, ETag: etags[0]! }, { PartNumber: 2, ETag: etags[1]! }]), (e: Error & Record<string, unknown>) => {
        assert.deepEqual([e.name, e.message], ['EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size']);
        // The elements S3 adds: the part's size and number, the minimum, and the ETag without quotes.
        assert.deepEqual([e.ProposedSize, e.MinSizeAllowed, e.PartNumber, e.ETag], ['3', String(5 * MiB), '1', etags[0]!.slice(1, -1)]);
        return true;
      });
      const invalidPart = "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.";
      await assert.rejects(complete([{ PartNumber: 1, ETag: etags[1]! }]), (e: Error & Record<string, unknown>) => {
        assert.deepEqual([e.name, e.message, e.UploadId, e.PartNumber, e.ETag], ['InvalidPart', invalidPart, UploadId, '1', etags[1]!.slice(1, -1)]);
        return true;
      });
      await rejectsWith(complete([{ PartNumber: 4, ETag: etags[0]! }]), 'InvalidPart', invalidPart);
      const order = 'The list of parts was not in ascending order. Parts must be ordered by part number.';
      await rejectsWith(complete([{ PartNumber: 2, ETag: etags[1]! }, { PartNumber: 1, ETag: etags[0]! }]), 'InvalidPartOrder', order);
      await rejectsWith(complete([{ PartNumber: 1, ETag: etags[0]! }, { PartNumber: 1, ETag: etags[0]! }]), 'InvalidPartOrder', order);
      await rejectsWith(complete([]), 'MalformedXML');
      await rejectsWith(c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'e', UploadId: 'nope', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etags[0]! }] } })), 'NoSuchUpload', NO_SUCH_UPLOAD);
      await rejectsWith(c.send(new ListPartsCommand({ Bucket: 'data', Key: 'other-key', UploadId })), 'NoSuchUpload');
      await rejectsWith(c.send(new CreateMultipartUploadCommand({ Bucket: 'nobucket', Key: 'e' })), 'NoSuchBucket');
      // A refused conditional completion leaves the upload in progress.
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'e', Body: 'already here' }));
      await rejectsWith(complete([{ PartNumber: 3, ETag: etags[2]! }], { IfNoneMatch: '*' }), 'PreconditionFailed');
      assert.equal((await read(c, 'e')).toString(), 'already here');
      assert.equal((await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'e', UploadId }))).Parts?.length, 3);
      await complete([{ PartNumber: 3, ETag: etags[2]! }]);
      assert.equal((await read(c, 'e')).toString(), 'three');
    }));

  test('checksums: composite and full-object CRC32 against known vectors, SHA256 parts, refusals', () =>
    withBucket(async (c, t) => {
      // 5 MiB of "A" and "tail": part and object CRC32s of the s3-tests vectors.
      const parts = [Buffer.alloc(5 * MiB, 'A'), Buffer.from('tail')];
      for (const [type, expected] of [['COMPOSITE', 'ar6UVw==-2'], ['FULL_OBJECT', 'gPNU7Q==']] as const) {
        const { UploadId, ChecksumType } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: type, ChecksumAlgorithm: 'CRC32', ChecksumType: type }));
        assert.equal(ChecksumType, type);
        const sent = [];
        for (const [i, Body] of parts.entries()) {
          const r = await c.send(new UploadPartCommand({ Bucket: 'data', Key: type, UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: 'CRC32' }));
          sent.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
        }
        assert.deepEqual(sent.map((p) => p.ChecksumCRC32), ['JRTCyQ==', 'fDe0XQ==']);
        const done = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: type, UploadId, MultipartUpload: { Parts: sent }, ChecksumType: type }));
        assert.deepEqual([done.ChecksumCRC32, done.ChecksumType], [expected, type]);
        const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: type, ChecksumMode: 'ENABLED' }));
        assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts)));
      }
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'sha', ChecksumAlgorithm: 'SHA256' }));
      const plain = s3(t, { requestChecksumCalculation: 'WHEN_REQUIRED' });
      await rejectsWith(plain.send(new UploadPartCommand({ Bucket: 'data', Key: 'sha', UploadId, PartNumber: 1, Body: 'one' })), 'InvalidRequest', 'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null');
      await rejectsWith(c.send(new UploadPartCommand({ Bucket: 'data', Key: 'sha', UploadId, PartNumber: 1, Body: 'one', ChecksumAlgorithm: 'CRC32' })), 'InvalidRequest', 'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32');
      plain.destroy();
      const part = await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'sha', UploadId, PartNumber: 1, Body: 'one', ChecksumAlgorithm: 'SHA256' }));
      assert.equal(part.ChecksumSHA256, checksumBase64('SHA256', Buffer.from('one')));
      const missing = 'The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.';
      await rejectsWith(c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'sha', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } })), 'InvalidRequest', missing);
      await rejectsWith(
        c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'sha', UploadId, ChecksumType: 'FULL_OBJECT', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumSHA256: part.ChecksumSHA256 }] } })),
        'BadDigest',
        'The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.',
      );
      const done = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'sha', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumSHA256: part.ChecksumSHA256 }] } }));
      assert.equal(done.ChecksumSHA256, `${checksumBase64('SHA256', Buffer.from(part.ChecksumSHA256!, 'base64'))}-1`);
      const refused = 'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.';
      await rejectsWith(c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'x', ChecksumAlgorithm: 'SHA256', ChecksumType: 'FULL_OBJECT' })), 'InvalidRequest', refused);
    }));

  test('UploadPartCopy: a range of an object and a whole object as parts', () =>
    withBucket(async (c) => {
      const source = bytes(6 * MiB, 3);
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'src/one', Body: source }));
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'src/two', Body: 'small tail' }));
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'copied' }));
      const first = await c.send(new UploadPartCopyCommand({ Bucket: 'data', Key: 'copied', UploadId, PartNumber: 1, CopySource: 'data/src/one', CopySourceRange: `bytes=1-${5 * MiB}` }));
      const second = await c.send(new UploadPartCopyCommand({ Bucket: 'data', Key: 'copied', UploadId, PartNumber: 2, CopySource: '/data/src%2Ftwo' }));
      const expected = [source.subarray(1, 5 * MiB + 1), Buffer.from('small tail')];
      assert.equal(first.CopyPartResult?.ETag, `"${md5(expected[0]!).toString('hex')}"`);
      assert.ok(second.CopyPartResult?.LastModified instanceof Date);
      await rejectsWith(
        c.send(new UploadPartCopyCommand({ Bucket: 'data', Key: 'copied', UploadId, PartNumber: 3, CopySource: 'data/src/two', CopySourceRange: 'bytes=5-100' })),
        'InvalidArgument',
        'Range specified is not valid for source object of size: 10',
      );
      await rejectsWith(c.send(new UploadPartCopyCommand({ Bucket: 'data', Key: 'copied', UploadId, PartNumber: 3, CopySource: 'data/missing' })), 'NoSuchKey');
      const Parts = [first.CopyPartResult!, second.CopyPartResult!].map((r, i) => ({ PartNumber: i + 1, ETag: r.ETag }));
      const done = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'copied', UploadId, MultipartUpload: { Parts } }));
      assert.equal(done.ETag, multipartEtag(...expected));
      assert.ok((await read(c, 'copied')).equals(Buffer.concat(expected)));
    }));

  test('DeleteBucket takes the uploads in progress with it', () =>
    withBucket(async (c) => {
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'k' }));
      await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'k', UploadId, PartNumber: 1, Body: 'x' }));
      await c.send(new DeleteBucketCommand({ Bucket: 'data' }));
      await rejectsWith(c.send(new ListPartsCommand({ Bucket: 'data', Key: 'k', UploadId })), 'NoSuchBucket');
      await c.send(new CreateBucketCommand({ Bucket: 'data' }));
      assert.equal((await c.send(new ListMultipartUploadsCommand({ Bucket: 'data' }))).Uploads, undefined);
    }));

  test('parts survive a restart (the startup sweep keeps them) and complete after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-mpu-'));
    try {
      let UploadId: string | undefined;
      const part = bytes(100_000, 9);
      await withBucket(
        async (c) => {
          await c.send(new CreateBucketCommand({ Bucket: 'data' }));
          UploadId = (await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'k' }))).UploadId;
          await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'k', UploadId, PartNumber: 1, Body: part }));
        },
        { memory: false, dataDir: dir },
      );
      await withBucket(
        async (c) => {
          await new Promise((r) => setTimeout(r, 200)); // let the startup sweep run
          const parts = await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'k', UploadId }));
          await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: parts.Parts![0]!.ETag }] } }));
          assert.ok((await read(c, 'k')).equals(part));
        },
        { memory: false, dataDir: dir },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a completion cut short by a crash is undone, or finished, at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-mpu-crash-'));
    const blobPath = (id: string) => join(dir, 'blobs', id.slice(0, 2), id);
    try {
      const ids: Record<string, string> = {};
      let partBlobs: string[] = [];
      let concatenated = '';
      await withBucket(
        async (c, t) => {
          await c.send(new CreateBucketCommand({ Bucket: 'data' }));
          for (const key of ['undone', 'finished']) {
            ids[key] = (await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: key }))).UploadId!;
            await c.send(new UploadPartCommand({ Bucket: 'data', Key: key, UploadId: ids[key], PartNumber: 1, Body: `body of ${key}` }));
          }
          await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'finished', Body: 'body of finished' }));
          const db = t.nimbus.store.db;
          partBlobs = (db.prepare('SELECT blob_id FROM s3_upload_parts ORDER BY upload_id').all() as { blob_id: string }[]).map((r) => r.blob_id);
          // 'undone': the concatenated body was written and recorded, the object commit never ran.
          concatenated = randomBytes(16).toString('hex');
          mkdirSync(join(dir, 'blobs', concatenated.slice(0, 2)), { recursive: true });
          writeFileSync(blobPath(concatenated), 'body of undone');
          const mark = db.prepare("UPDATE s3_uploads SET state = 'completing', blob_id = ?, result = ? WHERE upload_id = ?");
          const result = (blob: string) => JSON.stringify({ etag: '"x-1"', size: 14, checksums: {}, parts: 'n', objectBlob: blob });
          mark.run(concatenated, result(concatenated), ids.undone);
          // 'finished': the object commit named the body, then the crash came before the cleanup.
          const objectBlob = (db.prepare("SELECT blob_id FROM s3_objects WHERE bucket = 'data' AND key = 'finished'").get() as { blob_id: string }).blob_id;
          mark.run(objectBlob, result(objectBlob), ids.finished);
        },
        { memory: false, dataDir: dir },
      );
      await withBucket(
        async (c) => {
          await new Promise((r) => setTimeout(r, 300)); // recovery and the sweep run at startup
          assert.equal(existsSync(blobPath(concatenated)), false, 'the undone completion body is removed');
          const parts = await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'undone', UploadId: ids.undone }));
          assert.deepEqual(parts.Parts?.map((p) => p.PartNumber), [1], 'the upload is in progress again');
          await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'undone', UploadId: ids.undone, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: parts.Parts![0]!.ETag }] } }));
          assert.equal((await read(c, 'undone')).toString(), 'body of undone');
          await rejectsWith(c.send(new ListPartsCommand({ Bucket: 'data', Key: 'finished', UploadId: ids.finished })), 'NoSuchUpload');
          assert.equal((await read(c, 'finished')).toString(), 'body of finished');
          assert.deepEqual(partBlobs.map((id) => existsSync(blobPath(id))), [false, false], 'no part body is left behind');
        },
        { memory: false, dataDir: dir },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the AWS CLI copies a 20 MiB file up and down in parts', { skip: cliSkip }, () =>
    withBucket(async (_c, t) => {
      const dir = mkdtempSync(join(tmpdir(), 'nimbus-cli-mpu-'));
      try {
        const file = bytes(20 * MiB, 5);
        writeFileSync(join(dir, 'up.bin'), file);
        const up = await awsCli(t.endpoint, 's3', ['cp', join(dir, 'up.bin'), 's3://data/cli/file.bin']);
        assert.equal(up.code, 0, up.stderr);
        const head = await awsCli(t.endpoint, 's3api', ['head-object', '--bucket', 'data', '--key', 'cli/file.bin']);
        assert.match(JSON.parse(head.stdout).ETag, /^"[0-9a-f]{32}-3"$/, 'an 8 MiB threshold and chunk size: three parts');
        const down = await awsCli(t.endpoint, 's3', ['cp', 's3://data/cli/file.bin', join(dir, 'down.bin')]);
        assert.equal(down.code, 0, down.stderr);
        assert.ok(readFileSync(join(dir, 'down.bin')).equals(file));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }));
});

