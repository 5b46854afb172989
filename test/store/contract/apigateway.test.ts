/**
 * API Gateway's repo contract: documents by (kind, id) and named counters, driven only through
 * the interface and the Store. Runs for SQLite in memory and on disk; a future backend runs the
 * same suite.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiGatewayRepo, StoredDocument } from '../../../src/services/apigateway/repo.js';
import { sqliteApiGatewayRepo } from '../../../src/services/apigateway/repo.sqlite.js';
import { onEveryBackend, STALE, staleTx, withOpened, type Opened } from './backends.js';

const doc = (kind: string, id: string, extra: Record<string, unknown> = {}): StoredDocument => ({ kind, id, accountId: '000000000000', region: 'us-east-1', ...extra });

onEveryBackend<ApiGatewayRepo>({ sqlite: sqliteApiGatewayRepo }, (name, open: () => Promise<Opened<ApiGatewayRepo>>) => {
  describe(`ApiGatewayRepo contract: ${name}`, () => {
    test('documents: put, replace, delete by kind and id; the same id under two kinds is two documents', () =>
      withOpened(open, async ({ repo, w }) => {
        const seen = await w(async (tx) => {
          await repo.putDocument(tx, doc('httpApi', 'a1', { name: 'one' }));
          await repo.putDocument(tx, doc('restApi', 'a1', { name: 'two' }));
          await repo.putDocument(tx, doc('httpApi', 'b2', { routes: { r1: { RouteKey: 'GET /' } } }));
          return (await repo.allDocuments(tx)).length;
        });
        assert.equal(seen, 3);
        await w((tx) => repo.putDocument(tx, doc('httpApi', 'a1', { name: 'renamed' })));
        await w((tx) => repo.deleteDocument(tx, 'restApi', 'a1'));
        assert.deepEqual(await repo.allDocuments(), [doc('httpApi', 'a1', { name: 'renamed' }), doc('httpApi', 'b2', { routes: { r1: { RouteKey: 'GET /' } } })]);
      }));

    test('a write that throws leaves no document behind', () =>
      withOpened(open, async ({ repo, w }) => {
        await assert.rejects(
          w(async (tx) => {
            await repo.putDocument(tx, doc('apiKey', 'k1'));
            throw new Error('undo');
          }),
          /undo/,
        );
        assert.deepEqual(await repo.allDocuments(), []);
      }));

    test('counters: start at zero, add and answer the new value, delete by prefix (a prefix with % or _ matches only itself)', () =>
      withOpened(open, async ({ repo, w }) => {
        assert.equal(await repo.counter('quota|p1|k1|2026-12-07'), 0);
        assert.equal(await w((tx) => repo.addToCounter(tx, 'quota|p1|k1|2026-12-07', 1)), 1);
        assert.equal(await w((tx) => repo.addToCounter(tx, 'quota|p1|k1|2026-12-07', 4)), 5);
        await w((tx) => repo.addToCounter(tx, 'quota|p1|k2|2026-12-07', 2));
        await w((tx) => repo.addToCounter(tx, 'quota|p10|k1|2026-12-07', 3));
        await w((tx) => repo.addToCounter(tx, 'quota|p_|k1', 7));
        await w((tx) => repo.deleteCounters(tx, 'quota|p1|'));
        assert.equal(await repo.counter('quota|p1|k1|2026-12-07'), 0);
        assert.equal(await repo.counter('quota|p1|k2|2026-12-07'), 0);
        assert.equal(await repo.counter('quota|p10|k1|2026-12-07'), 3);
        await w((tx) => repo.deleteCounters(tx, 'quota|p_'));
        assert.equal(await repo.counter('quota|p_|k1'), 0);
        assert.equal(await repo.counter('quota|p10|k1|2026-12-07'), 3);
      }));

    test('documents and counters survive a reopen', async () => {
      const o = await open();
      await o.store.write(async (tx) => {
        await o.repo.putDocument(tx, doc('usagePlan', 'u1', { quota: { limit: 5 } }));
        await o.repo.addToCounter(tx, 'quota|u1', 2);
      });
      await o.close();
      if (!o.reopen) return;
      const again = await o.reopen();
      try {
        assert.deepEqual(await again.repo.allDocuments(), [doc('usagePlan', 'u1', { quota: { limit: 5 } })]);
        assert.equal(await again.repo.counter('quota|u1'), 2);
      } finally {
        await again.close();
      }
    });

    test('every write method refuses a transaction kept past its write', () =>
      withOpened(open, async ({ store, repo }) => {
        const tx = await staleTx(store);
        await assert.rejects(repo.putDocument(tx, doc('httpApi', 'x')), STALE);
        await assert.rejects(repo.deleteDocument(tx, 'httpApi', 'x'), STALE);
        await assert.rejects(repo.addToCounter(tx, 'c', 1), STALE);
        await assert.rejects(repo.deleteCounters(tx, 'c'), STALE);
      }));
  });
});
