/** The contract of S3's multipart repo (uploads and parts), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CompletedResult, PartRecord, S3MultipartRepo, UploadRecord } from '../../../src/services/s3/repo-multipart.js';
import { sqliteS3MultipartRepo } from '../../../src/services/s3/repo-multipart.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './backends.js';

const upload = (uploadId: string, key: string, bucket = 'b'): Omit<UploadRecord, 'seq' | 'state'> => ({
  uploadId,
  bucket,
  key,
  account: '111111111111',
  initiated: 1_700_000_000_000,
  headers: { 'content-type': 'text/plain' },
  metadata: { m: '1' },
  tags: { t: '2' },
  checksumAlgorithm: 'CRC32',
  checksumType: 'COMPOSITE',
});

const part = (uploadId: string, partNumber: number, blobId = `${uploadId}-p${partNumber}`): PartRecord => ({
  uploadId,
  partNumber,
  blobId,
  size: 5,
  etag: '"0123456789abcdef0123456789abcdef"',
  lastModified: 1_700_000_000_500,
  checksum: 'AAAAAA==',
});

const result: CompletedResult = { etag: '"x-2"', size: 10, checksums: {}, parts: '1:a,2:b', objectBlob: 'final' };

function repoContract(name: string, open: () => Promise<Opened<S3MultipartRepo>>): void {
  describe(`S3MultipartRepo contract (${name})`, () => {
    test('uploads are inserted open with increasing seqs and read back whole', async () => {
      const { store, repo, close } = await open();
      try {
        const [s1, s2] = await store.write(async (tx) => {
          const a = await repo.insertUpload(tx, upload('u1', 'k'));
          assert.equal((await repo.upload('u1', tx))?.state, 'open');
          return [a, await repo.insertUpload(tx, upload('u2', 'k'))];
        });
        assert.ok(s1 < s2);
        assert.deepEqual(await repo.upload('u1'), { ...upload('u1', 'k'), seq: s1, state: 'open', blobId: undefined, result: undefined });
        assert.equal(await repo.upload('missing'), undefined);
      } finally {
        await close();
      }
    });

    test('parts: put returns the blob it replaced, listed in number order after a marker', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write((tx) => repo.insertUpload(tx, upload('u', 'k')));
        const replaced = await store.write(async (tx) => [
          await repo.putPart(tx, part('u', 2)),
          await repo.putPart(tx, part('u', 1)),
          await repo.putPart(tx, part('u', 1, 'newer')),
        ]);
        assert.deepEqual(replaced, [undefined, undefined, 'u-p1']);
        assert.deepEqual(await repo.part('u', 1), part('u', 1, 'newer'));
        assert.equal(await repo.part('u', 3), undefined);
        assert.deepEqual((await repo.parts('u', 0, 10)).map((p) => p.partNumber), [1, 2]);
        assert.deepEqual((await repo.parts('u', 1, 10)).map((p) => p.partNumber), [2]);
        assert.deepEqual((await repo.parts('u', 0, 1)).map((p) => p.partNumber), [1]);
        assert.equal(await repo.blobReferenced('newer'), true);
        assert.equal(await repo.blobReferenced('u-p1'), false);
      } finally {
        await close();
      }
    });

    test('completion: completing names its blob; finishing drops the parts, keeps the result, prunes old completions', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write(async (tx) => {
          await repo.insertUpload(tx, upload('old', 'k'));
          await repo.insertUpload(tx, upload('u', 'k'));
          await repo.putPart(tx, part('u', 1));
          await repo.putPart(tx, part('u', 2));
        });
        await store.write((tx) => repo.updateUpload(tx, { uploadId: 'u', state: 'completing', blobId: 'final', result }));
        assert.equal(await repo.blobReferenced('final'), true);
        assert.deepEqual((await repo.completingUploads()).map((u) => [u.uploadId, u.state, u.blobId, u.result]), [['u', 'completing', 'final', result]]);
        await store.write(async (tx) => {
          await repo.updateUpload(tx, { uploadId: 'old', state: 'completed', blobId: undefined, result }, 1000);
          assert.equal((await repo.upload('old', tx))?.state, 'completed');
        });
        const parts = await store.write((tx) => repo.finishUpload(tx, 'u', result, 5000, 2000));
        assert.deepEqual(parts.map((p) => p.blobId), ['u-p1', 'u-p2']);
        const done = await repo.upload('u');
        assert.equal(done?.state, 'completed');
        assert.equal(done?.blobId, undefined);
        assert.deepEqual(done?.result, result);
        assert.deepEqual(await repo.parts('u', 0, 10), []);
        assert.equal(await repo.upload('old'), undefined, 'a completion older than the window is pruned');
        assert.deepEqual(await repo.completingUploads(), []);
        assert.equal(await repo.blobReferenced('final'), false);
        // Reopening a completion clears its blob and result.
        await store.write(async (tx) => {
          await repo.insertUpload(tx, upload('again', 'k'));
          await repo.updateUpload(tx, { uploadId: 'again', state: 'completing', blobId: 'c', result });
          await repo.updateUpload(tx, { uploadId: 'again', state: 'open', blobId: undefined, result: undefined });
        });
        const reopened = await repo.upload('again');
        assert.deepEqual([reopened?.state, reopened?.blobId, reopened?.result], ['open', undefined, undefined]);
      } finally {
        await close();
      }
    });

    test('listUploads: open and completing ones by key bytes then seq, within a prefix, after a position', async () => {
      const { store, repo, close } = await open();
      try {
        const seq = await store.write(async (tx) => {
          const s: Record<string, number> = {};
          for (const [id, key] of [['u1', 'b/x'], ['u2', 'a/y'], ['u3', 'a/y'], ['u4', 'c'], ['done', 'a/z']] as const) s[id] = await repo.insertUpload(tx, upload(id, key));
          await repo.insertUpload(tx, upload('elsewhere', 'a/y', 'other'));
          await repo.updateUpload(tx, { uploadId: 'u4', state: 'completing', blobId: 'c', result });
          await repo.updateUpload(tx, { uploadId: 'done', state: 'completed', blobId: undefined, result }, 1);
          return s;
        });
        const ids = (list: UploadRecord[]) => list.map((u) => u.uploadId);
        assert.deepEqual(ids(await repo.listUploads('b', { prefix: '', limit: 10 })), ['u2', 'u3', 'u1', 'u4']);
        assert.deepEqual(ids(await repo.listUploads('b', { prefix: 'a/', limit: 10 })), ['u2', 'u3']);
        assert.deepEqual(ids(await repo.listUploads('b', { prefix: '', limit: 2 })), ['u2', 'u3']);
        assert.deepEqual(ids(await repo.listUploads('b', { prefix: '', afterKey: 'a/y', afterSeq: seq.u2, limit: 10 })), ['u3', 'u1', 'u4']);
        assert.deepEqual(ids(await repo.listUploads('b', { prefix: '', afterKey: 'a/y', limit: 10 })), ['u1', 'u4']);
      } finally {
        await close();
      }
    });

    test('deleteUpload returns its parts; deleteBucketUploads returns every blob the bucket\'s uploads named', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write(async (tx) => {
          await repo.insertUpload(tx, upload('u1', 'k'));
          await repo.putPart(tx, part('u1', 1));
          await repo.insertUpload(tx, upload('u2', 'k'));
          await repo.putPart(tx, part('u2', 1));
          await repo.updateUpload(tx, { uploadId: 'u2', state: 'completing', blobId: 'concat', result });
          await repo.insertUpload(tx, upload('u3', 'k'));
          await repo.putPart(tx, part('u3', 1));
          await repo.insertUpload(tx, upload('keep', 'k', 'other'));
        });
        const parts = await store.write((tx) => repo.deleteUpload(tx, 'u3'));
        assert.deepEqual(parts.map((p) => p.blobId), ['u3-p1']);
        assert.equal(await repo.upload('u3'), undefined);
        assert.deepEqual(await repo.parts('u3', 0, 10), []);
        const blobs = await store.write((tx) => repo.deleteBucketUploads(tx, 'b'));
        assert.deepEqual([...blobs].sort(), ['concat', 'u1-p1', 'u2-p1']);
        assert.equal(await repo.upload('u1'), undefined);
        assert.equal(await repo.blobReferenced('u1-p1'), false);
        assert.equal((await repo.upload('keep'))?.bucket, 'other');
      } finally {
        await close();
      }
    });

    test('write methods refuse a transaction kept past its write', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write((tx) => repo.insertUpload(tx, upload('u', 'k')));
        const tx = await staleTx(store);
        await assert.rejects(repo.insertUpload(tx, upload('x', 'k')), STALE);
        await assert.rejects(repo.updateUpload(tx, { uploadId: 'u', state: 'completing', blobId: 'c', result }), STALE);
        await assert.rejects(repo.deleteUpload(tx, 'u'), STALE);
        await assert.rejects(repo.finishUpload(tx, 'u', result, 1, 0), STALE);
        await assert.rejects(repo.deleteBucketUploads(tx, 'b'), STALE);
        await assert.rejects(repo.putPart(tx, part('u', 1)), STALE);
        assert.equal((await repo.upload('u'))?.state, 'open');
        assert.equal(await repo.upload('x'), undefined);
      } finally {
        await close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteS3MultipartRepo }, repoContract);
