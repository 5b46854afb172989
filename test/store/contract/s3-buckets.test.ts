/** The contract of S3's buckets repo (S3Repo), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BucketRecord, S3Repo } from '../../../src/services/s3/repo.js';
import { sqliteS3Repo } from '../../../src/services/s3/repo.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './backends.js';

const bucket = (name: string, account = '111111111111', extra: Partial<BucketRecord> = {}): BucketRecord => ({
  name,
  account,
  region: 'us-east-1',
  createdAt: 1_700_000_000_000,
  acl: 'private',
  ...extra,
});

function repoContract(name: string, open: () => Promise<Opened<S3Repo>>): void {
  describe(`S3Repo contract (${name})`, () => {
    test('inserted buckets are read by name, by account in name order, and all together', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write(async (tx) => {
          await repo.insertBucket(tx, bucket('b-two'));
          await repo.insertBucket(tx, bucket('a-one'));
          await repo.insertBucket(tx, bucket('other', '222222222222', { region: 'eu-west-1' }));
          // A read inside the write sees the write's own changes.
          assert.equal((await repo.bucket('a-one', tx))?.name, 'a-one');
        });
        assert.deepEqual(await repo.bucket('other'), bucket('other', '222222222222', { region: 'eu-west-1' }));
        assert.equal(await repo.bucket('missing'), undefined);
        assert.deepEqual((await repo.buckets('111111111111')).map((b) => b.name), ['a-one', 'b-two']);
        assert.deepEqual((await repo.buckets('333333333333')), []);
        assert.deepEqual((await repo.allBuckets()).map((b) => b.name), ['a-one', 'b-two', 'other']);
      } finally {
        await close();
      }
    });

    test('updateBucket replaces policy, ACL, public access block, CORS and versioning; absent ones are cleared', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write((tx) => repo.insertBucket(tx, bucket('conf')));
        const full = bucket('conf', '111111111111', {
          policy: '{"Version":"2012-10-17","Statement":[]}',
          acl: 'public-read',
          publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false },
          cors: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], MaxAgeSeconds: 10 }],
          versioning: 'Enabled',
        });
        await store.write((tx) => repo.updateBucket(tx, full));
        assert.deepEqual(await repo.bucket('conf'), full);
        await store.write((tx) => repo.updateBucket(tx, bucket('conf', '111111111111', { versioning: 'Suspended' })));
        assert.deepEqual(await repo.bucket('conf'), bucket('conf', '111111111111', { versioning: 'Suspended' }));
      } finally {
        await close();
      }
    });

    test('deleteBucket removes it; a failed write leaves nothing behind', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write((tx) => repo.insertBucket(tx, bucket('gone')));
        await store.write((tx) => repo.deleteBucket(tx, 'gone'));
        assert.equal(await repo.bucket('gone'), undefined);
        await assert.rejects(
          store.write(async (tx) => {
            await repo.insertBucket(tx, bucket('undone'));
            throw new Error('changed my mind');
          }),
          /changed my mind/,
        );
        assert.equal(await repo.bucket('undone'), undefined);
        assert.deepEqual(await repo.allBuckets(), []);
      } finally {
        await close();
      }
    });

    test('write methods refuse a transaction kept past its write', async () => {
      const { store, repo, close } = await open();
      try {
        const tx = await staleTx(store);
        await assert.rejects(repo.insertBucket(tx, bucket('stale')), STALE);
        await assert.rejects(repo.updateBucket(tx, bucket('stale')), STALE);
        await assert.rejects(repo.deleteBucket(tx, 'stale'), STALE);
        assert.equal(await repo.bucket('stale'), undefined);
      } finally {
        await close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteS3Repo }, repoContract);
