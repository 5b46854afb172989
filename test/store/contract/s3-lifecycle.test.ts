/** The contract of S3's lifecycle configurations repo (S3LifecycleRepo), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LifecycleConfig } from '../../../src/services/s3/engine/lifecycle.js';
import type { S3LifecycleRepo } from '../../../src/services/s3/repo-lifecycle.js';
import { sqliteS3LifecycleRepo } from '../../../src/services/s3/repo-lifecycle.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './backends.js';

const config = (days: number): LifecycleConfig => ({ rules: [{ ID: 'r', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: days } }], transitionDefaultMinimumObjectSize: 'all_storage_classes_128K' });

function repoContract(name: string, open: () => Promise<Opened<S3LifecycleRepo>>): void {
  describe(`S3LifecycleRepo contract (${name})`, () => {
    test('configurations by bucket life; any and all see every stored one', async () => {
      const { store, repo, close } = await open();
      try {
        assert.equal(await repo.any(), false);
        assert.deepEqual(await repo.all(), []);
        await store.write(async (tx) => {
          await repo.put(tx, 'zeta', 5, config(1));
          await repo.put(tx, 'alpha', 7, config(2));
          assert.deepEqual(await repo.get('zeta', 5, tx), config(1));
        });
        assert.equal(await repo.any(), true);
        assert.equal(await repo.get('zeta', 6), undefined);
        await store.write((tx) => repo.put(tx, 'zeta', 5, config(3)));
        assert.deepEqual(await repo.all(), [
          { bucket: 'alpha', createdAt: 7, config: config(2) },
          { bucket: 'zeta', createdAt: 5, config: config(3) },
        ]);
        await store.write(async (tx) => {
          await repo.delete(tx, 'zeta');
          await repo.delete(tx, 'alpha');
        });
        assert.equal(await repo.any(), false);
        const tx = await staleTx(store);
        await assert.rejects(repo.put(tx, 'a', 1, config(1)), STALE);
        await assert.rejects(repo.delete(tx, 'a'), STALE);
      } finally {
        await close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteS3LifecycleRepo }, repoContract);
