/** The contract of S3's objects repo (S3ObjectRepo: current objects and versions), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObjectRecord, S3ObjectRepo, VersionRecord } from '../../../src/services/s3/repo.js';
import { sqliteS3ObjectRepo } from '../../../src/services/s3/repo.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './backends.js';

const object = (key: string, extra: Partial<ObjectRecord> = {}): ObjectRecord => ({
  bucket: 'b',
  key,
  blobId: `blob-${key}`,
  size: 3,
  etag: '"acbd18db4cc2f85cedef654fccc4a4d8"',
  lastModified: 1_700_000_000_000,
  headers: {},
  metadata: {},
  checksums: {},
  tags: {},
  ...extra,
});

const version = (key: string, versionId: string | undefined, extra: Partial<VersionRecord> = {}): Omit<VersionRecord, 'seq'> => {
  const { seq: _s, ...rest } = { ...object(key, { blobId: `blob-${key}-${versionId ?? 'null'}`, ...(versionId !== undefined ? { versionId } : {}) }), deleteMarker: false, seq: 0, ...extra };
  return rest;
};

function repoContract(name: string, open: () => Promise<Opened<S3ObjectRepo>>): void {
  describe(`S3ObjectRepo contract (${name})`, () => {
    test('objects are put (replacing), read with everything they hold, and deleted', async () => {
      const { store, repo, close } = await open();
      try {
        const full = object('k', {
          headers: { 'content-type': 'text/plain' },
          metadata: { owner: 'me' },
          checksums: { 'x-amz-checksum-crc32': 'AAAAAA==' },
          tags: { a: '1' },
          acl: 'public-read',
          versionId: 'v1',
        });
        await store.write(async (tx) => {
          await repo.putObject(tx, object('k'));
          await repo.putObject(tx, full);
          assert.deepEqual(await repo.object('b', 'k', tx), full);
        });
        assert.deepEqual(await repo.object('b', 'k'), full);
        const inline = object('small', { blobId: '', body: Buffer.from('abc') });
        await store.write((tx) => repo.putObject(tx, inline));
        assert.deepEqual(await repo.object('b', 'small'), inline);
        assert.equal(await repo.object('other', 'k'), undefined);
        await store.write((tx) => repo.deleteObject(tx, 'b', 'k'));
        assert.equal(await repo.object('b', 'k'), undefined);
      } finally {
        await close();
      }
    });

    test('listObjects pages in UTF-8 byte order within a prefix, leaving inline bodies out', async () => {
      const { store, repo, close } = await open();
      try {
        // '\u{1F600}' (4 UTF-8 bytes, F0...) sorts after '\uFFFD' (EF BF BD) in bytes, before it in UTF-16.
        const keys = ['a/1', 'a/2', 'a/\uFFFD', 'a/\u{1F600}', 'b/1'];
        await store.write(async (tx) => {
          for (const k of [...keys].reverse()) await repo.putObject(tx, object(k, { blobId: '', body: Buffer.from(k) }));
        });
        const all = await repo.listObjects('b', { prefix: '', limit: 100 });
        assert.deepEqual(all.map((o) => o.key), keys);
        assert.ok(all.every((o) => o.body === undefined));
        assert.deepEqual((await repo.listObjects('b', { prefix: 'a/', limit: 2 })).map((o) => o.key), ['a/1', 'a/2']);
        assert.deepEqual((await repo.listObjects('b', { prefix: 'a/', after: 'a/2', limit: 10 })).map((o) => o.key), ['a/\uFFFD', 'a/\u{1F600}']);
        // An `after` before the prefix starts at the prefix.
        assert.deepEqual((await repo.listObjects('b', { prefix: 'b/', after: 'a/1', limit: 10 })).map((o) => o.key), ['b/1']);
        assert.deepEqual(await repo.listObjects('none', { prefix: '', limit: 10 }), []);
      } finally {
        await close();
      }
    });

    test('hasObjects and blobReferenced see current objects, versions and delete markers', async () => {
      const { store, repo, close } = await open();
      try {
        assert.equal(await repo.hasObjects('b'), false);
        await store.write((tx) => repo.putObject(tx, object('k')));
        assert.equal(await repo.hasObjects('b'), true);
        assert.equal(await repo.blobReferenced('blob-k'), true);
        assert.equal(await repo.blobReferenced('blob-other'), false);
        await store.write(async (tx) => {
          await repo.deleteObject(tx, 'b', 'k');
          await repo.appendVersion(tx, version('k', 'v1'));
          assert.equal(await repo.hasObjects('b', tx), true);
        });
        assert.equal(await repo.blobReferenced('blob-k-v1'), true);
        await store.write(async (tx) => {
          await repo.deleteVersion(tx, 'b', 'k', 'v1');
          await repo.appendVersion(tx, version('k', 'marker', { deleteMarker: true, blobId: '', size: 0, etag: '' }));
        });
        assert.equal(await repo.hasObjects('b'), true, 'a delete marker keeps a bucket from being empty');
        assert.equal(await repo.blobReferenced(''), false, 'a marker names no blob');
        await store.write((tx) => repo.deleteVersion(tx, 'b', 'k', 'marker'));
        assert.equal(await repo.hasObjects('b'), false);
      } finally {
        await close();
      }
    });

    test('versions: appended newest first, found by id (null too), replaced in place, listed by key then age', async () => {
      const { store, repo, close } = await open();
      try {
        const seqs = await store.write(async (tx) => [
          await repo.appendVersion(tx, version('k', undefined)),
          await repo.appendVersion(tx, version('k', 'v2')),
          await repo.appendVersion(tx, version('k', 'v3', { deleteMarker: true, blobId: '', size: 0, etag: '' })),
          await repo.appendVersion(tx, version('j', 'w1')),
        ]);
        assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!, 'each appended version is newer');
        const nullVersion = await repo.version('b', 'k', undefined);
        assert.equal(nullVersion?.versionId, undefined);
        assert.equal(nullVersion?.blobId, 'blob-k-null');
        assert.equal((await repo.version('b', 'k', 'v2'))?.seq, seqs[1]);
        assert.equal(await repo.version('b', 'k', 'nope'), undefined);
        const latest = await repo.latestVersion('b', 'k');
        assert.equal(latest?.versionId, 'v3');
        assert.equal(latest?.deleteMarker, true);
        assert.equal(await repo.latestVersion('b', 'none'), undefined);

        // putVersion replaces by id, keeping the seq given.
        await store.write((tx) => repo.putVersion(tx, { ...version('k', 'v2', { tags: { t: '1' } }), seq: seqs[1]! }));
        assert.deepEqual((await repo.version('b', 'k', 'v2'))?.tags, { t: '1' });

        const page = await repo.listVersions('b', { prefix: '', limit: 10 });
        assert.deepEqual(page.map((v) => `${v.key}:${v.versionId ?? 'null'}`), ['j:w1', 'k:v3', 'k:v2', 'k:null']);
        const rest = await repo.listVersions('b', { prefix: '', afterKey: 'k', beforeSeq: seqs[2], limit: 10 });
        assert.deepEqual(rest.map((v) => v.versionId ?? 'null'), ['v2', 'null']);
        assert.deepEqual((await repo.listVersions('b', { prefix: '', afterKey: 'j', limit: 10 })).map((v) => v.key), ['k', 'k', 'k']);
        assert.deepEqual(await repo.listVersions('b', { prefix: 'x', limit: 10 }), []);

        await store.write((tx) => repo.deleteVersion(tx, 'b', 'k', undefined));
        assert.equal(await repo.version('b', 'k', undefined), undefined);
      } finally {
        await close();
      }
    });

    test('write methods refuse a transaction kept past its write', async () => {
      const { store, repo, close } = await open();
      try {
        const tx = await staleTx(store);
        await assert.rejects(repo.putObject(tx, object('k')), STALE);
        await assert.rejects(repo.deleteObject(tx, 'b', 'k'), STALE);
        await assert.rejects(repo.putVersion(tx, { ...version('k', 'v'), seq: 1 }), STALE);
        await assert.rejects(repo.appendVersion(tx, version('k', 'v')), STALE);
        await assert.rejects(repo.deleteVersion(tx, 'b', 'k', 'v'), STALE);
        assert.equal(await repo.hasObjects('b'), false);
      } finally {
        await close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteS3ObjectRepo }, repoContract);
