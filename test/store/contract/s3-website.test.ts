/** The contract of S3's website configurations repo (S3WebsiteRepo), run on every backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3WebsiteRepo } from '../../../src/services/s3/repo-website.js';
import { sqliteS3WebsiteRepo } from '../../../src/services/s3/repo-website.sqlite.js';
import { onEveryBackend, STALE, staleTx, type Opened } from './backends.js';

function repoContract(name: string, open: () => Promise<Opened<S3WebsiteRepo>>): void {
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

onEveryBackend({ sqlite: sqliteS3WebsiteRepo }, repoContract);
