/**
 * Versioning and checksum details as S3 answers them: no version id from an unversioned
 * bucket, x-amz-delete-marker on the 404 of a deleted key, BadDigest for a wrong digest, and
 * the newer checksum parameters (ChecksumType, CRC64NVME) wherever S3 takes or gives them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, signedS3Fetch } from '../../helpers/s3.js';

describe('S3 versioning and checksum answers', () => {
  let t: TestNimbus;
  let c: S3Client;
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    c = s3Client(t);
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    await c.send(new CreateBucketCommand({ Bucket: 'versioned' }));
    await c.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  test('an unversioned bucket gives no version id on PUT, GET, HEAD or copy', async () => {
    const put = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'x' }));
    assert.equal(put.VersionId, undefined);
    assert.equal((await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'k' }))).VersionId, undefined);
    assert.equal((await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'k' }))).VersionId, undefined);
    assert.equal((await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'k2', CopySource: 'data/k' }))).VersionId, undefined);
    const del = await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'k2' }));
    assert.equal(del.VersionId, undefined);
    assert.equal(del.DeleteMarker, undefined);
  });

  test('HEAD and GET of a deleted key in a versioned bucket answer 404 with x-amz-delete-marker and its version', async () => {
    await c.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'gone', Body: 'x' }));
    const del = await c.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'gone' }));
    assert.equal(del.DeleteMarker, true);
    const head = await signedS3Fetch(t, 'HEAD', '/versioned/gone', {});
    assert.equal(head.status, 404);
    const raw = await fetchHeaders(t, 'HEAD', '/versioned/gone');
    assert.equal(raw.get('x-amz-delete-marker'), 'true');
    assert.equal(raw.get('x-amz-version-id'), del.VersionId);
    const get = await fetchHeaders(t, 'GET', '/versioned/gone');
    assert.equal(get.get('x-amz-delete-marker'), 'true');
    // A key never written has no marker to report.
    const never = await fetchHeaders(t, 'HEAD', '/versioned/never');
    assert.equal(never.get('x-amz-delete-marker'), null);
  });

  test('a wrong Content-MD5 or x-amz-checksum-* is BadDigest, and nothing is stored', async () => {
    const wrongMd5 = createHash('md5').update('other').digest('base64');
    const r = await signedS3Fetch(t, 'PUT', '/data/bad', {}, { 'content-md5': wrongMd5 }, 'body');
    assert.equal(r.status, 400);
    assert.match(r.body, /<Code>BadDigest<\/Code><Message>The Content-MD5 you specified did not match what we received\.<\/Message>/);
    const crc = await signedS3Fetch(t, 'PUT', '/data/bad', {}, { 'x-amz-checksum-crc32': 'AAAAAA==' }, 'body');
    assert.equal(crc.status, 400);
    assert.match(crc.body, /<Code>BadDigest<\/Code>/);
    const sha = await signedS3Fetch(t, 'PUT', '/data/bad', {}, { 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') }, 'body');
    assert.match(sha.body, /<Code>BadDigest<\/Code>/);
    // Content-MD5 that is not an MD5 at all is InvalidDigest.
    const invalid = await signedS3Fetch(t, 'PUT', '/data/bad', {}, { 'content-md5': 'not-base64-md5' }, 'body');
    assert.match(invalid.body, /<Code>InvalidDigest<\/Code>/);
    await rejectsWith(c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'bad' })), 'NotFound');
  });

  test('CRC64NVME: PutObject with it, and HEAD/GET/GetObjectAttributes give it back with ChecksumType FULL_OBJECT', async () => {
    const put = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'nvme', Body: 'hello world', ChecksumAlgorithm: 'CRC64NVME' }));
    assert.ok(put.ChecksumCRC64NVME);
    assert.equal(put.ChecksumType, 'FULL_OBJECT');
    const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'nvme', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC64NVME, put.ChecksumCRC64NVME);
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
    const get = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'nvme', ChecksumMode: 'ENABLED' }));
    assert.equal(get.ChecksumCRC64NVME, put.ChecksumCRC64NVME);
    assert.equal(get.ChecksumType, 'FULL_OBJECT');
    assert.equal(await get.Body!.transformToString(), 'hello world');
    const attrs = await c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'nvme', ObjectAttributes: ['Checksum'] }));
    assert.equal(attrs.Checksum?.ChecksumCRC64NVME, put.ChecksumCRC64NVME);
    assert.equal(attrs.Checksum?.ChecksumType, 'FULL_OBJECT');
    // A copy computes the algorithm it is asked for.
    const copy = await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'nvme-copy', CopySource: 'data/nvme', ChecksumAlgorithm: 'CRC64NVME' }));
    assert.equal(copy.CopyObjectResult?.ChecksumCRC64NVME, put.ChecksumCRC64NVME);
    // A wrong CRC64NVME is BadDigest.
    const bad = await signedS3Fetch(t, 'PUT', '/data/nvme-bad', {}, { 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }, 'hello world');
    assert.match(bad.body, /<Code>BadDigest<\/Code>/);
  });

  test('multipart with ChecksumType FULL_OBJECT CRC64NVME and COMPOSITE CRC32', async () => {
    const full = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'mp-full', ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }));
    assert.equal(full.ChecksumAlgorithm, 'CRC64NVME');
    assert.equal(full.ChecksumType, 'FULL_OBJECT');
    const p1 = await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'mp-full', UploadId: full.UploadId, PartNumber: 1, Body: 'hello world', ChecksumAlgorithm: 'CRC64NVME' }));
    assert.ok(p1.ChecksumCRC64NVME);
    const done = await c.send(
      new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'mp-full', UploadId: full.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag, ChecksumCRC64NVME: p1.ChecksumCRC64NVME }] } }),
    );
    assert.equal(done.ChecksumType, 'FULL_OBJECT');
    const single = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'nvme', ChecksumMode: 'ENABLED' }));
    // The whole object's CRC64NVME is the same as a single PUT of the same bytes.
    assert.equal(done.ChecksumCRC64NVME, single.ChecksumCRC64NVME);

    const comp = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'mp-comp', ChecksumAlgorithm: 'CRC32', ChecksumType: 'COMPOSITE' }));
    const q1 = await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'mp-comp', UploadId: comp.UploadId, PartNumber: 1, Body: 'abc', ChecksumAlgorithm: 'CRC32' }));
    const d2 = await c.send(
      new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'mp-comp', UploadId: comp.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: q1.ETag, ChecksumCRC32: q1.ChecksumCRC32 }] } }),
    );
    assert.equal(d2.ChecksumType, 'COMPOSITE');
    assert.match(d2.ChecksumCRC32 ?? '', /-1$/);
    const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'mp-comp', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumType, 'COMPOSITE');
    // CRC64NVME cannot be COMPOSITE.
    const bad = await signedS3Fetch(t, 'POST', '/data/x', { uploads: '' }, { 'x-amz-checksum-algorithm': 'CRC64NVME', 'x-amz-checksum-type': 'COMPOSITE' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /<Code>InvalidRequest<\/Code>/);
  });
});

/** The headers of a signed request's answer (HEAD has no body to read them from). */
async function fetchHeaders(t: TestNimbus, method: string, path: string): Promise<Headers> {
  const { Sha256 } = await import('@smithy/core/checksum');
  const { HttpRequest } = await import('@smithy/core/protocols');
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const url = new URL(t.endpoint);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS, uriEscapePath: false });
  const signed = await signer.sign(
    new HttpRequest({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }),
  );
  const res = await fetch(`${t.endpoint}${path}`, { method, headers: signed.headers as Record<string, string> });
  await res.arrayBuffer();
  return res.headers;
}
