/**
 * The CloudWatch Logs repo contract: what every backend's LogsRepo must do, driven only through
 * the interface and the Store (writes inside store.write, handing over its Tx). Runs for SQLite
 * in memory and on disk; a future backend runs the same suite.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GroupRecord, LogsRepo, StreamRecord } from '../../../src/services/logs/repo.js';
import { sqliteLogsRepo } from '../../../src/services/logs/repo.sqlite.js';
import type { Store, Tx } from '../../../src/store/store.js';
import { onEveryBackend, withOpened, type Opened as BackendOpened } from './backends.js';

type Opened = BackendOpened<LogsRepo>;

const group = (name: string, over: Partial<GroupRecord> = {}): Omit<GroupRecord, 'id'> => ({
  account: '000000000000',
  region: 'us-east-1',
  name,
  createdAt: 1000,
  retentionDays: null,
  tags: {},
  kmsKeyId: null,
  logGroupClass: 'STANDARD',
  ...over,
});

const stream = (groupId: number, name: string): Omit<StreamRecord, 'id'> => ({
  groupId,
  name,
  createdAt: 2000,
  firstEventTimestamp: null,
  lastEventTimestamp: null,
  lastIngestionTime: null,
  storedBytes: 0,
  uploads: 0,
});

const ev = (timestamp: number, message: string) => ({ timestamp, message, bytes: Buffer.byteLength(message) });

function repoContract(name: string, open: () => Promise<Opened>): void {
  describe(`LogsRepo contract: ${name}`, () => {
    const withRepo = (fn: (o: Opened) => Promise<void>) => withOpened(open, fn);

    /** A group with two streams; answers their ids. */
    async function seed({ store, repo }: Opened) {
      return store.write(async (tx) => {
        const g = await repo.insertGroup(tx, group('g'));
        const a = await repo.insertStream(tx, stream(g, 'a'));
        const b = await repo.insertStream(tx, stream(g, 'b'));
        return { g, a, b };
      });
    }

    test('groups: insert under fresh ids, load, update retention and tags, delete', () =>
      withRepo(async ({ store, repo }) => {
        const id = await store.write((tx) => repo.insertGroup(tx, group('one', { tags: { k: 'v' }, kmsKeyId: 'key' })));
        const loaded = await repo.loadGroups();
        assert.deepEqual(loaded, [{ id, ...group('one', { tags: { k: 'v' }, kmsKeyId: 'key' }) }]);
        await store.write((tx) => repo.updateGroup(tx, { ...loaded[0]!, retentionDays: 7, tags: { a: 'b' } }));
        const [updated] = await repo.loadGroups();
        assert.equal(updated!.retentionDays, 7);
        assert.deepEqual(updated!.tags, { a: 'b' });
        await store.write((tx) => repo.deleteGroup(tx, id));
        assert.deepEqual(await repo.loadGroups(), []);
        const again = await store.write((tx) => repo.insertGroup(tx, group('one')));
        assert.ok(again > id, 'an id is never reused');
        await assert.rejects(store.write((tx) => repo.insertGroup(tx, group('one'))), 'a name is unique per account and region');
        await store.write((tx) => repo.insertGroup(tx, group('one', { account: '111111111111' })));
        assert.equal((await repo.loadGroups()).length, 2);
      }));

    test('streams: insert, load, statistics written for several at once, delete with their events', () =>
      withRepo(async (o) => {
        const { store, repo } = o;
        const { g, a, b } = await seed(o);
        const streams = await repo.loadStreams();
        assert.deepEqual(
          streams.sort((x, y) => x.id - y.id),
          [
            { id: a, ...stream(g, 'a') },
            { id: b, ...stream(g, 'b') },
          ],
        );
        await store.write((tx) =>
          repo.updateStreams(tx, [
            { id: a, ...stream(g, 'a'), firstEventTimestamp: 5, lastEventTimestamp: 9, lastIngestionTime: 10, storedBytes: 42, uploads: 3 },
            { id: b, ...stream(g, 'b'), storedBytes: 7, uploads: 1 },
          ]),
        );
        const byId = new Map((await repo.loadStreams()).map((s) => [s.id, s]));
        assert.deepEqual(byId.get(a), { id: a, ...stream(g, 'a'), firstEventTimestamp: 5, lastEventTimestamp: 9, lastIngestionTime: 10, storedBytes: 42, uploads: 3 });
        assert.equal(byId.get(b)!.storedBytes, 7);
        await store.write((tx) => repo.insertEvents(tx, 100, [{ groupId: g, streamId: a, events: [ev(1, 'x')] }]));
        await store.write((tx) => repo.deleteStream(tx, a));
        assert.deepEqual((await repo.loadStreams()).map((s) => s.name), ['b']);
        assert.deepEqual(await repo.groupEvents(g, { from: 0, to: 1e15 }, 10), [], 'the stream took its events with it');
        await assert.rejects(store.write((tx) => repo.insertStream(tx, stream(g, 'b'))), 'a name is unique in its group');
      }));

    test('events: ordered by (timestamp, seq), ranges, positions, both directions, limits', () =>
      withRepo(async (o) => {
        const { store, repo } = o;
        const { g, a, b } = await seed(o);
        await store.write(async (tx) => {
          await repo.insertEvents(tx, 500, [{ groupId: g, streamId: a, events: [ev(10, 'a1'), ev(20, 'a2'), ev(20, 'a3')] }]);
          await repo.insertEvents(tx, 501, [{ groupId: g, streamId: b, events: [ev(15, 'b1'), ev(30, 'b2')] }]);
        });
        const all = await repo.streamEvents(a, { from: 0, to: 1e15 }, false, 100);
        assert.deepEqual(all.map((e) => e.message), ['a1', 'a2', 'a3']);
        assert.deepEqual({ ...all[0]!, seq: 0 }, { seq: 0, streamId: a, timestamp: 10, ingestionTime: 500, message: 'a1' });
        assert.ok(all[1]!.seq < all[2]!.seq, 'events of one timestamp keep their order');
        const desc = await repo.streamEvents(a, { from: 0, to: 1e15 }, true, 2);
        assert.deepEqual(desc.map((e) => e.message), ['a3', 'a2']);
        const after = await repo.streamEvents(a, { from: 0, to: 1e15, after: { timestamp: all[1]!.timestamp, seq: all[1]!.seq } }, false, 100);
        assert.deepEqual(after.map((e) => e.message), ['a3']);
        const before = await repo.streamEvents(a, { from: 0, to: 1e15, before: { timestamp: all[2]!.timestamp, seq: all[2]!.seq } }, true, 100);
        assert.deepEqual(before.map((e) => e.message), ['a2', 'a1']);
        const window = await repo.groupEvents(g, { from: 15, to: 30 }, 100);
        assert.deepEqual(window.map((e) => [e.message, e.streamId]), [['b1', b], ['a2', a], ['a3', a]]);
        assert.deepEqual((await repo.groupEvents(g, { from: 0, to: 1e15 }, 2)).map((e) => e.message), ['a1', 'b1']);
        // A read inside a write sees that write's own events.
        const seen = await store.write(async (tx) => {
          await repo.insertEvents(tx, 502, [{ groupId: g, streamId: b, events: [ev(40, 'b3')] }]);
          return (await repo.streamEvents(b, { from: 0, to: 1e15 }, false, 100, tx)).map((e) => e.message);
        });
        assert.deepEqual(seen, ['b1', 'b2', 'b3']);
        // Several streams' appends in one call keep the order given, across streams too.
        await store.write((tx) =>
          repo.insertEvents(tx, 600, [
            { groupId: g, streamId: b, events: [ev(100, 'b-first')] },
            { groupId: g, streamId: a, events: [ev(100, 'a-second')] },
            { groupId: g, streamId: b, events: [ev(100, 'b-third')] },
          ]),
        );
        const round = await repo.groupEvents(g, { from: 100, to: 101 }, 10);
        assert.deepEqual(round.map((e) => [e.message, e.streamId, e.ingestionTime]), [['b-first', b, 600], ['a-second', a, 600], ['b-third', b, 600]]);
      }));

    test('deleteExpired removes a group\'s events older than a time and answers the bytes freed per stream', () =>
      withRepo(async (o) => {
        const { store, repo } = o;
        const { g, a, b } = await seed(o);
        const other = await store.write(async (tx) => {
          const id = await repo.insertGroup(tx, group('other'));
          const s = await repo.insertStream(tx, stream(id, 's'));
          await repo.insertEvents(tx, 1, [{ groupId: id, streamId: s, events: [ev(1, 'kept elsewhere')] }]);
          await repo.insertEvents(tx, 1, [{ groupId: g, streamId: a, events: [ev(1, 'aaaa'), ev(2, 'aa'), ev(50, 'new')] }]);
          await repo.insertEvents(tx, 1, [{ groupId: g, streamId: b, events: [ev(3, 'bbb')] }]);
          return id;
        });
        const freed = await store.write((tx) => repo.deleteExpired(tx, g, 10));
        assert.deepEqual([...freed.entries()].sort(), [
          [a, 6],
          [b, 3],
        ]);
        assert.deepEqual((await repo.groupEvents(g, { from: 0, to: 1e15 }, 100)).map((e) => e.message), ['new']);
        assert.equal((await repo.groupEvents(other, { from: 0, to: 1e15 }, 100)).length, 1);
        assert.equal((await store.write((tx) => repo.deleteExpired(tx, g, 10))).size, 0);
      }));

    test('a write that fails is undone; a write method refuses a Tx kept past its write', () =>
      withRepo(async ({ store, repo }) => {
        await assert.rejects(
          store.write(async (tx) => {
            await repo.insertGroup(tx, group('undone'));
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await repo.loadGroups(), []);
        let kept: Tx | undefined;
        const id = await store.write((tx) => {
          kept = tx;
          return repo.insertGroup(tx, group('g'));
        });
        await assert.rejects(repo.insertGroup(kept!, group('late')));
        await assert.rejects(repo.updateGroup(kept!, { id, ...group('g'), retentionDays: 1 }));
        await assert.rejects(repo.insertStream(kept!, stream(id, 's')));
        await assert.rejects(repo.insertEvents(kept!, 1, [{ groupId: id, streamId: 1, events: [ev(1, 'x')] }]));
        await assert.rejects(repo.deleteGroup(kept!, id));
        assert.deepEqual((await repo.loadGroups()).map((g) => [g.name, g.retentionDays]), [['g', null]]);
      }));

    test('what was written survives closing and opening the store again (on disk)', async () => {
      const o = await open();
      const reopen = o.reopen;
      const id = await o.store.write((tx) => o.repo.insertGroup(tx, group('durable')));
      if (!reopen) return o.close();
      await o.store.close();
      const again = await reopen();
      try {
        assert.deepEqual((await again.repo.loadGroups()).map((g) => [g.id, g.name]), [[id, 'durable']]);
      } finally {
        await again.close();
      }
    });
  });
}

onEveryBackend({ sqlite: sqliteLogsRepo }, repoContract);
