/**
 * Listing details as S3 answers them: IsTruncated after the last common prefix, markers that
 * name a common prefix, an empty delimiter not echoed, url encoding of every key-like field,
 * an empty continuation token, and ListBuckets' max-buckets/continuation/prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, ListBucketsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { s3Client, signedS3Fetch } from '../../helpers/s3.js';

describe('S3 listing answers', () => {
  let t: TestNimbus;
  let c: S3Client;
  const KEYS = ['asdf', 'boo/bar', 'boo/baz/xyzzy', 'cquux/bla', 'cquux/thud'];
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }] });
    c = s3Client(t);
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    for (const Key of KEYS) await c.send(new PutObjectCommand({ Bucket: 'data', Key, Body: Key }));
  });
  after(async () => {
    c.destroy();
    await t.stop();
  });

  test('ListObjects pages one entry at a time through keys and common prefixes; the last page is not truncated', async () => {
    const page = (Marker: string) => c.send(new ListObjectsCommand({ Bucket: 'data', Delimiter: '/', MaxKeys: 1, Marker }));
    let r = await page('');
    assert.deepEqual([r.Contents?.map((o) => o.Key), r.CommonPrefixes, r.IsTruncated, r.NextMarker], [['asdf'], undefined, true, 'asdf']);
    r = await page('asdf');
    assert.deepEqual([r.Contents, r.CommonPrefixes?.map((p) => p.Prefix), r.IsTruncated, r.NextMarker], [undefined, ['boo/'], true, 'boo/']);
    // The marker names a common prefix: its keys are not rolled up again.
    r = await page('boo/');
    assert.deepEqual([r.Contents, r.CommonPrefixes?.map((p) => p.Prefix), r.IsTruncated, r.NextMarker], [undefined, ['cquux/'], false, undefined]);
  });

  test('ListObjectsV2 pages the same way by continuation token', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    const truncated: boolean[] = [];
    do {
      const r = await c.send(new ListObjectsV2Command({ Bucket: 'data', Delimiter: '/', MaxKeys: 1, ContinuationToken: token }));
      seen.push(...(r.Contents ?? []).map((o) => o.Key!), ...(r.CommonPrefixes ?? []).map((p) => p.Prefix!));
      truncated.push(r.IsTruncated!);
      assert.equal(r.KeyCount, 1);
      token = r.NextContinuationToken;
    } while (token && seen.length < 10);
    assert.deepEqual(seen, ['asdf', 'boo/', 'cquux/']);
    assert.deepEqual(truncated, [true, true, false]);
    // Two entries per page: the second page ends on the last common prefix, not truncated.
    const first = await c.send(new ListObjectsV2Command({ Bucket: 'data', Delimiter: '/', MaxKeys: 2 }));
    const second = await c.send(new ListObjectsV2Command({ Bucket: 'data', Delimiter: '/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    assert.deepEqual([second.CommonPrefixes?.map((p) => p.Prefix), second.IsTruncated, second.NextContinuationToken], [['cquux/'], false, undefined]);
    // start-after naming a common prefix skips it too.
    const sa = await c.send(new ListObjectsV2Command({ Bucket: 'data', Delimiter: '/', StartAfter: 'boo/' }));
    assert.deepEqual(sa.CommonPrefixes?.map((p) => p.Prefix), ['cquux/']);
  });

  test('an empty delimiter is not echoed, and lists every key', async () => {
    for (const query of [{ 'list-type': '2', delimiter: '' }, { delimiter: '' }] as Record<string, string>[]) {
      const r = await signedS3Fetch(t, 'GET', '/data', query);
      assert.equal(r.status, 200);
      assert.doesNotMatch(r.body, /<Delimiter/);
      assert.doesNotMatch(r.body, /<CommonPrefixes>/);
      assert.equal(r.body.match(/<Key>/g)?.length, KEYS.length);
    }
    const none = await signedS3Fetch(t, 'GET', '/data', { 'list-type': '2' });
    assert.doesNotMatch(none.body, /<Delimiter/);
  });

  test('an empty continuation token lists from the start and is echoed; a bad one is InvalidArgument', async () => {
    const r = await signedS3Fetch(t, 'GET', '/data', { 'list-type': '2', 'continuation-token': '' });
    assert.equal(r.status, 200);
    assert.match(r.body, /<ContinuationToken><\/ContinuationToken>|<ContinuationToken\/>/);
    assert.equal(r.body.match(/<Key>/g)?.length, KEYS.length);
    assert.match(r.body, /<IsTruncated>false<\/IsTruncated>/);
    const sdk = await c.send(new ListObjectsV2Command({ Bucket: 'data', ContinuationToken: '' }));
    assert.equal(sdk.ContinuationToken, '');
    assert.equal(sdk.KeyCount, KEYS.length);
    await rejectsWith(c.send(new ListObjectsV2Command({ Bucket: 'data', ContinuationToken: 'garbage' })), 'InvalidArgument', 'The continuation token provided is incorrect');
  });

  test('encoding-type=url encodes keys, prefixes, delimiters, markers and common prefixes', async () => {
    await c.send(new CreateBucketCommand({ Bucket: 'enc' }));
    for (const Key of ['a b/x', 'a b/y', 'a b+c', 'ü?']) await c.send(new PutObjectCommand({ Bucket: 'enc', Key, Body: '' }));
    const v2 = await signedS3Fetch(t, 'GET', '/enc', { 'list-type': '2', 'encoding-type': 'url', prefix: 'a b', delimiter: '/', 'start-after': 'a b' });
    assert.match(v2.body, /<Prefix>a%20b<\/Prefix>/);
    assert.match(v2.body, /<StartAfter>a%20b<\/StartAfter>/);
    assert.match(v2.body, /<Key>a%20b%2Bc<\/Key>/);
    assert.match(v2.body, /<CommonPrefixes><Prefix>a%20b\/<\/Prefix><\/CommonPrefixes>/);
    assert.match(v2.body, /<Delimiter>\/<\/Delimiter>/);
    assert.match(v2.body, /<EncodingType>url<\/EncodingType>/);
    const v1 = await signedS3Fetch(t, 'GET', '/enc', { 'encoding-type': 'url', delimiter: ' ', marker: 'a b+c', 'max-keys': '1' });
    assert.match(v1.body, /<Marker>a%20b%2Bc<\/Marker>/);
    assert.match(v1.body, /<Delimiter>%20<\/Delimiter>/);
    assert.match(v1.body, /<Key>%C3%BC%3F<\/Key>/);
    assert.match(v1.body, /<NextMarker>%C3%BC%3F<\/NextMarker>|<IsTruncated>false<\/IsTruncated>/);
    // Without encoding-type, keys are as they are (XML-escaped).
    const plain = await signedS3Fetch(t, 'GET', '/enc', { 'list-type': '2' });
    assert.match(plain.body, /<Key>a b\+c<\/Key>/);
  });

  test('ListBuckets: max-buckets pages by continuation token, prefix filters, and each page says what was asked', async () => {
    const names = ['lb-a', 'lb-b', 'lb-c', 'other-lb'];
    for (const Bucket of names) await c.send(new CreateBucketCommand({ Bucket }));
    const all = await c.send(new ListBucketsCommand({}));
    assert.deepEqual(all.Buckets?.map((b) => b.Name), ['data', 'enc', 'lb-a', 'lb-b', 'lb-c', 'other-lb'].filter((n) => all.Buckets!.some((b) => b.Name === n)));
    assert.equal(all.ContinuationToken, undefined);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await c.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'lb-', ContinuationToken: token }));
      assert.equal(r.Prefix, 'lb-');
      assert.ok((r.Buckets?.length ?? 0) <= 2);
      seen.push(...(r.Buckets ?? []).map((b) => b.Name!));
      token = r.ContinuationToken;
      pages++;
    } while (token && pages < 10);
    assert.deepEqual(seen, ['lb-a', 'lb-b', 'lb-c']);
    assert.equal(pages, 2);

    await rejectsWith(c.send(new ListBucketsCommand({ MaxBuckets: 0 })), 'InvalidArgument');
    await rejectsWith(c.send(new ListBucketsCommand({ MaxBuckets: 10001 })), 'InvalidArgument');
    const region = await c.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));
    assert.equal(region.Buckets?.length ?? 0, 0);
  });
});
