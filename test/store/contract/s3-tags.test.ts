/** The contract of S3's bucket tags repo (S3ExtrasRepo), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3ExtrasRepo } from '../../../src/services/s3/repo-extras.js';
import { sqliteS3ExtrasRepo } from '../../../src/services/s3/repo-extras.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './backends.js';

function repoContract(name: string, open: () => Promise<Opened<S3ExtrasRepo>>): void {
  describe(`S3ExtrasRepo contract (${name})`, () => {
    test('a tag set belongs to one life of its bucket; put replaces it, delete removes it', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write(async (tx) => {
          await repo.putBucketTags(tx, 'b', 100, { team: 'x' });
          assert.deepEqual(await repo.bucketTags('b', 100, tx), { team: 'x' });
        });
        assert.equal(await repo.bucketTags('b', 200), undefined, 'a namesake created later sees none');
        await store.write((tx) => repo.putBucketTags(tx, 'b', 100, { team: 'y', cost: '1' }));
        assert.deepEqual(await repo.bucketTags('b', 100), { team: 'y', cost: '1' });
        await store.write((tx) => repo.deleteBucketTags(tx, 'b'));
        assert.equal(await repo.bucketTags('b', 100), undefined);
        const tx = await staleTx(store);
        await assert.rejects(repo.putBucketTags(tx, 'b', 100, {}), STALE);
        await assert.rejects(repo.deleteBucketTags(tx, 'b'), STALE);
      } finally {
        await close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteS3ExtrasRepo }, repoContract);
