import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  type ObjectAttributes,
  type Tag,
} from '@aws-sdk/client-s3';
import { RestRoutes } from '../../../src/protocols/rest.js';
import { parseTaggingHeader } from '../../../src/services/s3/engine/tagging.js';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, signedS3Fetch, withBucket } from '../../helpers/s3.js';

const s3 = s3Client;

const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');
const text = async (c: S3Client, Key: string, Bucket = 'data') => (await c.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
const tagsOf = async (c: S3Client, Key: string) => (await c.send(new GetObjectTaggingCommand({ Bucket: 'data', Key }))).TagSet;
const tags = (o: Record<string, string>): Tag[] => Object.entries(o).map(([Key, Value]) => ({ Key, Value }));
const put = (c: S3Client, Key: string, Body: string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
  c.send(new PutObjectCommand({ Bucket: 'data', Key, Body, ...extra }));

describe('CopyObject', () => {
  test('copies body, metadata and tags; REPLACE takes them from the request', () =>
    withBucket(async (c) => {
      const key = 'dir/ünï cödé+?&.txt';
      const body = 'the original bytes';
      await put(c, key, body, { ContentType: 'text/plain', Metadata: { author: 'ada' }, CacheControl: 'max-age=5' });
      await c.send(new PutObjectTaggingCommand({ Bucket: 'data', Key: key, Tagging: { TagSet: tags({ team: 'core' }) } }));

      const copied = await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy', CopySource: `data/${encodeURIComponent(key)}` }));
      assert.equal(copied.CopyObjectResult?.ETag, `"${md5(body)}"`);
      assert.ok(copied.CopyObjectResult?.LastModified instanceof Date);
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'copy' }));
      assert.equal(await got.Body!.transformToString(), body);
      assert.equal(got.ContentType, 'text/plain');
      assert.equal(got.CacheControl, 'max-age=5');
      assert.deepEqual(got.Metadata, { author: 'ada' });
      assert.deepEqual(await tagsOf(c, 'copy'), tags({ team: 'core' }));

      // A leading slash, and another bucket; the copy's body does not depend on the source's.
      await c.send(new CreateBucketCommand({ Bucket: 'other' }));
      await c.send(new CopyObjectCommand({ Bucket: 'other', Key: 'k', CopySource: `/data/${encodeURIComponent(key)}` }));
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: key }));
      assert.equal(await text(c, 'k', 'other'), body);

      await c.send(
        new CopyObjectCommand({
          Bucket: 'data',
          Key: 'replaced',
          CopySource: 'data/copy',
          MetadataDirective: 'REPLACE',
          ContentType: 'application/x-new',
          Metadata: { reviewer: 'grace' },
          TaggingDirective: 'REPLACE',
          Tagging: 'b=two%20words&a=1',
        }),
      );
      const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'replaced' }));
      assert.equal(head.ContentType, 'application/x-new');
      assert.equal(head.CacheControl, undefined);
      assert.deepEqual(head.Metadata, { reviewer: 'grace' });
      assert.deepEqual(await tagsOf(c, 'replaced'), tags({ a: '1', b: 'two words' }));

      // PutObject keeps its URI: without x-amz-copy-source a PUT is an upload.
      await put(c, 'replaced', 'uploaded');
      assert.equal(await text(c, 'replaced'), 'uploaded');
    }));

  test('onto itself only with REPLACE; overwrites a destination; keeps or computes checksums', () =>
    withBucket(async (c) => {
      await put(c, 'self', 'same bytes', { ContentType: 'text/plain', ChecksumAlgorithm: 'CRC32' });
      await rejectsWith(
        c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'self', CopySource: 'data/self' })),
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
      await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'self', CopySource: 'data/self', MetadataDirective: 'REPLACE', Metadata: { v: '2' } }));
      const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'self' }));
      assert.deepEqual(head.Metadata, { v: '2' });
      assert.equal(await text(c, 'self'), 'same bytes');

      await put(c, 'dest', 'to be replaced');
      const copy = await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'dest', CopySource: 'data/self' }));
      assert.ok(copy.CopyObjectResult?.ChecksumCRC32, 'the source checksum travels with the copy');
      assert.equal(await text(c, 'dest'), 'same bytes');

      const sha = await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'sha', CopySource: 'data/self', ChecksumAlgorithm: 'SHA256' }));
      assert.equal(sha.CopyObjectResult?.ChecksumSHA256, createHash('sha256').update('same bytes').digest('base64'));
      assert.equal(sha.CopyObjectResult?.ChecksumType, 'FULL_OBJECT');
      // Conditional write on the destination, as for PutObject.
      await rejectsWith(c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'sha', CopySource: 'data/self', IfNoneMatch: '*' })), 'PreconditionFailed');
    }));

  test('x-amz-copy-source-if-* conditions: 412 when they fail', () =>
    withBucket(async (c, t) => {
      const { ETag } = await put(c, 'src', 'conditional');
      const copy = (extra: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]>) =>
        c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'dst', CopySource: 'data/src', ...extra }));
      const past = new Date(t.clock.now() - 3_600_000);
      const future = new Date(t.clock.now() + 3_600_000);
      await rejectsWith(copy({ CopySourceIfMatch: '"0000"' }), 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
      await rejectsWith(copy({ CopySourceIfNoneMatch: ETag }), 'PreconditionFailed');
      await rejectsWith(copy({ CopySourceIfModifiedSince: future }), 'PreconditionFailed');
      await rejectsWith(copy({ CopySourceIfUnmodifiedSince: past }), 'PreconditionFailed');
      // The reference's combinations: a failing If-None-Match refuses even with If-Modified-Since holding ...
      await rejectsWith(copy({ CopySourceIfNoneMatch: ETag, CopySourceIfModifiedSince: past }), 'PreconditionFailed');
      await rejectsWith(c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'dst' })), 'NotFound');
      // ... and If-Match holding wins over a failing If-Unmodified-Since.
      await copy({ CopySourceIfMatch: ETag, CopySourceIfUnmodifiedSince: past });
      // As in HTTP, an If-None-Match that holds makes If-Modified-Since irrelevant.
      await copy({ CopySourceIfNoneMatch: '"0000"', CopySourceIfModifiedSince: future });
      assert.equal(await text(c, 'dst'), 'conditional');
    }));

  test('refusals: no such source, a malformed source, an unknown directive', () =>
    withBucket(async (c) => {
      await put(c, 'src', 'x');
      const copy = (CopySource: string, extra: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]> = {}) =>
        c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'dst', CopySource, ...extra }));
      await rejectsWith(copy('data/missing'), 'NoSuchKey', 'The specified key does not exist.');
      await rejectsWith(copy('nowhere/src'), 'NoSuchBucket', 'The specified bucket does not exist');
      await rejectsWith(copy('data'), 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
      await rejectsWith(copy('data/src', { MetadataDirective: 'MOVE' as 'COPY' }), 'InvalidArgument', 'Unknown metadata directive.');
      await rejectsWith(copy('data/src', { TaggingDirective: 'REPLACE', Tagging: 'a=1&a=2' }), 'InvalidArgument');
      await rejectsWith(c.send(new CopyObjectCommand({ Bucket: 'nowhere', Key: 'dst', CopySource: 'data/src' })), 'NoSuchBucket');
    }));
});

