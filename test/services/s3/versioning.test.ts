import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  DeleteObjectTaggingCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { rejectsWith } from '../../helpers/sqs.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';

function s3(t: TestNimbus): S3Client {
  return new S3Client({ endpoint: t.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, forcePathStyle: true, maxAttempts: 1 });
}

const creds = [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }];

async function withVersionedBucket(fn: (c: S3Client, t: TestNimbus) => Promise<void>, status: 'Enabled' | 'Suspended' | 'never' = 'Enabled'): Promise<void> {
  const t = await startTestNimbus({ memory: true, credentials: creds });
  const c = s3(t);
  try {
    await c.send(new CreateBucketCommand({ Bucket: 'data' }));
    if (status !== 'never') await c.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: status } }));
    await fn(c, t);
  } finally {
    c.destroy();
    await t.stop();
  }
}

const text = async (c: S3Client, Key: string, VersionId?: string) => (await c.send(new GetObjectCommand({ Bucket: 'data', Key, VersionId }))).Body!.transformToString();

describe('S3 versioning', () => {
  test('configuration: empty until set, then Enabled or Suspended; bad status is MalformedXML', () =>
    withVersionedBucket(async (c) => {
      const never = await c.send(new GetBucketVersioningCommand({ Bucket: 'data' }));
      assert.equal(never.Status, undefined);
      // A bucket never versioned reports no version ids.
      assert.equal((await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'x' }))).VersionId, undefined);
      assert.equal((await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'k' }))).VersionId, undefined);
      await c.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Disabled' } }));
      assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: 'data' }))).Status, 'Enabled');
      await c.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: 'Suspended' } }));
      assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket: 'data' }))).Status, 'Suspended');
      await rejectsWith(c.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: 'On' as 'Enabled' } })), 'MalformedXML');
      // A suspended bucket writes the null version.
      const put = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'x' }));
      assert.equal(put.VersionId, 'null');
    }, 'never'));

  test('overwrite, then recover the old version by its id', () =>
    withVersionedBucket(async (c) => {
      const v1 = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'doc', Body: 'first' }));
      const v2 = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'doc', Body: 'second' }));
      assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
      assert.match(v1.VersionId!, /^[A-Za-z0-9_-]+$/);
      assert.equal(await text(c, 'doc'), 'second');
      assert.equal(await text(c, 'doc', v1.VersionId), 'first');
      const head = await c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'doc', VersionId: v1.VersionId }));
      assert.equal(head.VersionId, v1.VersionId);
      assert.equal(head.ContentLength, 5);
      // Recover: copy the old version over the current one (a new version again).
      const copy = await c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'doc', CopySource: `data/doc?versionId=${v1.VersionId}` }));
      assert.ok(copy.CopyObjectResult?.ETag);
      assert.equal(await text(c, 'doc'), 'first');
      // Or: remove the newest versions; the one before becomes current.
      const list = await c.send(new ListObjectVersionsCommand({ Bucket: 'data' }));
      assert.equal(list.Versions?.length, 3);
      assert.deepEqual(
        list.Versions!.map((v) => v.IsLatest),
        [true, false, false],
      );
      assert.equal(list.Versions![2]!.VersionId, v1.VersionId);
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'doc', VersionId: list.Versions![0]!.VersionId }));
      assert.equal(await text(c, 'doc'), 'second');
      const del = await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'doc', VersionId: v2.VersionId }));
      assert.equal(del.VersionId, v2.VersionId);
      assert.equal(await text(c, 'doc'), 'first');
      assert.equal((await c.send(new GetObjectCommand({ Bucket: 'data', Key: 'doc' }))).VersionId, v1.VersionId);
    }));

  test('delete inserts a delete marker; removing the marker recovers the object', () =>
    withVersionedBucket(async (c, t) => {
      const v1 = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'gone', Body: 'keep me' }));
      const del = await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'gone' }));
      assert.equal(del.DeleteMarker, true);
      assert.ok(del.VersionId && del.VersionId !== v1.VersionId);
      await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'gone' })), 'NoSuchKey', 'The specified key does not exist.');
      // The raw answers carry the delete marker headers (HEAD: no body).
      const get = await fetchSigned(t, 'GET', '/data/gone');
      assert.equal(get.status, 404);
      assert.equal(get.headers.get('x-amz-delete-marker'), 'true');
      assert.equal(get.headers.get('x-amz-version-id'), del.VersionId);
      await rejectsWith(c.send(new HeadObjectCommand({ Bucket: 'data', Key: 'gone' })), 'NotFound');
      const head = await fetchSigned(t, 'HEAD', '/data/gone');
      assert.equal(head.status, 404);
      assert.equal(head.headers.get('x-amz-delete-marker'), 'true');
      // GET of the marker itself is 405.
      const marker = await fetchSigned(t, 'GET', `/data/gone?versionId=${del.VersionId}`);
      assert.equal(marker.status, 405);
      assert.match(marker.body, /<Code>MethodNotAllowed<\/Code>/);
      assert.equal(marker.headers.get('x-amz-delete-marker'), 'true');
      // Other reads of the key refuse it without the marker's headers (those describe a GET's answer).
      const tagging = await fetchSigned(t, 'GET', '/data/gone?tagging');
      assert.equal(tagging.status, 404);
      assert.equal(tagging.headers.get('x-amz-delete-marker'), null);
      // Current listings skip the key; the version listing shows both.
      assert.equal((await c.send(new ListObjectsV2Command({ Bucket: 'data' }))).KeyCount, 0);
      const list = await c.send(new ListObjectVersionsCommand({ Bucket: 'data' }));
      assert.equal(list.DeleteMarkers?.length, 1);
      assert.equal(list.DeleteMarkers![0]!.IsLatest, true);
      assert.equal(list.Versions?.[0]?.IsLatest, false);
      const undo = await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'gone', VersionId: del.VersionId }));
      assert.equal(undo.DeleteMarker, true);
      assert.equal(await text(c, 'gone'), 'keep me');
      assert.equal((await c.send(new ListObjectsV2Command({ Bucket: 'data' }))).KeyCount, 1);
    }));

  test('tags of one version, by its id', () =>
    withVersionedBucket(async (c) => {
      const v1 = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'tagged', Body: 'one' }));
      const v2 = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'tagged', Body: 'two' }));
      const put = await c.send(new PutObjectTaggingCommand({ Bucket: 'data', Key: 'tagged', VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: 'era', Value: 'old' }] } }));
      assert.equal(put.VersionId, v1.VersionId);
      const old = await c.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'tagged', VersionId: v1.VersionId }));
      assert.deepEqual(old.TagSet, [{ Key: 'era', Value: 'old' }]);
      assert.equal(old.VersionId, v1.VersionId);
      const current = await c.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'tagged' }));
      assert.deepEqual(current.TagSet ?? [], [], 'the current version keeps its own (no) tags');
      assert.equal(current.VersionId, v2.VersionId);
      const del = await c.send(new DeleteObjectTaggingCommand({ Bucket: 'data', Key: 'tagged', VersionId: v1.VersionId }));
      assert.equal(del.VersionId, v1.VersionId);
      assert.deepEqual((await c.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'tagged', VersionId: v1.VersionId }))).TagSet ?? [], []);
      await rejectsWith(c.send(new GetObjectTaggingCommand({ Bucket: 'data', Key: 'tagged', VersionId: 'nope' })), 'NoSuchVersion', 'The specified version does not exist.');
    }));

  test('NoSuchVersion for a version id that does not exist', () =>
    withVersionedBucket(async (c) => {
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'x' }));
      await rejectsWith(c.send(new GetObjectCommand({ Bucket: 'data', Key: 'k', VersionId: 'nope' })), 'NoSuchVersion', 'The specified version does not exist.');
      await rejectsWith(c.send(new CopyObjectCommand({ Bucket: 'data', Key: 'k2', CopySource: 'data/k?versionId=nope' })), 'NoSuchVersion');
      // Deleting a version that does not exist is done already, as S3 reports it.
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'k', VersionId: 'nope' }));
      assert.equal(await text(c, 'k'), 'x');
    }));

  test('suspended: new writes are the null version, replacing the previous null version', () =>
    withVersionedBucket(async (c) => {
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'before versioning' }));
      await c.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: 'Enabled' } }));
      const v = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'versioned' }));
      await c.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: 'Suspended' } }));
      const s1 = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'suspended 1' }));
      assert.equal(s1.VersionId, 'null');
      // The old null version (written before versioning) was replaced by this one.
      let list = await c.send(new ListObjectVersionsCommand({ Bucket: 'data' }));
      assert.deepEqual(
        list.Versions!.map((x) => [x.VersionId, x.IsLatest]),
        [
          ['null', true],
          [v.VersionId, false],
        ],
      );
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'suspended 2' }));
      assert.equal(await text(c, 'k', 'null'), 'suspended 2');
      assert.equal(await text(c, 'k', v.VersionId), 'versioned');
      // DELETE replaces the null version with a null delete marker.
      const del = await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'k' }));
      assert.equal(del.DeleteMarker, true);
      assert.equal(del.VersionId, 'null');
      list = await c.send(new ListObjectVersionsCommand({ Bucket: 'data' }));
      assert.deepEqual(
        list.DeleteMarkers!.map((x) => [x.VersionId, x.IsLatest]),
        [['null', true]],
      );
      assert.equal(list.Versions!.length, 1);
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'k', VersionId: 'null' }));
      assert.equal(await text(c, 'k'), 'versioned');
    }, 'never'));

  test('ListObjectVersions pages with key and version id markers', () =>
    withVersionedBucket(async (c) => {
      for (const key of ['a', 'b', 'c']) {
        for (let i = 0; i < 3; i++) await c.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: `${key}${i}` }));
      }
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'b' }));
      const all = await c.send(new ListObjectVersionsCommand({ Bucket: 'data' }));
      assert.equal(all.Versions!.length + all.DeleteMarkers!.length, 10);
      const seen: string[] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await c.send(new ListObjectVersionsCommand({ Bucket: 'data', MaxKeys: 4, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        pages++;
        for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) seen.push(`${v.Key}:${v.VersionId}:${v.IsLatest}`);
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
        assert.ok(keyMarker && versionIdMarker);
      }
      assert.equal(pages, 3);
      const expected = [...(all.Versions ?? []), ...(all.DeleteMarkers ?? [])].map((v) => `${v.Key}:${v.VersionId}:${v.IsLatest}`);
      assert.deepEqual(seen.sort(), expected.sort());
      assert.equal(seen.filter((s) => s.endsWith(':true')).length, 3);
      // A key marker alone starts after that key; prefix and delimiter roll up as in ListObjects.
      const after = await c.send(new ListObjectVersionsCommand({ Bucket: 'data', KeyMarker: 'b' }));
      assert.deepEqual([...new Set(after.Versions!.map((v) => v.Key))], ['c']);
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'dir/x', Body: '1' }));
      const rolled = await c.send(new ListObjectVersionsCommand({ Bucket: 'data', Delimiter: '/', Prefix: '' }));
      assert.deepEqual(rolled.CommonPrefixes, [{ Prefix: 'dir/' }]);
      await rejectsWith(c.send(new ListObjectVersionsCommand({ Bucket: 'data', VersionIdMarker: 'x' })), 'InvalidArgument');
    }));

  test('ListObjectVersions goes on after a "null" version marker that was deleted meanwhile (a bucket emptied page by page)', () =>
    withVersionedBucket(async (c) => {
      for (const key of ['a', 'b', 'c', 'd', 'e']) await c.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: key }));
      const seen: string[] = [];
      let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (let pages = 0; pages < 5; pages++) {
        const page = await c.send(new ListObjectVersionsCommand({ Bucket: 'data', MaxKeys: 2, ...markers }));
        const versions = page.Versions ?? [];
        seen.push(...versions.map((v) => `${v.Key}:${v.VersionId}`));
        if (versions.length) await c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: versions.map((v) => ({ Key: v.Key!, VersionId: v.VersionId! })) } }));
        if (!page.IsTruncated) break;
        assert.equal(page.NextVersionIdMarker, 'null');
        markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      }
      assert.deepEqual(seen, ['a:null', 'b:null', 'c:null', 'd:null', 'e:null']);
      assert.equal((await c.send(new ListObjectVersionsCommand({ Bucket: 'data' }))).Versions, undefined);
      // A version id that never named a version of the key is still refused.
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'f', Body: 'f' }));
      await rejectsWith(c.send(new ListObjectVersionsCommand({ Bucket: 'data', KeyMarker: 'f', VersionIdMarker: 'no-such-version' })), 'InvalidArgument', 'Invalid version id specified');
    }, 'never'));

  test('DeleteObjects: delete markers without a version id, permanent deletes with one', () =>
    withVersionedBucket(async (c) => {
      const v1 = (await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'one' }))).VersionId!;
      await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'two' }));
      const marked = await c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'k' }] } }));
      assert.equal(marked.Deleted?.[0]?.DeleteMarker, true);
      assert.ok(marked.Deleted?.[0]?.DeleteMarkerVersionId);
      await c.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'k', VersionId: v1 }] } }));
      const left = await c.send(new ListObjectVersionsCommand({ Bucket: 'data' }));
      assert.equal(left.Versions?.length, 1, 'the first version is gone for good');
      assert.equal(left.DeleteMarkers?.length, 1);
    }));

  test('DeleteBucket refuses while versions or delete markers remain', () =>
    withVersionedBucket(async (c) => {
      const v = await c.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'x' }));
      const m = await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'k' }));
      await rejectsWith(c.send(new DeleteBucketCommand({ Bucket: 'data' })), 'BucketNotEmpty');
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'k', VersionId: v.VersionId }));
      await rejectsWith(c.send(new DeleteBucketCommand({ Bucket: 'data' })), 'BucketNotEmpty');
      await c.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'k', VersionId: m.VersionId }));
      await c.send(new DeleteBucketCommand({ Bucket: 'data' }));
    }));

  test('versions survive a restart with their bytes', async () => {
    const t = await startTestNimbus({ memory: false, credentials: creds });
    const dir = t.dataDir!;
    const c = s3(t);
    await c.send(new CreateBucketCommand({ Bucket: 'keep' }));
    await c.send(new PutBucketVersioningCommand({ Bucket: 'keep', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await c.send(new PutObjectCommand({ Bucket: 'keep', Key: 'k', Body: 'old bytes' }));
    await c.send(new PutObjectCommand({ Bucket: 'keep', Key: 'k', Body: 'new bytes' }));
    await c.send(new DeleteObjectCommand({ Bucket: 'keep', Key: 'k' }));
    c.destroy();
    await t.nimbus.stop();
    const again = await startTestNimbus({ memory: false, dataDir: dir, credentials: creds });
    const c2 = s3(again);
    try {
      const got = await c2.send(new GetObjectCommand({ Bucket: 'keep', Key: 'k', VersionId: v1.VersionId }));
      assert.equal(await got.Body!.transformToString(), 'old bytes');
      const list = await c2.send(new ListObjectVersionsCommand({ Bucket: 'keep' }));
      assert.equal(list.Versions!.length, 2);
      assert.equal(list.DeleteMarkers!.length, 1);
      assert.equal((await c2.send(new GetBucketVersioningCommand({ Bucket: 'keep' }))).Status, 'Enabled');
    } finally {
      c2.destroy();
      await again.stop();
      const { rmSync } = await import('node:fs');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A signed request outside the SDK, to see the headers of error answers. */
async function fetchSigned(t: TestNimbus, method: 'GET' | 'HEAD', pathAndQuery: string): Promise<{ status: number; headers: Headers; body: string }> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Sha256 } = await import('@smithy/core/checksum');
  const { HttpRequest } = await import('@smithy/core/protocols');
  const url = new URL(t.endpoint + pathAndQuery);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', sha256: Sha256, credentials: TEST_CREDENTIALS, uriEscapePath: false });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }),
  );
  const res = await fetch(url, { method, headers: signed.headers as Record<string, string> });
  return { status: res.status, headers: res.headers, body: await res.text() };
}
