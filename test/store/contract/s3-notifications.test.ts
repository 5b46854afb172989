/** The contract of S3's event notifications repo (configurations and outbox), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3NotificationRepo } from '../../../src/services/s3/repo-notifications.js';
import { sqliteS3NotificationRepo } from '../../../src/services/s3/repo-notifications.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './backends.js';

function repoContract(name: string, open: () => Promise<Opened<S3NotificationRepo>>): void {
  describe(`S3NotificationRepo contract (${name})`, () => {
    test('a bucket configuration is stored, replaced and removed', async () => {
      const { store, repo, close } = await open();
      try {
        await store.write(async (tx) => {
          await repo.setConfig(tx, 'b', '{"QueueConfigurations":[]}');
          assert.equal(await repo.config('b', tx), '{"QueueConfigurations":[]}');
        });
        await store.write((tx) => repo.setConfig(tx, 'b', '{}'));
        assert.equal(await repo.config('b'), '{}');
        await store.write((tx) => repo.setConfig(tx, 'b', undefined));
        assert.equal(await repo.config('b'), undefined);
      } finally {
        await close();
      }
    });

    test('the outbox keeps events in order with their source until they are done', async () => {
      const { store, repo, close } = await open();
      try {
        const source = { sourceArn: 'arn:aws:s3:::b', sourceAccount: '111111111111' };
        await store.write(async (tx) => {
          await repo.enqueue(tx, [{ queueArn: 'arn:q1', body: 'one' }, { queueArn: 'arn:q2', body: 'two' }], 1000, source);
          await repo.enqueue(tx, [{ queueArn: 'arn:q1', body: 'three' }], 2000, source);
        });
        const all = await repo.pending(10);
        assert.deepEqual(all.map((e) => [e.queueArn, e.body, e.sourceArn, e.sourceAccount]), [
          ['arn:q1', 'one', source.sourceArn, source.sourceAccount],
          ['arn:q2', 'two', source.sourceArn, source.sourceAccount],
          ['arn:q1', 'three', source.sourceArn, source.sourceAccount],
        ]);
        assert.ok(all[0]!.seq < all[1]!.seq && all[1]!.seq < all[2]!.seq);
        assert.deepEqual((await repo.pending(1)).map((e) => e.body), ['one']);
        await store.write((tx) => repo.done(tx, [all[0]!.seq, all[2]!.seq]));
        assert.deepEqual((await repo.pending(10)).map((e) => e.body), ['two']);
        const tx = await staleTx(store);
        await assert.rejects(repo.setConfig(tx, 'b', '{}'), STALE);
        await assert.rejects(repo.enqueue(tx, [{ queueArn: 'arn:q', body: 'x' }], 1, source), STALE);
        await assert.rejects(repo.done(tx, [all[1]!.seq]), STALE);
        assert.equal((await repo.pending(10)).length, 1);
      } finally {
        await close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteS3NotificationRepo }, repoContract);