describe('DeleteObjects', () => {
  test('deletes the keys given, reports each, and quietly', () =>
    withBucket(async (c) => {
      for (const Key of ['a', 'b', 'c', 'keep']) await put(c, Key, Key);
      const out = await c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'never-was' }] } }));
      assert.deepEqual(out.Deleted?.map((d) => d.Key).sort(), ['a', 'b', 'never-was']);
      assert.equal(out.Errors, undefined);
      const quiet = await c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'c' }], Quiet: true } }));
      assert.equal(quiet.Deleted, undefined);
      const left = await c.send(new ListObjectsV2Command({ Bucket: 'data' }));
      assert.deepEqual(left.Contents?.map((o) => o.Key), ['keep']);
    }));

  test('a key the bucket policy protects is an Error entry; the others are deleted', () =>
    withBucket(async (c) => {
      await put(c, 'locked/x', 'x');
      await put(c, 'free', 'y');
      const Policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/locked/*' }],
      });
      await c.send(new PutBucketPolicyCommand({ Bucket: 'data', Policy }));
      const out = await c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'locked/x' }, { Key: 'free' }] } }));
      assert.deepEqual(out.Deleted?.map((d) => d.Key), ['free']);
      assert.deepEqual(out.Errors, [{ Key: 'locked/x', Code: 'AccessDenied', Message: 'Access Denied' }]);
      assert.equal(await text(c, 'locked/x'), 'x');
    }));

  test('refusals: over 1000 keys, no bucket, no checksum, a wrong Content-MD5', () =>
    withBucket(async (c, t) => {
      const many = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));
      await rejectsWith(c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: many } })), 'MalformedXML');
      await c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: many.slice(0, 1000) } }));
      await rejectsWith(c.send(new DeleteObjectsCommand({ Bucket: 'nowhere', Delete: { Objects: [{ Key: 'a' }] } })), 'NoSuchBucket');

      await put(c, 'a', 'a');
      const doc = '<Delete><Object><Key>a</Key></Object></Delete>';
      const none = await signedS3Fetch(t, 'POST', '/data', { delete: '' }, {}, doc);
      assert.equal(none.status, 400);
      assert.match(none.body, /<Code>InvalidRequest<\/Code><Message>Missing required header for this request: Content-MD5.<\/Message>/);
      const wrong = await signedS3Fetch(t, 'POST', '/data', { delete: '' }, { 'content-md5': createHash('md5').update('other').digest('base64') }, doc);
      assert.match(wrong.body, /<Code>BadDigest<\/Code>/);
      assert.equal(await text(c, 'a'), 'a');
      const right = await signedS3Fetch(t, 'POST', '/data', { delete: '' }, { 'content-md5': createHash('md5').update(doc).digest('base64') }, doc);
      assert.equal(right.status, 200, right.body);
      assert.match(right.body, /<DeleteResult xmlns="[^"]+"><Deleted><Key>a<\/Key><\/Deleted><\/DeleteResult>/);
      const empty = '<Delete></Delete>';
      const noKeys = await signedS3Fetch(t, 'POST', '/data', { delete: '' }, { 'content-md5': createHash('md5').update(empty).digest('base64') }, empty);
      assert.match(noKeys.body, /<Code>MalformedXML<\/Code>/);
    }));
});

describe('object tagging', () => {
  test('put, get (in key order), replace and delete a tag set', () =>
    withBucket(async (c) => {
      await put(c, 'obj', 'hello');
      assert.deepEqual(await tagsOf(c, 'obj'), []);
      const ten = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`key-${i}`, `value ${i}`]));
      ten['k'.repeat(128)] = 'v'.repeat(256);
      ten['b c+d-e=f.g_h:i/j@k'] = '';
      await c.send(new PutObjectTaggingCommand({ Bucket: 'data', Key: 'obj', Tagging: { TagSet: tags(ten) } }));
      const sorted = Object.keys(ten).sort();
      assert.deepEqual((await tagsOf(c, 'obj'))?.map((t) => t.Key), sorted);
      assert.equal((await tagsOf(c, 'obj'))?.find((t) => t.Key === 'key-3')?.Value, 'value 3');
      await c.send(new PutObjectTaggingCommand({ Bucket: 'data', Key: 'obj', Tagging: { TagSet: tags({ only: 'one' }) } }));
      assert.deepEqual(await tagsOf(c, 'obj'), tags({ only: 'one' }));
      await c.send(new DeleteObjectTaggingCommand({ Bucket: 'data', Key: 'obj' }));
      assert.deepEqual(await tagsOf(c, 'obj'), []);
      assert.equal(await text(c, 'obj'), 'hello', 'tags change nothing else');
    }));

  test('refusals, worded as S3 words them', () =>
    withBucket(async (c, t) => {
      await put(c, 'obj', 'x');
      const putTags = (TagSet: Tag[], Key = 'obj') => c.send(new PutObjectTaggingCommand({ Bucket: 'data', Key, Tagging: { TagSet } }));
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: '' }));
      await rejectsWith(putTags(eleven), 'InvalidTag', 'Object tags cannot be greater than 10');
      await rejectsWith(putTags([{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }]), 'InvalidTag', 'Cannot provide multiple Tags with the same key');
      await rejectsWith(putTags(tags({ ['k'.repeat(129)]: '' })), 'InvalidTag', 'The TagKey you have provided is invalid');
      await rejectsWith(putTags(tags({ 'a,b': '' })), 'InvalidTag', 'The TagKey you have provided is invalid');
      await rejectsWith(putTags(tags({ k: 'v'.repeat(257) })), 'InvalidTag', 'The TagValue you have provided is invalid');
      await rejectsWith(putTags(tags({ 'aws:cost': 'x' })), 'InvalidTag', 'System tags cannot be added/updated by requester');
      await rejectsWith(putTags(tags({ a: '1' }), 'missing'), 'NoSuchKey');
      await rejectsWith(c.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'missing' })), 'NoSuchKey');
      await rejectsWith(c.send(new DeleteObjectTaggingCommand({ Bucket: 'data', Key: 'missing' })), 'NoSuchKey');
      assert.deepEqual(await tagsOf(c, 'obj'), []);

      const md5b64 = (s: string) => createHash('md5').update(s).digest('base64');
      const noCheck = await signedS3Fetch(t, 'PUT', '/data/obj', { tagging: '' }, {}, '<Tagging><TagSet/></Tagging>');
      assert.match(noCheck.body, /<Code>InvalidRequest<\/Code><Message>Missing required header for this request: Content-MD5.<\/Message>/);
      const noSet = '<Tagging></Tagging>';
      assert.match((await signedS3Fetch(t, 'PUT', '/data/obj', { tagging: '' }, { 'content-md5': md5b64(noSet) }, noSet)).body, /<Code>MalformedXML<\/Code>/);
      const noValue = '<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>';
      assert.match((await signedS3Fetch(t, 'PUT', '/data/obj', { tagging: '' }, { 'content-md5': md5b64(noValue) }, noValue)).body, /<Code>MalformedXML<\/Code>/);
      assert.match((await signedS3Fetch(t, 'PUT', '/data/obj', { tagging: '' }, { 'content-md5': md5b64('') }, '')).body, /<Code>MissingRequestBodyError<\/Code>/);
    }));

  test('the x-amz-tagging header form', () => {
    assert.deepEqual(parseTaggingHeader('a=1&b=2'), { a: '1', b: '2' });
    assert.deepEqual(parseTaggingHeader('a&b='), { a: '', b: '' });
    assert.deepEqual(parseTaggingHeader('a%20b=c%2Bd&e+f=g=h'), { 'a b': 'c+d', 'e f': 'g=h' });
    assert.deepEqual(parseTaggingHeader('%C3%BC=%E6%96%87'), { ü: '文' });
    assert.deepEqual(parseTaggingHeader(''), {});
    const message = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";
    for (const bad of ['a=1&a=2', '=1', 'a=%FF']) {
      assert.throws(() => parseTaggingHeader(bad), (e: Error & { code?: string }) => e.message === message && e.code === 'InvalidArgument', bad);
    }
    assert.throws(() => parseTaggingHeader('a,b=1'), (e: Error & { code?: string }) => e.code === 'InvalidTag');
  });

  test('PutObject with x-amz-tagging; GET and HEAD answer x-amz-tagging-count', () =>
    withBucket(async (c) => {
      await put(c, 'tagged', 'x', { Tagging: 'b=2&a=1' });
      assert.deepEqual(await tagsOf(c, 'tagged'), tags({ a: '1', b: '2' }));
      assert.equal((await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'tagged' }))).TagCount, 2);
      const got = await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'tagged' }));
      assert.equal(got.TagCount, 2);
      await got.Body!.transformToString();
      await rejectsWith(put(c, 'bad', 'x', { Tagging: 'a=1&a=2' }), 'InvalidArgument');
      await rejectsWith(c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'bad' })), 'NotFound');
      await put(c, 'plain', 'x');
      assert.equal((await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'plain' }))).TagCount, undefined);
    }));
});

describe('GetObjectAttributes', () => {
  test('the attributes asked for, and the refusals', () =>
    withBucket(async (c, t) => {
      await put(c, 'obj', 'attribute bytes', { ChecksumAlgorithm: 'SHA256' });
      const all: ObjectAttributes[] = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];
      const got = await c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'obj', ObjectAttributes: all }));
      assert.equal(got.ETag, md5('attribute bytes'), 'unquoted');
      assert.equal(got.ObjectSize, 'attribute bytes'.length);
      assert.equal(got.StorageClass, 'STANDARD');
      assert.deepEqual(got.Checksum, { ChecksumSHA256: createHash('sha256').update('attribute bytes').digest('base64'), ChecksumType: 'FULL_OBJECT' });
      assert.equal(got.ObjectParts, undefined, 'a single upload has no parts');
      assert.ok(got.LastModified instanceof Date);

      const some = await c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'obj', ObjectAttributes: ['ObjectSize'] }));
      assert.equal(some.ObjectSize, 15);
      assert.equal(some.ETag, undefined);

      await rejectsWith(
        c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'obj', ObjectAttributes: ['ETag', 'Owner' as ObjectAttributes] })),
        'InvalidArgument',
        'Invalid attribute name specified.',
      );
      await rejectsWith(c.send(new GetObjectAttributesCommand({ Bucket: 'data', Key: 'missing', ObjectAttributes: ['ETag'] })), 'NoSuchKey');
      const none = await signedS3Fetch(t, 'GET', '/data/obj', { attributes: '' });
      assert.equal(none.status, 400);
      assert.match(none.body, /<Code>InvalidRequest<\/Code><Message>Missing required header for this request: x-amz-object-attributes<\/Message>/);
    }));
});

describe('bucket tagging', () => {
  test('NoSuchTagSet until tagged; put, replace, delete; gone with the bucket', () =>
    withBucket(async (c, t) => {
      const get = () => c.send(new GetBucketTaggingCommand({ Bucket: 'data' }));
      await rejectsWith(get(), 'NoSuchTagSet', 'The TagSet does not exist');
      await c.send(new PutBucketTaggingCommand({ Bucket: 'data', Tagging: { TagSet: tags({ team: 'core', env: 'dev' }) } }));
      assert.deepEqual((await get()).TagSet, tags({ env: 'dev', team: 'core' }));
      const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${String(i).padStart(2, '0')}`, Value: String(i) }));
      await c.send(new PutBucketTaggingCommand({ Bucket: 'data', Tagging: { TagSet: fifty } }));
      assert.deepEqual((await get()).TagSet, fifty);
      await rejectsWith(
        c.send(new PutBucketTaggingCommand({ Bucket: 'data', Tagging: { TagSet: [...fifty, { Key: 'more', Value: '' }] } })),
        'BadRequest',
        'Bucket tags cannot be greater than 50',
      );
      await rejectsWith(c.send(new PutBucketTaggingCommand({ Bucket: 'data', Tagging: { TagSet: tags({ 'aws:x': '1' }) } })), 'InvalidTag');
      await c.send(new DeleteBucketTaggingCommand({ Bucket: 'data' }));
      await rejectsWith(get(), 'NoSuchTagSet');
      await rejectsWith(c.send(new GetBucketTaggingCommand({ Bucket: 'nowhere' })), 'NoSuchBucket');

      // A bucket created again under the same name starts without tags.
      await c.send(new PutBucketTaggingCommand({ Bucket: 'data', Tagging: { TagSet: tags({ old: 'life' }) } }));
      await c.send(new DeleteBucketCommand({ Bucket: 'data' }));
      t.clock.advance(1000);
      await c.send(new CreateBucketCommand({ Bucket: 'data' }));
      await rejectsWith(get(), 'NoSuchTagSet');
    }));

  test('bucket and object tags survive a restart', async () => {
    const creds = [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }];
    const t = await startTestNimbus({ memory: false, credentials: creds });
    const dir = t.dataDir!;
    const c = s3(t);
    await c.send(new CreateBucketCommand({ Bucket: 'keep' }));
    await c.send(new PutBucketTaggingCommand({ Bucket: 'keep', Tagging: { TagSet: tags({ durable: 'yes' }) } }));
    await c.send(new PutObjectCommand({ Bucket: 'keep', Key: 'k', Body: 'v' }));
    await c.send(new PutObjectTaggingCommand({ Bucket: 'keep', Key: 'k', Tagging: { TagSet: tags({ also: 'yes' }) } }));
    c.destroy();
    await t.nimbus.stop();
    const again = await startTestNimbus({ memory: false, dataDir: dir, credentials: creds });
    const c2 = s3(again);
    try {
      assert.deepEqual((await c2.send(new GetBucketTaggingCommand({ Bucket: 'keep' }))).TagSet, tags({ durable: 'yes' }));
      assert.deepEqual((await c2.send(new GetObjectTaggingCommand({ Bucket: 'keep', Key: 'k' }))).TagSet, tags({ also: 'yes' }));
    } finally {
      c2.destroy();
      await again.stop();
      const { rmSync } = await import('node:fs');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('REST routes with a required header', () => {
  test('a route that requires a header is tried first, and only when the header is there', () => {
    const routes = new RestRoutes({
      Put: { http: { method: 'PUT' as const, uri: '/{Bucket}/{Key+}' } },
      Copy: { http: { method: 'PUT' as const, uri: '/{Bucket}/{Key+}', header: 'X-Amz-Copy-Source' } },
      Tagging: { http: { method: 'PUT' as const, uri: '/{Bucket}/{Key+}?tagging' } },
    });
    const q = new URLSearchParams();
    assert.equal(routes.match('PUT', '/b/k', q)?.name, 'Put');
    assert.equal(routes.match('PUT', '/b/k', q, { 'x-amz-copy-source': 'b/j' })?.name, 'Copy');
    assert.equal(routes.match('PUT', '/b/k', new URLSearchParams('tagging'), { 'x-amz-copy-source': 'b/j' })?.name, 'Tagging');
  });
});
