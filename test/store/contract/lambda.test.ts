/**
 * The functions service's repo contract: what every backend's LambdaRepo must do, driven only
 * through the interface and the Store (writes inside store.write, handing over its Tx). Runs for
 * SQLite in memory and on disk; a future backend runs the same suite.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { functionKey, type FunctionRecord } from '../../../src/services/lambda/model.js';
import type { AsyncInvocation, LambdaRepo } from '../../../src/services/lambda/repo.js';
import { sqliteLambdaRepo } from '../../../src/services/lambda/repo.sqlite.js';
import type { Store, Tx } from '../../../src/store/store.js';
import { onEveryBackend, withOpened, type Opened as BackendOpened } from './backends.js';

type Opened = BackendOpened<LambdaRepo>;

/** A function document as the registry stores it (the repo keeps it whole, opaque). */
const fn = (name: string, extra: Record<string, unknown> = {}) =>
  ({ accountId: '000000000000', region: 'us-east-1', name, latest: { config: { FunctionName: name, Version: '$LATEST' } }, versions: {}, ...extra }) as unknown as FunctionRecord;
const keyOf = (f: FunctionRecord) => functionKey(f.accountId, f.region, f.name);

const inv = (id: string, due: number, extra: Partial<AsyncInvocation> = {}): AsyncInvocation => ({
  id,
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
  accountId: '000000000000',
  region: 'us-east-1',
  name: 'f',
  payload: Buffer.from(`{"id":"${id}"}`).toString('base64'),
  requestId: `req-${id}`,
  enqueuedAt: 100,
  attempts: 0,
  due,
  ...extra,
});

