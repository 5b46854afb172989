import assert from 'node:assert/strict';
import { fsync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SqliteStore as Store } from '../../src/store/sqlite.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nimbus-store-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const MIGRATIONS = ['CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)', 'ALTER TABLE kv ADD COLUMN n INTEGER NOT NULL DEFAULT 0'];

function open(dir?: string): Store {
  const s = new Store(dir ? { dataDir: dir } : { memory: true });
  s.migrate('test', MIGRATIONS);
  return s;
}

function put(s: Store, k: string, v: string) {
  return s.write(() => s.db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)').run(k, v).changes);
}

describe('Store', () => {
  test('writes that arrive together share one commit', async () => {
    const s = open(tempDir());
    const before = s.commits;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => put(s, `k${i}`, 'v')));
    assert.deepEqual(results, Array(50).fill(1));
    assert.equal(s.commits - before, 1);
    await s.close();
  });

  test('a failing write is rolled back alone; its neighbours commit', async () => {
    const s = open();
    const outcomes = await Promise.allSettled([
      put(s, 'a', '1'),
      s.write(() => {
        s.db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)').run('b', '2');
        throw new Error('boom');
      }),
      put(s, 'a', 'duplicate'), // primary key violation
      put(s, 'c', '3'),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    const keys = (s.db.prepare('SELECT k FROM kv ORDER BY k').all() as { k: string }[]).map((r) => r.k);
    assert.deepEqual(keys, ['a', 'c']);
    await s.close();
  });

  test('acknowledged writes survive a reopen; migrations run once', async () => {
    const dir = tempDir();
    const s = open(dir);
    await put(s, 'x', 'y');
    await s.close();
    const again = open(dir);
    const row = again.db.prepare('SELECT v, n FROM kv WHERE k = ?').get('x') as { v: string; n: number };
    assert.deepEqual({ ...row }, { v: 'y', n: 0 });
    const version = again.db.prepare("SELECT version FROM nimbus_migrations WHERE component = 'test'").get() as { version: number };
    assert.equal(version.version, 2);
    await again.close();
  });

  test('the WAL is checkpointed (off the event loop) and stays bounded', async () => {
    const dir = tempDir();
    const s = new Store({ dataDir: dir, checkpointBytes: 256 * 1024 });
    try {
      s.migrate('test', MIGRATIONS);
      const big = 'x'.repeat(4096);
      let largest = 0;
      // 8 MiB of rows: without checkpoints the WAL would hold all of it.
      for (let i = 0; i < 2000; i++) {
        await put(s, `k${i}`, big);
        largest = Math.max(largest, statSync(join(dir, 'nimbus.db-wal')).size);
      }
      // Without checkpoints the WAL would reach about 8.4 MB; how far below that it stays
      // depends on how soon the worker thread gets a core, so the bound is loose.
      assert.ok(largest < 6 * 1024 * 1024, `WAL grew to ${largest} bytes`);
      // The rows reached the database file itself while Nimbus kept writing.
      assert.ok(statSync(join(dir, 'nimbus.db')).size > 2 * 1024 * 1024, 'checkpoints copied the WAL into the database');
      assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n, 2000);
    } finally {
      await s.close();
    }
    const again = open(dir);
    assert.equal((again.db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n, 2000);
    await again.close();
  });

  test('a batch whose commit fails is rejected whole and rollback listeners run', async () => {
    const s = open();
    let rollbacks = 0;
    s.onRollback(() => rollbacks++);
    const stmts = (s as unknown as { stmts: { commit: { run(): unknown } } }).stmts;
    const commit = stmts.commit;
    stmts.commit = {
      run() {
        stmts.commit = commit;
        throw new Error('disk full');
      },
    };
    const outcomes = await Promise.allSettled([put(s, 'a', '1'), put(s, 'b', '2')]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
    assert.equal(rollbacks, 1);
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n, 0);
    assert.equal(await put(s, 'c', '3'), 1, 'the store writes again afterwards');
    await s.close();
  });

  test('checkpoints go on on the main thread if the worker dies', async () => {
    const dir = tempDir();
    const s = new Store({ dataDir: dir, checkpointBytes: 128 * 1024 });
    s.migrate('test', MIGRATIONS);
    const worker = (s as unknown as { checkpointer: import('node:worker_threads').Worker }).checkpointer;
    await worker.terminate();
    const big = 'y'.repeat(4096);
    let largest = 0;
    for (let i = 0; i < 500; i++) {
      await put(s, `k${i}`, big);
      largest = Math.max(largest, statSync(join(dir, 'nimbus.db-wal')).size);
    }
    assert.ok(largest < 1024 * 1024, `WAL grew to ${largest} bytes`);
    await s.close();
  });

  test('flush waits for writes in flight; writes after close are refused', async () => {
    const s = open(tempDir());
    const p = put(s, 'f', '1');
    await s.flush();
    assert.equal(await p, 1);
    await s.close();
    await assert.rejects(put(s, 'g', '1'), /closed/);
  });
});

