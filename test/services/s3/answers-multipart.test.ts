/**
 * Multipart details as S3 answers them: GET/HEAD by partNumber (PartsCount, one part's bytes,
 * a single-part object's part 1), InvalidRange and InvalidPartNumber, the owner and initiator
 * of an upload, a part uploaded twice where the later upload finishes first, and the
 * VersionId CompleteMultipartUpload gives in a versioned bucket.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, signedS3Fetch } from '../../helpers/s3.js';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';

/** A signed PUT (UNSIGNED-PAYLOAD) whose body the test writes when it likes. */
async function slowPut(t: TestNimbus, pathAndQuery: string, length: number) {
  const url = new URL(t.endpoint + pathAndQuery);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS, uriEscapePath: false });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': String(length) },
    }),
  );
  const req = request(url, { method: 'PUT', headers: signed.headers });
  const done = new Promise<{ status: number; etag: string }>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, etag: String(res.headers.etag) }));
    });
    req.on('error', reject);
  });
  return { req, done };
}

const MiB = 1024 * 1024;
const PART1 = Buffer.alloc(5 * MiB, 'a');
const PART2 = Buffer.alloc(5 * MiB, 'b');
const PART3 = Buffer.from('the short last part');

describe('S3 multipart answers', () => {
  let t: TestNimbus;
  let c: S3Client;
  let etag: string;
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    c = s3Client(t);
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'mp' }));
    const Parts = [];
    for (const [i, Body] of [PART1, PART2, PART3].entries()) {
      const r = await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'mp', UploadId, PartNumber: i + 1, Body }));
      Parts.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    const done = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'mp', UploadId, MultipartUpload: { Parts } }));
    etag = done.ETag!;
    assert.equal(done.VersionId, undefined);
    await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'single', Body: 'just one part' }));
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  test('GET and HEAD by partNumber answer 206 with that part and PartsCount', async () => {
    for (const [n, part] of [PART1, PART2, PART3].entries()) {
      const r = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'mp', PartNumber: n + 1 }));
      assert.equal(r.$metadata.httpStatusCode, 206);
      assert.equal(r.PartsCount, 3);
      assert.equal(r.ETag, etag);
      assert.equal(r.ContentLength, part.length);
      const start = n * 5 * MiB;
      assert.equal(r.ContentRange, `bytes ${start}-${start + part.length - 1}/${10 * MiB + PART3.length}`);
      assert.ok(Buffer.from(await r.Body!.transformToByteArray()).equals(part));
    }
    const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'mp', PartNumber: 2 }));
    assert.equal(head.$metadata.httpStatusCode, 206);
    assert.equal(head.PartsCount, 3);
    assert.equal(head.ContentLength, PART2.length);
    // Without partNumber, no PartsCount.
    const whole = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'mp' }));
    assert.equal(whole.PartsCount, undefined);
    assert.equal(whole.ContentLength, 10 * MiB + PART3.length);
  });

  test('a part number past the last is InvalidPartNumber; with a Range it is InvalidRequest', async () => {
    const r = await signedS3Fetch(t, 'GET', '/data/mp', { partNumber: '4' });
    assert.equal(r.status, 416);
    assert.match(r.body, /<Code>InvalidPartNumber<\/Code><Message>The requested partnumber is not satisfiable<\/Message>/);
    await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'single', PartNumber: 2 })), 'InvalidPartNumber');
    await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'mp', PartNumber: 1, Range: 'bytes=0-1' })), 'InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
    const zero = await signedS3Fetch(t, 'GET', '/data/mp', { partNumber: '0' });
    assert.equal(zero.status, 400);
    assert.match(zero.body, /<Code>InvalidArgument<\/Code>/);
  });

  test('part 1 of an object uploaded in one piece is the whole object', async () => {
    const r = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'single', PartNumber: 1 }));
    assert.equal(r.$metadata.httpStatusCode, 206);
    assert.equal(await r.Body!.transformToString(), 'just one part');
    assert.equal(r.ContentRange, 'bytes 0-12/13');
    assert.equal(r.PartsCount, undefined);
  });

  test('a range past the end is InvalidRange (416) with the object size', async () => {
    const r = await signedS3Fetch(t, 'GET', '/data/single', {}, { range: 'bytes=100-200' });
    assert.equal(r.status, 416);
    assert.match(r.body, /<Code>InvalidRange<\/Code>/);
    assert.match(r.body, /<ActualObjectSize>13<\/ActualObjectSize>/);
    await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'single', Range: 'bytes=13-' })), 'InvalidRange');
    // A suffix longer than the object is the whole object.
    const all = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'single', Range: 'bytes=-100' }));
    assert.equal(await all.Body!.transformToString(), 'just one part');
  });

  test('GetObjectAttributes lists the parts of a multipart object, paged by MaxParts', async () => {
    const first = await c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'mp', ObjectAttributes: ['ObjectParts'], MaxParts: 2 }));
    assert.equal(first.ObjectParts?.TotalPartsCount, 3);
    assert.equal(first.ObjectParts?.MaxParts, 2);
    assert.equal(first.ObjectParts?.IsTruncated, true);
    assert.deepEqual(first.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, 5 * MiB], [2, 5 * MiB]]);
    const next = await c.send(
      new GetObjectAttributesCommand({ Bucket: 'data', Key: 'mp', ObjectAttributes: ['ObjectParts'], MaxParts: 2, PartNumberMarker: first.ObjectParts?.NextPartNumberMarker }),
    );
    assert.equal(next.ObjectParts?.IsTruncated, false);
    assert.equal(next.ObjectParts?.PartNumberMarker, '2');
    assert.deepEqual(next.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), [[3, PART3.length]]);
    const single = await c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'single', ObjectAttributes: ['ObjectParts', 'ObjectSize'] }));
    assert.equal(single.ObjectParts, undefined);
    assert.equal(single.ObjectSize, 13);
  });

  test("GetObjectAttributes' ObjectParts carry each part's checksum when the upload has a checksum algorithm", async () => {
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'summed', ChecksumAlgorithm: 'SHA256' }));
    const bodies = [Buffer.alloc(5 * MiB, 'a'), Buffer.from('the last part')];
    const parts = [];
    for (const [i, Body] of bodies.entries()) {
      const up = await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'summed', UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: 'SHA256' }));
      assert.equal(up.ChecksumSHA256, createHash('sha256').update(Body).digest('base64'));
      parts.push({ PartNumber: i + 1, ETag: up.ETag, ChecksumSHA256: up.ChecksumSHA256 });
    }
    await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'summed', UploadId, MultipartUpload: { Parts: parts } }));
    const attrs = await c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'summed', ObjectAttributes: ['ObjectParts', 'Checksum'] }));
    assert.match(attrs.Checksum?.ChecksumSHA256 ?? '', /-2$/);
    assert.deepEqual(
      attrs.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256, p.ChecksumCRC32]),
      parts.map((p, i) => [p.PartNumber, bodies[i]!.length, p.ChecksumSHA256, undefined]),
    );
    // Paged from a marker, the checksum stays with its part.
    const second = await c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'summed', ObjectAttributes: ['ObjectParts'], PartNumberMarker: '1' }));
    assert.deepEqual(second.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.ChecksumSHA256]), [[2, parts[1]!.ChecksumSHA256]]);
  });

  test('ListMultipartUploads and ListParts name the owner and the initiator', async () => {
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'pending' }));
    const list = await c.send(new ListMultipartUploadsCommand({ Bucket: 'data' }));
    const u = list.Uploads?.find((x) => x.UploadId === UploadId);
    assert.ok(u);
    assert.ok(u.Owner?.ID);
    assert.ok(u.Owner?.DisplayName);
    // The account itself initiated it: the initiator is the owner.
    assert.equal(u.Initiator?.ID, u.Owner?.ID);
    assert.ok(u.Initiator?.DisplayName);
    const parts = await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'pending', UploadId }));
    assert.equal(parts.Owner?.ID, u.Owner?.ID);
    assert.equal(parts.Initiator?.ID, u.Initiator?.ID);
  });

  test('a part uploaded twice: the upload that finishes last is the part', async () => {
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'race' }));
    // The first upload of part 1 sends half its body and waits.
    const slow = await slowPut(t, `/data/race?partNumber=1&uploadId=${encodeURIComponent(UploadId!)}`, 10);
    slow.req.write('AAAAA');
    // The second upload of part 1 starts later and finishes first.
    const second = await c.send(new UploadPartCommand({ Bucket: 'data', Key: 'race', UploadId, PartNumber: 1, Body: 'BBBBBBBBBB' }));
    slow.req.end('AAAAA');
    const res = await slow.done;
    assert.equal(res.status, 200);
    const firstDone = { ETag: res.etag };
    assert.notEqual(firstDone.ETag, second.ETag);
    const parts = await c.send(new ListPartsCommand({ Bucket: 'data', Key: 'race', UploadId }));
    assert.deepEqual(parts.Parts?.map((p) => p.ETag), [firstDone.ETag]);
    await rejectsWith(
      c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'race', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: second.ETag }] } })),
      'InvalidPart',
    );
    await c.send(new CompleteMultipartUploadCommand({ Bucket: 'data', Key: 'race', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: firstDone.ETag }] } }));
    const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'race' }));
    assert.equal(await got.Body!.transformToString(), 'AAAAAAAAAA');
  });

  test('CompleteMultipartUpload gives the new version id in a versioned bucket', async () => {
    await c.send(new CreateBucketCommand({ Bucket: 'versioned' }));
    await c.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: 'versioned', Key: 'k' }));
    const p = await c.send(new UploadPartCommand({ Bucket: 'versioned', Key: 'k', UploadId, PartNumber: 1, Body: 'one part' }));
    const done = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'versioned', Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }));
    assert.ok(done.VersionId);
    const head = await c.send(new HeadObjectCommand({ Bucket: 'versioned', Key: 'k' }));
    assert.equal(head.VersionId, done.VersionId);
    const attrs = await c.send(new GetObjectAttributesCommand({ Bucket: 'versioned', Key: 'k', ObjectAttributes: ['ETag'] }));
    assert.equal(attrs.VersionId, done.VersionId);
    // A retry of the completion (its answer lost) answers the same version.
    const again = await c.send(new CompleteMultipartUploadCommand({ Bucket: 'versioned', Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }));
    assert.equal(again.VersionId, done.VersionId);
  });
});