function repoContract(name: string, open: () => Promise<Opened>): void {
  describe(`LambdaRepo contract: ${name}`, () => {
    const withRepo = (fn: (o: Opened) => Promise<void>) => withOpened(open, fn);

    test('functions: put, load, replace, delete; a read inside a write sees it', () =>
      withRepo(async ({ store, repo }) => {
        const a = fn('a');
        const b = fn('b', { reservedConcurrency: 3 });
        const seen = await store.write(async (tx) => {
          await repo.putFunction(tx, keyOf(a), a);
          await repo.putFunction(tx, keyOf(b), b);
          return (await repo.allFunctions(tx)).length;
        });
        assert.equal(seen, 2);
        const loaded = (await repo.allFunctions()).sort((x, y) => x.name.localeCompare(y.name));
        assert.deepEqual(loaded, [a, b]);
        const a2 = fn('a', { reservedConcurrency: 1 });
        await store.write((tx) => repo.putFunction(tx, keyOf(a2), a2));
        await store.write((tx) => repo.deleteFunction(tx, keyOf(b)));
        assert.deepEqual(await repo.allFunctions(), [a2], 'a put replaces the document of its key');
        await store.write((tx) => repo.deleteFunction(tx, 'no such key'));
        assert.equal((await repo.allFunctions()).length, 1);
      }));

    test('mappings: put, load, replace (positions kept whole), delete', () =>
      withRepo(async ({ store, repo }) => {
        const m1 = { UUID: 'u1', kind: 'sqs', enabled: true, BatchSize: 10 };
        const m2 = { UUID: 'u2', kind: 'dynamodb', enabled: false, positions: { 'shard-1': 7 } };
        await store.write(async (tx) => {
          await repo.putMapping(tx, m1.UUID, m1);
          await repo.putMapping(tx, m2.UUID, m2);
        });
        const byId = (list: { UUID: string }[]) => new Map(list.map((m) => [m.UUID, m]));
        assert.deepEqual(byId(await repo.allMappings<{ UUID: string }>()), new Map<string, unknown>([['u1', m1], ['u2', m2]]));
        const moved = { ...m2, positions: { 'shard-1': 9 }, LastProcessingResult: 'OK' };
        await store.write((tx) => repo.putMapping(tx, moved.UUID, moved));
        await store.write((tx) => repo.deleteMapping(tx, 'u1'));
        assert.deepEqual(await repo.allMappings(), [moved]);
      }));

    test('async invocations: due ones oldest first up to a limit, the next due time, retries replace, removal', () =>
      withRepo(async ({ store, repo }) => {
        assert.deepEqual(await repo.pendingInvocations(1000, 10), { due: [], nextDue: undefined });
        await store.write(async (tx) => {
          await repo.enqueueInvocation(tx, inv('late', 5000));
          await repo.enqueueInvocation(tx, inv('second', 900, { qualifier: '1', noDestinations: true }));
          await repo.enqueueInvocation(tx, inv('first', 500));
          await repo.enqueueInvocation(tx, inv('later', 3000));
        });
        const p = await repo.pendingInvocations(1000, 10);
        assert.deepEqual(p.due, [inv('first', 500), inv('second', 900, { qualifier: '1', noDestinations: true })]);
        assert.equal(p.nextDue, 3000);
        assert.deepEqual((await repo.pendingInvocations(1000, 1)).due.map((i) => i.id), ['first']);
        assert.deepEqual(await repo.pendingInvocations(100, 10), { due: [], nextDue: 500 });
        // A retry: the same id again, with its attempts and a later due time.
        await store.write((tx) => repo.enqueueInvocation(tx, inv('first', 4000, { attempts: 1 })));
        const after = await repo.pendingInvocations(1000, 10);
        assert.deepEqual(after.due.map((i) => i.id), ['second']);
        assert.equal(after.nextDue, 3000);
        assert.deepEqual((await repo.pendingInvocations(4000, 10)).due.map((i) => [i.id, i.attempts]), [['second', 0], ['later', 0], ['first', 1]]);
        await store.write(async (tx) => {
          await repo.removeInvocation(tx, 'second');
          await repo.removeInvocation(tx, 'later');
        });
        assert.deepEqual(await repo.pendingInvocations(10_000, 10), { due: [inv('first', 4000, { attempts: 1 }), inv('late', 5000)], nextDue: undefined });
      }));

    test('a write that fails is undone; a write method refuses a Tx kept past its write', () =>
      withRepo(async ({ store, repo }) => {
        await assert.rejects(
          store.write(async (tx) => {
            await repo.putFunction(tx, keyOf(fn('gone')), fn('gone'));
            await repo.enqueueInvocation(tx, inv('gone', 1));
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await repo.allFunctions(), []);
        assert.deepEqual((await repo.pendingInvocations(10, 10)).due, []);
        let kept: Tx | undefined;
        await store.write(async (tx) => {
          kept = tx;
          await repo.putFunction(tx, keyOf(fn('f')), fn('f'));
        });
        await assert.rejects(repo.putFunction(kept!, keyOf(fn('late')), fn('late')));
        await assert.rejects(repo.deleteFunction(kept!, keyOf(fn('f'))));
        await assert.rejects(repo.putMapping(kept!, 'u', { UUID: 'u' }));
        await assert.rejects(repo.deleteMapping(kept!, 'u'));
        await assert.rejects(repo.enqueueInvocation(kept!, inv('late', 1)));
        await assert.rejects(repo.removeInvocation(kept!, 'late'));
        assert.deepEqual((await repo.allFunctions()).map((f) => f.name), ['f']);
        assert.deepEqual(await repo.allMappings(), []);
      }));

    test('what was written survives closing and opening the store again (on disk)', async () => {
      const o = await open();
      await o.store.write(async (tx) => {
        await o.repo.putFunction(tx, keyOf(fn('durable')), fn('durable'));
        await o.repo.putMapping(tx, 'm', { UUID: 'm' });
        await o.repo.enqueueInvocation(tx, inv('i', 1));
      });
      if (!o.reopen) return o.close();
      await o.close();
      const again = await o.reopen();
      try {
        assert.deepEqual(await again.repo.allFunctions(), [fn('durable')]);
        assert.deepEqual(await again.repo.allMappings(), [{ UUID: 'm' }]);
        assert.deepEqual((await again.repo.pendingInvocations(1, 10)).due, [inv('i', 1)]);
      } finally {
        await again.close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteLambdaRepo }, repoContract);
