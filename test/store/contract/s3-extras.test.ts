/** The contracts of S3's small repos (bucket tags, lifecycle, notifications, websites), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LifecycleConfig } from '../../../src/services/s3/engine/lifecycle.js';
import type { S3ExtrasRepo } from '../../../src/services/s3/repo-extras.js';
import { sqliteS3ExtrasRepo } from '../../../src/services/s3/repo-extras.sqlite.js';
import type { S3LifecycleRepo } from '../../../src/services/s3/repo-lifecycle.js';
import { sqliteS3LifecycleRepo } from '../../../src/services/s3/repo-lifecycle.sqlite.js';
import type { S3NotificationRepo } from '../../../src/services/s3/repo-notifications.js';
import { sqliteS3NotificationRepo } from '../../../src/services/s3/repo-notifications.sqlite.js';
import type { S3WebsiteRepo } from '../../../src/services/s3/repo-website.js';
import { sqliteS3WebsiteRepo } from '../../../src/services/s3/repo-website.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './s3-backends.js';

function extrasContract(name: string, open: () => Promise<Opened<S3ExtrasRepo>>): void {
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

const config = (days: number): LifecycleConfig => ({ rules: [{ ID: 'r', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: days } }], transitionDefaultMinimumObjectSize: 'all_storage_classes_128K' });

function lifecycleContract(name: string, open: () => Promise<Opened<S3LifecycleRepo>>): void {
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

function notificationContract(name: string, open: () => Promise<Opened<S3NotificationRepo>>): void {
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

function websiteContract(name: string, open: () => Promise<Opened<S3WebsiteRepo>>): void {
  describe(`S3WebsiteRepo contract (${name})`, () => {
    test('a website configuration is stored, replaced and removed', async () => {
      const { store, repo, close } = await open();
      try {
        assert.equal(await repo.config('site'), undefined);
        await store.write(async (tx) => {
          await repo.setConfig(tx, 'site', '{"IndexDocument":{"Suffix":"index.html"}}');
          assert.equal(await repo.config('site', tx), '{"IndexDocument":{"Suffix":"index.html"}}');
        });
        await store.write((tx) => repo.setConfig(tx, 'site', '{"IndexDocument":{"Suffix":"home.html"}}'));
        assert.equal(await repo.config('site'), '{"IndexDocument":{"Suffix":"home.html"}}');
        await store.write((tx) => repo.setConfig(tx, 'site', undefined));
        assert.equal(await repo.config('site'), undefined);
        const tx = await staleTx(store);
        await assert.rejects(repo.setConfig(tx, 'site', '{}'), STALE);
      } finally {
        await close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteS3ExtrasRepo }, extrasContract);
onEveryBackend({ sqlite: sqliteS3LifecycleRepo }, lifecycleContract);
onEveryBackend({ sqlite: sqliteS3NotificationRepo }, notificationContract);
onEveryBackend({ sqlite: sqliteS3WebsiteRepo }, websiteContract);
