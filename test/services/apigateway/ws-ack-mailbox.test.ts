/**
 * Acknowledged delivery's mailboxes on a real store (SQLite in memory, and on disk for the
 * restart), on the injected clock: order, cumulative acks, redelivery on a new connection,
 * expiry, capacity, and the metrics. The sinks stand in for the WebSocket connection only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/log.js';
import { Mailboxes, type MailboxSink } from '../../../src/services/apigateway/ack/mailboxes.js';
import { messageFrame, parseAck } from '../../../src/services/apigateway/ack/protocol.js';
import { sqliteMailboxRepo } from '../../../src/services/apigateway/ack/repo.sqlite.js';
import { SqliteStore } from '../../../src/store/sqlite.js';

const KEY = { accountId: '000000000000', apiId: 'abc123', clientId: 'alice' };
const log = createLogger('silent');

async function open(opts: { dir?: string; clock?: ManualClock; ttlMs?: number; capacity?: number } = {}) {
  const store = new SqliteStore(opts.dir ? { dataDir: opts.dir } : { memory: true });
  const repo = await store.repo({ sqlite: sqliteMailboxRepo });
  const clock = opts.clock ?? new ManualClock();
  const boxes = new Mailboxes(repo, store, clock, log, { ttlMs: opts.ttlMs, capacity: opts.capacity });
  await boxes.reload();
  return { store, repo, clock, boxes, close: async () => (await boxes.stop(), await store.close()) };
}

/** A connection's stand-in: records the frames, can fail like a dropped socket. */
function sink() {
  const frames: { seq: number; data: string; encoding?: string }[] = [];
  let waiters: (() => void)[] = [];
  const s = {
    frames,
    dead: false,
    replacedCalled: false,
    seqs: () => frames.map((f) => f.seq),
    async send(frame: string) {
      if (s.dead) throw new Error('gone');
      frames.push(JSON.parse(frame));
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    },
    replaced() {
      s.replacedCalled = true;
    },
    /** Resolves once n frames arrived. */
    async until(n: number) {
      while (frames.length < n) await new Promise<void>((r) => waiters.push(r));
    },
  } satisfies MailboxSink & Record<string, unknown>;
  return s;
}

const settle = () => new Promise((r) => setImmediate(r));

describe('acknowledged delivery: protocol frames', () => {
  test('text payloads as data, others as base64', () => {
    assert.equal(messageFrame(3, Buffer.from('héllo')), '{"seq":3,"data":"héllo"}');
    assert.equal(messageFrame(4, Buffer.from([0xff, 0x00])), '{"seq":4,"data":"/wA=","encoding":"base64"}');
  });
  test('only an object whose one key is ack is an acknowledgement', () => {
    assert.equal(parseAck('{"ack": 12}'), 12);
    assert.equal(parseAck('{"ack":-1}'), 'invalid');
    assert.equal(parseAck('{"ack":"3"}'), 'invalid');
    assert.equal(parseAck('{"ack":1,"action":"x"}'), undefined);
    assert.equal(parseAck('{"action":"ack"}'), undefined);
    assert.equal(parseAck(Buffer.from('{"ack":1}')), undefined);
    assert.equal(parseAck('not json "ack"'), undefined);
  });
});

