/**
 * The SQS repo contract: what every storage backend's SqsRepo does, driven only through the
 * repo interface and the Store (writes in store.write with their Tx). Runs for SQLite in memory
 * and on disk; a future backend adds itself in backends.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MessageRecord, MoveTaskRecord, QueueRecord, SqsRepo } from '../../../src/services/sqs/repo.js';
import { sqliteSqsRepo } from '../../../src/services/sqs/repo.sqlite.js';
import type { Store, Tx } from '../../../src/store/store.js';
import { onEveryBackend, withOpened, type Opened as BackendOpened } from './backends.js';

type Opened = BackendOpened<SqsRepo>;

const queue = (name: string, attributes: Record<string, string> = {}): Omit<QueueRecord, 'id'> => ({
  account: '000000000000',
  region: 'us-east-1',
  name,
  attributes,
  tags: {},
  createdAt: 1000,
  modifiedAt: 1000,
});

function message(seq: number, queueId: number, over: Partial<MessageRecord> = {}): MessageRecord {
  return {
    seq,
    queueId,
    messageId: `m${seq}`,
    body: `body ${seq}`,
    md5Body: 'md5',
    attributes: null,
    md5Attributes: null,
    systemAttributes: null,
    senderId: 'sender',
    sentAt: 1000,
    visibleAt: 1000,
    receiveCount: 0,
    firstReceiveAt: null,
    receipt: null,
    groupId: null,
    dedupId: null,
    ...over,
  };
}

function repoContract(name: string, open: () => Promise<Opened>): void {
  describe(`SqsRepo contract: ${name}`, () => {
    /** Runs fn with a fresh store and repo, closing them afterwards. */
    const withRepo = (fn: Parameters<typeof withOpened<Opened['repo']>>[1]) => () => withOpened(open, fn);

    test('queues: insert under new ids, update, load, delete (with what belongs to them)', withRepo(async ({ repo, w }) => {
      const a = await w((tx) => repo.insertQueue(tx, queue('a', { VisibilityTimeout: '30' })));
      const b = await w((tx) => repo.insertQueue(tx, queue('b')));
      assert.notEqual(a, b);
      await w((tx) => repo.updateQueue(tx, { id: a, ...queue('a', { VisibilityTimeout: '60' }), tags: { k: 'v' }, modifiedAt: 2000 }));
      const loaded = (await repo.loadQueues()).sort((x, y) => x.id - y.id);
      assert.deepEqual(loaded.map((q) => q.name), ['a', 'b']);
      assert.deepEqual(loaded[0]!.attributes, { VisibilityTimeout: '60' });
      assert.deepEqual(loaded[0]!.tags, { k: 'v' });
      assert.equal(loaded[0]!.modifiedAt, 2000);
      assert.equal(loaded[0]!.createdAt, 1000);

      await w(async (tx) => {
        const seq = await repo.nextSeq(tx);
        await repo.insertMessage(tx, message(seq, a));
        await repo.putDedup(tx, a, '', 'd', { messageId: 'x', seq, md5Body: 'md5', md5Attributes: null, md5System: null, expiresAt: 9000 });
        await repo.insertMoveTask(tx, task('t', a));
      });
      await w((tx) => repo.deleteQueue(tx, a));
      assert.deepEqual((await repo.loadQueues()).map((q) => q.name), ['b']);
      assert.equal(await repo.countMessages(a), 0);
      assert.equal(await repo.getDedup(a, '', 'd'), undefined);
      assert.deepEqual(await repo.moveTasks(a), []);
      // An id is never handed out again.
      const c = await w((tx) => repo.insertQueue(tx, queue('a')));
      assert.ok(c > b, `queue id ${c} reused`);
    }));

    test('sequences grow, inside a write and across writes; currentSeq is the last handed out', withRepo(async ({ repo, w }) => {
      const [s1, s2, current] = await w(async (tx) => [await repo.nextSeq(tx), await repo.nextSeq(tx), await repo.currentSeq(tx)] as const);
      assert.ok(s2 > s1);
      assert.equal(current, s2);
      const s3 = await w((tx) => repo.nextSeq(tx));
      assert.ok(s3 > s2);
      assert.ok((await repo.currentSeq()) >= s3);
    }));

    test('messages: insert, get (attributes kept, binary too), receipt state, mark received, visibility, delete', withRepo(async ({ repo, w }) => {
      const q = await w((tx) => repo.insertQueue(tx, queue('q')));
      const seq = await w(async (tx) => {
        const s = await repo.nextSeq(tx);
        await repo.insertMessage(
          tx,
          message(s, q, {
            attributes: { s: { DataType: 'String', StringValue: 'v' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) } },
            md5Attributes: 'md5a',
            systemAttributes: { AWSTraceHeader: 'trace' },
          }),
        );
        // A read inside the write sees the write's own message.
        assert.equal((await repo.getMessage(s, tx))?.seq, s);
        return s;
      });
      const m = await repo.getMessage(seq);
      assert.equal(m?.body, `body ${seq}`);
      assert.equal(m?.attributes?.s?.StringValue, 'v');
      assert.deepEqual(m?.attributes?.b?.BinaryValue, Buffer.from([1, 2, 3]));
      assert.deepEqual(m?.systemAttributes, { AWSTraceHeader: 'trace' });
      assert.deepEqual({ ...(await repo.receiptState(seq)) }, { queueId: q, receipt: null, visibleAt: 1000, receivedAt: null });

      await w((tx) => repo.markReceived(tx, [{ seq, receivedAt: 2000, visibleAt: 32000, receipt: 'nonce', receiveCount: 1, firstReceiveAt: 2000 }]));
      assert.deepEqual({ ...(await repo.receiptState(seq)) }, { queueId: q, receipt: 'nonce', visibleAt: 32000, receivedAt: 2000 });
      const received = await repo.getMessage(seq);
      assert.equal(received?.receiveCount, 1);
      assert.equal(received?.firstReceiveAt, 2000);

      await w((tx) => repo.setVisibleAt(tx, seq, 5000));
      assert.equal((await repo.receiptState(seq))?.visibleAt, 5000);
      await w((tx) => repo.deleteMessage(tx, seq));
      assert.equal(await repo.getMessage(seq), undefined);
      assert.equal(await repo.receiptState(seq), undefined);
    }));

    test('visible messages, counts, next visibility, oldest, count, purge', withRepo(async ({ repo, w }) => {
      const q = await w((tx) => repo.insertQueue(tx, queue('q')));
      const other = await w((tx) => repo.insertQueue(tx, queue('other')));
      const seqs = await w(async (tx) => {
        const out: number[] = [];
        // visible, visible later (in flight: received), delayed (never received), old (past retention)
        for (const over of [{ visibleAt: 1500 }, { visibleAt: 9000, receiveCount: 1 }, { visibleAt: 7000 }, { visibleAt: 1000, sentAt: 10 }]) {
          const s = await repo.nextSeq(tx);
          await repo.insertMessage(tx, message(s, q, over));
          out.push(s);
        }
        await repo.insertMessage(tx, message(await repo.nextSeq(tx), other));
        return out;
      });
      const visible = await repo.visibleMessages(q, 2000, 10);
      assert.deepEqual(visible.map((m) => m.seq), [seqs[3], seqs[0]], 'oldest visibility first');
      assert.equal((await repo.visibleMessages(q, 2000, 1)).length, 1);
      assert.deepEqual(await repo.counts(q, 2000, 100), { visible: 1, inFlight: 1, delayed: 1 });
      assert.equal(await repo.nextVisibleAt(q, 2000), 7000);
      assert.equal(await repo.nextVisibleAt(q, 9000), undefined);
      assert.deepEqual((await repo.oldestMessages(q, 0, 10)).map((m) => m.seq), seqs);
      assert.deepEqual((await repo.oldestMessages(q, seqs[1]!, 1)).map((m) => m.seq), [seqs[2]]);
      assert.equal(await repo.countMessages(q), 4);
      assert.equal(await w((tx) => repo.purge(tx, q)), 4);
      assert.equal(await repo.countMessages(q), 0);
      assert.equal(await repo.countMessages(other), 1);
    }));

    test('retention: deleteExpired removes the oldest messages up to the first one kept', withRepo(async ({ repo, w }) => {
      const q = await w((tx) => repo.insertQueue(tx, queue('q')));
      const seqs = await w(async (tx) => {
        const out: number[] = [];
        for (const sentAt of [100, 200, 900, 150]) {
          const s = await repo.nextSeq(tx);
          await repo.insertMessage(tx, message(s, q, { sentAt }));
          out.push(s);
        }
        return out;
      });
      assert.equal(await w((tx) => repo.deleteExpired(tx, q, 500)), 2);
      assert.deepEqual((await repo.oldestMessages(q, 0, 10)).map((m) => m.seq), seqs.slice(2));
      assert.equal(await w((tx) => repo.deleteExpired(tx, q, 5000)), 2);
      assert.equal(await repo.countMessages(q), 0);
    }));

    test('message groups: heads, a group in order, blocked groups', withRepo(async ({ repo, w }) => {
      const q = await w((tx) => repo.insertQueue(tx, queue('q.fifo', { FifoQueue: 'true' })));
      const seqs = await w(async (tx) => {
        const out: number[] = [];
        for (const groupId of ['g1', 'g2', 'g1', 'g2']) {
          const s = await repo.nextSeq(tx);
          await repo.insertMessage(tx, message(s, q, { groupId }));
          out.push(s);
        }
        return out;
      });
      assert.deepEqual(await repo.groupHeads(q, 0, 10), [
        { groupId: 'g1', headSeq: seqs[0] },
        { groupId: 'g2', headSeq: seqs[1] },
      ]);
      assert.deepEqual(await repo.groupHeads(q, seqs[0]!, 10), [{ groupId: 'g2', headSeq: seqs[1] }]);
      assert.deepEqual((await repo.groupMessages(q, 'g1', seqs[0]!, 10)).map((m) => m.seq), [seqs[0], seqs[2]]);
      assert.deepEqual((await repo.groupMessages(q, 'g1', seqs[0]! + 1, 10)).map((m) => m.seq), [seqs[2]]);
      assert.equal(await repo.groupBlocked(q, 'g1', seqs[0]!, 2000), false);
      // In flight: the group waits.
      await w((tx) => repo.markReceived(tx, [{ seq: seqs[0]!, receivedAt: 2000, visibleAt: 5000, receipt: 'r', receiveCount: 1, firstReceiveAt: 2000 }]));
      assert.equal(await repo.groupBlocked(q, 'g1', seqs[2]!, 2000), true);
      assert.equal(await repo.groupBlocked(q, 'g2', seqs[1]!, 2000), false);
      // The head leaves: the next one heads the group.
      await w((tx) => repo.deleteMessage(tx, seqs[0]!));
      assert.deepEqual((await repo.groupHeads(q, 0, 10)).map((h) => h.headSeq), [seqs[1], seqs[2]]);
    }));

    test('moving a message to another queue: new sequence, visibility, identity as asked', withRepo(async ({ repo, w }) => {
      const src = await w((tx) => repo.insertQueue(tx, queue('src')));
      const dlq = await w((tx) => repo.insertQueue(tx, queue('dlq')));
      const seq = await w(async (tx) => {
        const s = await repo.nextSeq(tx);
        await repo.insertMessage(tx, message(s, src, { receiveCount: 3, firstReceiveAt: 1100, receipt: 'r', dedupId: 'd' }));
        return s;
      });
      const moved = await w(async (tx) => {
        const newSeq = await repo.nextSeq(tx);
        await repo.moveMessage(tx, seq, { toQueueId: dlq, newSeq, visibleAt: 4000, systemAttributes: { DeadLetterQueueSourceArn: 'arn' }, resetReceives: false, sentAt: 3000, dedupId: 'm1' });
        return newSeq;
      });
      assert.equal(await repo.getMessage(seq), undefined);
      const m = await repo.getMessage(moved);
      assert.equal(m?.queueId, dlq);
      assert.equal(m?.visibleAt, 4000);
      assert.equal(m?.receipt, null);
      assert.equal(m?.receiveCount, 3);
      assert.equal(m?.sentAt, 3000);
      assert.equal(m?.dedupId, 'm1');
      assert.equal(m?.messageId, `m${seq}`);
      assert.deepEqual(m?.systemAttributes, { DeadLetterQueueSourceArn: 'arn' });
      const back = await w(async (tx) => {
        const newSeq = await repo.nextSeq(tx);
        await repo.moveMessage(tx, moved, { toQueueId: src, newSeq, visibleAt: 5000, systemAttributes: null, resetReceives: true, messageId: 'new' });
        return newSeq;
      });
      const r = await repo.getMessage(back);
      assert.equal(r?.receiveCount, 0);
      assert.equal(r?.firstReceiveAt, null);
      assert.equal(r?.messageId, 'new');
      assert.equal(r?.sentAt, 3000, 'kept when not given');
    }));

    test('deduplication entries and receive attempts: put, get while unexpired, swept', withRepo(async ({ repo, w }) => {
      const q = await w((tx) => repo.insertQueue(tx, queue('q.fifo', { FifoQueue: 'true' })));
      const entry = { messageId: 'm', seq: 7, md5Body: 'b', md5Attributes: 'a', md5System: null, expiresAt: 5000 };
      await w(async (tx) => {
        await repo.putDedup(tx, q, 'g', 'd', entry);
        await repo.putReceiveAttempt(tx, q, 'attempt', [{ seq: 7, receipt: 'r7' }, { seq: 8, receipt: 'r8' }], 5000);
      });
      assert.deepEqual(await repo.getDedup(q, 'g', 'd'), entry);
      assert.equal(await repo.getDedup(q, '', 'd'), undefined, 'scoped');
      assert.deepEqual(await repo.getReceiveAttempt(q, 'attempt', 1000), [{ seq: 7, receipt: 'r7' }, { seq: 8, receipt: 'r8' }]);
      assert.equal(await repo.getReceiveAttempt(q, 'attempt', 5000), undefined, 'expired');
      assert.equal(await repo.getReceiveAttempt(q, 'other', 1000), undefined);
      await w((tx) => repo.sweepDedup(tx, 4000));
      assert.deepEqual(await repo.getDedup(q, 'g', 'd'), entry);
      await w((tx) => repo.sweepDedup(tx, 5000));
      assert.equal(await repo.getDedup(q, 'g', 'd'), undefined);
      assert.equal(await repo.getReceiveAttempt(q, 'attempt', 0), undefined);
    }));

    test('move tasks: insert, update, newest first per source, active ones', withRepo(async ({ repo, w }) => {
      const q = await w((tx) => repo.insertQueue(tx, queue('dlq')));
      const first = task('t1', q, 1000);
      const second = task('t2', q, 2000);
      await w(async (tx) => {
        await repo.insertMoveTask(tx, first);
        await repo.insertMoveTask(tx, second);
      });
      assert.deepEqual((await repo.moveTasks(q)).map((t) => t.handle), ['t2', 't1']);
      assert.deepEqual((await repo.activeMoveTasks()).map((t) => t.handle).sort(), ['t1', 't2']);
      await w((tx) => repo.updateMoveTask(tx, { ...first, status: 'COMPLETED', moved: 5 }));
      assert.deepEqual((await repo.activeMoveTasks()).map((t) => t.handle), ['t2']);
      const done = (await repo.moveTasks(q)).find((t) => t.handle === 't1');
      assert.equal(done?.status, 'COMPLETED');
      assert.equal(done?.moved, 5);
      assert.deepEqual(await repo.moveTasks(q + 1000), []);
    }));

    test('a failed write leaves nothing behind; the others of its commit stay', withRepo(async ({ repo, w }) => {
      const q = await w((tx) => repo.insertQueue(tx, queue('q')));
      const outcomes = await Promise.allSettled([
        w(async (tx) => repo.insertMessage(tx, message(await repo.nextSeq(tx), q))),
        w(async (tx) => {
          await repo.insertMessage(tx, message(await repo.nextSeq(tx), q));
          throw new Error('fails after its insert');
        }),
        w(async (tx) => repo.insertMessage(tx, message(await repo.nextSeq(tx), q))),
      ]);
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal(await repo.countMessages(q), 2);
    }));

    test('a write method refuses a stale Tx (one kept past its write)', withRepo(async ({ repo, w }) => {
      let kept: Tx | undefined;
      const q = await w(async (tx) => {
        kept = tx;
        return repo.insertQueue(tx, queue('q'));
      });
      await assert.rejects(repo.insertQueue(kept!, queue('late')), /outside its store write/);
      await assert.rejects(repo.nextSeq(kept!), /outside its store write/);
      await assert.rejects(repo.insertMessage(kept!, message(999, q)), /outside its store write/);
      await assert.rejects(repo.deleteQueue(kept!, q), /outside its store write/);
      assert.deepEqual((await repo.loadQueues()).map((r) => r.name), ['q']);
    }));
  });
}

function task(handle: string, sourceQueueId: number, startedAt = 1000): MoveTaskRecord {
  return {
    handle,
    sourceQueueId,
    sourceArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
    destinationArn: null,
    maxPerSecond: null,
    status: 'RUNNING',
    moved: 0,
    toMove: 3,
    failureReason: null,
    startedAt,
  };
}

onEveryBackend({ sqlite: sqliteSqsRepo }, repoContract);