describe('Store commit pipeline: one fsync in flight, the next batch gathering', () => {
  type Done = (err: NodeJS.ErrnoException | null) => void;
  /** A store whose WAL fsyncs wait until the test releases them (one at a time, in order). */
  function heldStore() {
    const held: { fd: number; done: Done }[] = [];
    const s = new Store({ dataDir: tempDir(), fsync: (fd, done) => void held.push({ fd, done }) });
    s.migrate('test', MIGRATIONS);
    const release = (err?: NodeJS.ErrnoException) => {
      const h = held.shift()!;
      if (err) h.done(err);
      else fsync(h.fd, h.done);
    };
    return { s, held, release };
  }
  /** Lets the event loop turn until cond holds (a bounded number of turns: no timers). */
  async function until(cond: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 10_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
    assert.ok(cond(), `never happened: ${what}`);
  }
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };
  const track = <T>(p: Promise<T>) => {
    const t = { settled: false, p };
    p.then(
      () => (t.settled = true),
      () => (t.settled = true),
    );
    return t;
  };

  test('writes arriving while an fsync is in flight gather uncommitted, then share one commit and one fsync; each is answered only after its own', async () => {
    const { s, held, release } = heldStore();
    const before = s.commits;
    const first = track(put(s, 'a', '1'));
    await until(() => held.length === 1, 'the first fsync starts');
    assert.equal(s.commits - before, 1);
    const later = ['b', 'c', 'd'].map((k) => track(put(s, k, '1')));
    await turns(20);
    // Not committed while the fsync runs: they gather behind it.
    assert.equal(s.commits - before, 1);
    assert.equal(held.length, 1, 'one fsync in flight at a time');
    assert.equal(first.settled, false, 'nothing is answered before its fsync');
    assert.ok(later.every((t) => !t.settled));
    release();
    assert.equal(await first.p, 1);
    await until(() => held.length === 1, 'the gathered batch commits and its fsync starts');
    assert.equal(s.commits - before, 2, 'the three gathered writes share one commit');
    await turns(20);
    assert.ok(later.every((t) => !t.settled), 'the first fsync does not answer a later batch');
    release();
    assert.deepEqual(await Promise.all(later.map((t) => t.p)), [1, 1, 1]);
    const keys = (s.db.prepare('SELECT k FROM kv ORDER BY rowid').all() as { k: string }[]).map((r) => r.k);
    assert.deepEqual(keys, ['a', 'b', 'c', 'd'], 'batches commit in arrival order');
    await s.close();
  });

  test('a failed fsync rejects its batch and the writes gathered behind it, and refuses later ones', async () => {
    const { s, held, release } = heldStore();
    const first = put(s, 'a', '1');
    await until(() => held.length === 1, 'the first fsync starts');
    const gathered = put(s, 'b', '1');
    await turns(5);
    release(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await assert.rejects(first, /EIO/);
    await assert.rejects(gathered, /store unavailable: WAL fsync failed \(EIO\)/);
    await assert.rejects(put(s, 'c', '1'), /store unavailable/);
    assert.equal(held.length, 0, 'nothing more was synced');
    await s.close();
  });
});

describe('Store contract: async writes, transaction handles, caches', () => {
  const insert = (s: Store, k: string, v: string) => s.db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)').run(k, v);

  test('async writes of one batch run one after another, each in its own savepoint, with one commit', async () => {
    const s = open(tempDir());
    const before = s.commits;
    const order: string[] = [];
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c'].map((k) =>
        s.write(async (tx) => {
          order.push(`start ${k}`);
          assert.equal(tx.open, true);
          insert(s, k, '1');
          await Promise.resolve();
          insert(s, `${k}2`, '1');
          if (k === 'b') throw new Error('b fails after two inserts');
          order.push(`end ${k}`);
          return k;
        }),
      ),
    );
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(order, ['start a', 'end a', 'start b', 'start c', 'end c']);
    const keys = (s.db.prepare('SELECT k FROM kv ORDER BY k').all() as { k: string }[]).map((r) => r.k);
    assert.deepEqual(keys, ['a', 'a2', 'c', 'c2']);
    assert.equal(s.commits - before, 1);
    await s.close();
  });

  test('a write that arrives while a batch is awaiting goes to the next batch, never into the open transaction', async () => {
    const s = open();
    let inner: Promise<unknown> | undefined;
    await s.write(async () => {
      insert(s, 'outer', '1');
      inner = s.write(() => insert(s, 'inner', '1'));
      await new Promise((r) => setImmediate(r));
    });
    await inner;
    assert.equal((s.db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n, 2);
    await s.close();
  });

  test('a transaction handle is closed once its write has returned: liveTx refuses a kept one', async () => {
    const { liveTx } = await import('../../src/store/sqlite.js');
    const s = open();
    let kept: import('../../src/store/store.js').Tx | undefined;
    await s.write((tx) => {
      liveTx(tx);
      kept = tx;
    });
    assert.equal(kept!.open, false);
    assert.throws(() => liveTx(kept!), /outside its store write/);
    assert.throws(() => liveTx({ open: true }), /outside its store write/);
    await s.close();
  });

  test('repos are built through the store; caches register once and reload on demand', async () => {
    const s = open();
    const repo = await s.repo({ sqlite: (c) => ({ count: () => (c.db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n }) });
    let loads = 0;
    await s.caches.register('kv', () => void loads++);
    assert.equal(loads, 1);
    await assert.rejects(s.caches.register('kv', () => undefined), /registered twice/);
    await s.caches.reload('kv');
    await s.caches.reloadAll();
    assert.equal(loads, 3);
    await s.write(() => insert(s, 'k', 'v'));
    assert.equal(repo.count(), 1);
    assert.equal(s.health().kind, 'sqlite');
    await s.close();
  });
});