describe('acknowledged delivery: mailboxes', () => {
  test('seq increases by one per client; messages arrive in order; only unacknowledged ones come again', async () => {
    const { boxes, close } = await open();
    try {
      const seqs = [];
      for (let i = 1; i <= 5; i++) seqs.push(await boxes.post(KEY, Buffer.from(`m${i}`)));
      assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
      assert.equal(await boxes.post({ ...KEY, clientId: 'bob' }, Buffer.from('x')), 1);

      const a = sink();
      const detach = await boxes.attach(KEY, a);
      await a.until(5);
      assert.deepEqual(a.frames.map((f) => f.data), ['m1', 'm2', 'm3', 'm4', 'm5']);
      await boxes.ack(KEY, 3);
      await boxes.post(KEY, Buffer.from('m6'));
      await a.until(6);
      assert.deepEqual(a.seqs(), [1, 2, 3, 4, 5, 6]);
      detach();

      const b = sink();
      await boxes.attach(KEY, b);
      await b.until(3);
      await settle();
      assert.deepEqual(b.seqs(), [4, 5, 6], 'everything above the last ack, once, in order');
      const m = boxes.metrics();
      assert.equal(m.redelivered, 3);
      assert.equal(m.delivered, 9);
      assert.equal(m.acknowledged, 3);
      assert.equal(m.backlog, 4, 'alice 4..6 and bob 1');
    } finally {
      await close();
    }
  });

  test('an ack never reaches past what was sent; a lower ack changes nothing', async () => {
    const { boxes, close } = await open();
    try {
      for (let i = 0; i < 4; i++) await boxes.post(KEY, Buffer.from('x'));
      await boxes.ack(KEY, 4); // nothing was sent yet
      const a = sink();
      const detach = await boxes.attach(KEY, a);
      await a.until(4);
      await boxes.ack(KEY, 100);
      await boxes.ack(KEY, 2);
      assert.equal(boxes.metrics().backlog, 0);
      detach();
      const b = sink();
      await boxes.attach(KEY, b);
      await settle();
      assert.deepEqual(b.frames, []);
      assert.equal(await boxes.post(KEY, Buffer.from('y')), 5);
      await b.until(1);
      assert.deepEqual(b.seqs(), [5]);
    } finally {
      await close();
    }
  });

  test('an acknowledgement rides along with the next post: no commit of its own', async () => {
    const { boxes, store, close } = await open();
    try {
      const a = sink();
      await boxes.attach(KEY, a);
      await boxes.post(KEY, Buffer.from('1'));
      await a.until(1);
      const commits = store.commits;
      const acked = boxes.ack(KEY, 1);
      await store.flush();
      assert.equal(store.commits, commits, 'the ack waits (a moment) for a post to ride along with');
      await boxes.post(KEY, Buffer.from('2'));
      await acked;
      assert.equal(store.commits - commits, 1, 'the ack and the post in one commit');
      assert.equal(boxes.metrics().acknowledged, 1);
      // Alone, it is written within moments.
      await a.until(2);
      await boxes.ack(KEY, 2);
      assert.equal(boxes.metrics().backlog, 0);
    } finally {
      await close();
    }
  });

  test('posts to one mailbox arriving together share one write: seqs in arrival order, the overflow refused', async () => {
    const { boxes, store, close } = await open({ capacity: 15 });
    try {
      const a = sink();
      await boxes.attach(KEY, a);
      const commits = store.commits;
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => boxes.post(KEY, Buffer.from(`m${i + 1}`))));
      assert.equal(store.commits - commits, 1, 'one commit for all twenty');
      assert.deepEqual(
        results.slice(0, 15).map((r) => (r.status === 'fulfilled' ? r.value : r.reason)),
        Array.from({ length: 15 }, (_, i) => i + 1),
      );
      for (const r of results.slice(15)) assert.equal(r.status === 'rejected' && (r.reason as Error).name, 'LimitExceededException');
      await a.until(15);
      assert.deepEqual(
        a.frames.map((f) => `${f.seq}:${f.data}`),
        Array.from({ length: 15 }, (_, i) => `${i + 1}:m${i + 1}`),
      );
      assert.deepEqual([boxes.metrics().posted, boxes.metrics().refused, boxes.metrics().backlog], [15, 5, 15]);
      // The next post, alone, continues the sequence once there is room.
      await boxes.ack(KEY, 15);
      assert.equal(await boxes.post(KEY, Buffer.from('m21')), 16);
    } finally {
      await close();
    }
  });

  test('a newer connection of the same client replaces the older one', async () => {
    const { boxes, close } = await open();
    try {
      const a = sink();
      await boxes.attach(KEY, a);
      const b = sink();
      await boxes.attach(KEY, b);
      assert.equal(a.replacedCalled, true);
      await boxes.post(KEY, Buffer.from('only b'));
      await b.until(1);
      assert.deepEqual(a.frames, []);
    } finally {
      await close();
    }
  });

  test('a send that fails leaves the message for the next connection', async () => {
    const { boxes, close } = await open();
    try {
      const a = sink();
      const detach = await boxes.attach(KEY, a);
      await boxes.post(KEY, Buffer.from('1'));
      await a.until(1);
      a.dead = true;
      await boxes.post(KEY, Buffer.from('2'));
      await settle();
      detach();
      const b = sink();
      await boxes.attach(KEY, b);
      await b.until(2);
      assert.deepEqual(b.seqs(), [1, 2]);
    } finally {
      await close();
    }
  });

  test('messages expire after the configured time, on the clock', async () => {
    const clock = new ManualClock();
    const { boxes, close } = await open({ clock, ttlMs: 60_000 });
    try {
      await boxes.post(KEY, Buffer.from('old'));
      clock.advance(30_000);
      await boxes.post(KEY, Buffer.from('new'));
      clock.advance(30_000);
      // The expired message is skipped at once, swept by the timer.
      const a = sink();
      await boxes.attach(KEY, a);
      await a.until(1);
      await settle();
      assert.deepEqual(a.frames, [{ seq: 2, data: 'new' }]);
      assert.equal(boxes.metrics().expired, 1);
      assert.equal(boxes.metrics().backlog, 1);
      clock.advance(30_000);
      await settle();
      await settle();
      assert.equal(boxes.metrics().expired, 2);
      assert.equal(boxes.metrics().backlog, 0);
    } finally {
      await close();
    }
  });

  test('a full mailbox refuses with LimitExceededException until acks or expiry make room', async () => {
    const clock = new ManualClock();
    const { boxes, close } = await open({ clock, capacity: 3, ttlMs: 1000 });
    try {
      for (let i = 0; i < 3; i++) await boxes.post(KEY, Buffer.from('x'));
      await assert.rejects(boxes.post(KEY, Buffer.from('x')), (e: Error & { code?: string }) => {
        assert.equal(e.name, 'LimitExceededException');
        assert.match(e.message, /mailbox of client alice is full: it holds 3 unacknowledged messages/);
        return true;
      });
      assert.equal(boxes.metrics().refused, 1);
      // Another client's mailbox is its own.
      assert.equal(await boxes.post({ ...KEY, clientId: 'bob' }, Buffer.from('x')), 1);
      clock.advance(1000);
      assert.equal(await boxes.post(KEY, Buffer.from('x')), 4);
    } finally {
      await close();
    }
  });

  test("deleting an API removes its mailboxes (another API's stay)", async () => {
    const { boxes, close } = await open();
    try {
      const other = { ...KEY, apiId: 'other1' };
      await boxes.post(KEY, Buffer.from('a'));
      await boxes.post(KEY, Buffer.from('b'));
      await boxes.post(other, Buffer.from('c'));
      await boxes.deleteApi(KEY.accountId, KEY.apiId);
      assert.equal(boxes.metrics().backlog, 1);
      const a = sink();
      await boxes.attach(KEY, a);
      await settle();
      assert.deepEqual(a.frames, []);
      assert.equal(await boxes.post(other, Buffer.from('d')), 2);
    } finally {
      await close();
    }
  });

  test('mailboxes survive a restart: seq continues, unacknowledged messages come again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-mailbox-'));
    try {
      const first = await open({ dir });
      for (let i = 1; i <= 10; i++) await first.boxes.post(KEY, Buffer.from(`m${i}`));
      const a = sink();
      await first.boxes.attach(KEY, a);
      await a.until(10);
      await first.boxes.ack(KEY, 6);
      await first.close();

      const second = await open({ dir });
      try {
        assert.equal(second.boxes.metrics().backlog, 4);
        const b = sink();
        await second.boxes.attach(KEY, b);
        await b.until(4);
        assert.deepEqual(b.frames.map((f) => f.data), ['m7', 'm8', 'm9', 'm10']);
        assert.equal(await second.boxes.post(KEY, Buffer.from('m11')), 11);
        await b.until(5);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
