/**
 * The embedded backend of the storage contract (store.ts): one SQLite database
 * (better-sqlite3) in WAL mode.
 *
 * Durability with group commit: every write runs through `write(fn)`. Writes gathered since
 * the last commit run in one transaction, one after another, each inside its own savepoint
 * (so one failing write does not undo its neighbours); the transaction commits, and the WAL
 * file is fsynced on the libuv thread pool; only then are the writers' promises resolved.
 *
 * The pipeline has two stages: one fsync in flight, and the next batch gathering behind it.
 * Writes that arrive while an fsync runs wait, uncommitted, and run as one batch (one commit,
 * one fsync) as soon as that fsync ends. A write therefore waits for at most the rest of the
 * fsync in flight and its own. (Committing the next batch early, beside the fsync in flight,
 * gains its writers nothing, since they wait for that fsync to end and then for their own,
 * and makes writers arriving after that commit wait for a third.) Batches commit and sync in
 * arrival order, and nothing is answered before the fsync that covers it. The event loop never
 * blocks on the disk.
 *
 * A write function may be async; its repo calls are synchronous underneath, so a batch still
 * runs start to end without other requests' code in between (unless a write awaits something
 * slow, which the contract forbids).
 *
 * Write functions may keep in-memory caches in step with what they write; when a whole batch
 * is rolled back (a failed COMMIT, disk full) every registered cache reloads. A failed fsync
 * is fatal to writing: the state on disk is unknown, so every later write is refused.
 *
 * SQLite itself runs with synchronous=OFF because we fsync the WAL ourselves. Automatic
 * checkpoints are off for the same reason: a worker thread checkpoints on its own connection
 * with synchronous=FULL, so the database file is synced before the WAL is reused.
 */
import Database from 'better-sqlite3';
import { closeSync, constants, fstatSync, fsync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../lib/log.js';
import { sourceFile } from '../lib/source-root.js';
import { Caches, type RepoFactories, type Store, type Tx } from './store.js';

export type Db = Database.Database;

/** What a repo built on SQLite gets: the connection, its migrations, and the batch hooks. */
export interface SqliteConnection {
  readonly db: Db;
  /** Applies a component's migrations that have not run yet, each in its own transaction. */
  migrate(component: string, migrations: Migration[]): void;
  /** See SqliteStore.onBatchStart. */
  onBatchStart(hook: () => void): void;
  /** Called after a batch's transaction was rolled back as a whole (repo-private counters reset). */
  onRollback(listener: () => void): void;
}

/** A write's transaction on SQLite: the one connection, while the write runs. */
class SqliteTx implements Tx {
  open = true;
}

/**
 * Checks that a repo method was handed the transaction of a write that is still running; a
 * handle kept past its write (or made up) is a bug that would corrupt a networked backend.
 */
export function liveTx(tx: Tx): void {
  if (!(tx instanceof SqliteTx) || !tx.open) throw new Error('repo write outside its store write (stale or foreign Tx)');
}

const DEFAULT_CHECKPOINT_BYTES = 64 * 1024 * 1024;

export interface StoreOptions {
  /** Directory for the database file; ignored when memory is true. */
  dataDir?: string;
  memory?: boolean;
  log?: Logger;
  /** Checkpoint once the WAL grows past this many bytes. */
  checkpointBytes?: number;
  /** How the WAL file is synced (node:fs fsync); tests hold or fail it. */
  fsync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

interface PendingWrite {
  fn: (tx: Tx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** One versioned schema step; migrations of a component run in order, once. */
export type Migration = string | ((db: Db) => void);

export class SqliteStore implements Store, SqliteConnection {
  readonly kind = 'sqlite';
  readonly caches = new Caches();
  /** The connection: for repo.*.sqlite.ts files and src/store only (through `repo`). */
  readonly db: Db;
  readonly memory: boolean;
  readonly path: string;
  private walFd: number | undefined;
  /** Writes gathering for the next batch. */
  private pending: PendingWrite[] = [];
  private scheduled = false;
  /** A batch's transaction is open (its writes may be awaiting). */
  private running = false;
  /** The fsync of the last committed batch is in flight; the next batch gathers until it ends. */
  private syncing = false;
  private readonly fsync: NonNullable<StoreOptions['fsync']>;
  private closed = false;
  private checkpointer: Worker | undefined;
  private checkpointing = false;
  private rollbackListeners: (() => void)[] = [];
  private batchStartHooks: (() => void)[] = [];
  /** Set once an fsync failed: nothing written since can be promised durable. */
  private failure: Error | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly checkpointBytes: number;
  private readonly log: Logger | undefined;
  private readonly stmts: { begin: Database.Statement; commit: Database.Statement; rollback: Database.Statement; sp: Database.Statement; release: Database.Statement; rollbackTo: Database.Statement };
  /** Commits since the store opened (for health and tests). */
  commits = 0;

  constructor(opts: StoreOptions) {
    this.memory = !!opts.memory;
    this.log = opts.log;
    this.checkpointBytes = opts.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
    this.fsync = opts.fsync ?? fsync;
    if (this.memory) {
      this.path = ':memory:';
      this.db = new Database(':memory:');
    } else {
      const dir = opts.dataDir ?? '.nimbus';
      mkdirSync(dir, { recursive: true });
      this.path = join(dir, 'nimbus.db');
      this.db = new Database(this.path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('wal_autocheckpoint = 0');
      // When the writer restarts a fully checkpointed WAL it truncates it to this size.
      this.db.pragma(`journal_size_limit = ${Math.floor(this.checkpointBytes / 4)}`);
    }
    this.db.pragma('synchronous = FULL');
    this.db.pragma('temp_store = MEMORY');
    // A 64 MiB page cache (SQLite's default is 2 MiB) keeps the hot pages of tables and
    // indexes in memory for point reads.
    this.db.pragma('cache_size = -65536');
    this.db.exec(`CREATE TABLE IF NOT EXISTS nimbus_migrations (
      component TEXT PRIMARY KEY,
      version INTEGER NOT NULL
    )`);
    this.stmts = {
      begin: this.db.prepare('BEGIN IMMEDIATE'),
      commit: this.db.prepare('COMMIT'),
      rollback: this.db.prepare('ROLLBACK'),
      sp: this.db.prepare('SAVEPOINT w'),
      release: this.db.prepare('RELEASE w'),
      rollbackTo: this.db.prepare('ROLLBACK TO w'),
    };
  }

  /** Applies a component's migrations that have not run yet, each in its own transaction. */
  migrate(component: string, migrations: Migration[]): void {
    const row = this.db.prepare('SELECT version FROM nimbus_migrations WHERE component = ?').get(component) as
      | { version: number }
      | undefined;
    let version = row?.version ?? 0;
    for (; version < migrations.length; version++) {
      const step = migrations[version]!;
      const next = version + 1;
      this.db.transaction(() => {
        if (typeof step === 'string') this.db.exec(step);
        else step(this.db);
        this.db
          .prepare('INSERT INTO nimbus_migrations (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version')
          .run(component, next);
      })();
    }
    this.openWal();
  }

  async repo<R>(factories: RepoFactories<R>): Promise<R> {
    return factories.sqlite(this);
  }

  health(): Record<string, unknown> {
    return { kind: this.kind, memory: this.memory, path: this.path, commits: this.commits };
  }

  /**
   * Runs fn inside the next group commit; resolves with its result once the commit is
   * durable, or rejects with what fn threw (its changes rolled back).
   */
  write<T>(fn: (tx: Tx) => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * Runs hook at the start of every batch's transaction, outside any write's savepoint: what it
   * writes commits or rolls back with the batch as a whole, never with one failed write.
   */
  onBatchStart(hook: () => void): void {
    this.batchStartHooks.push(hook);
  }

  /** Calls listener after a batch's transaction was rolled back as a whole. */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener);
  }

  /** Resolves once every write accepted so far is durable. */
  async flush(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /**
   * Copies the WAL into the database file (synced), on this thread; TRUNCATE also empties the
   * WAL and waits for nothing else to be using it.
   */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE' = 'TRUNCATE'): void {
    if (this.memory) return;
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`wal_checkpoint(${mode})`);
    if (this.walFd !== undefined && !this.closed) this.db.pragma('synchronous = OFF');
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.checkpointer) {
      const worker = this.checkpointer;
      worker.ref();
      await new Promise<void>((r) => {
        worker.once('exit', () => r());
        worker.postMessage('close');
      });
    }
    this.checkpoint();
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    this.db.close();
  }

  private openWal(): void {
    if (this.memory || this.walFd !== undefined) return;
    this.db.pragma('synchronous = OFF');
    // SQLite keeps the -wal file (one inode) while this connection is open; create it if a
    // read-only start has not yet.
    this.walFd = openSync(this.path + '-wal', constants.O_RDONLY | constants.O_CREAT, 0o644);
    this.startCheckpointer();
  }

  private startCheckpointer(): void {
    const worker = new Worker(sourceFile('store/checkpoint-worker.js'), { workerData: { path: this.path } });
    worker.unref();
    worker.on('message', (r: { ok: boolean; error?: string }) => {
      this.checkpointing = false;
      if (!r.ok) return this.log?.warn('WAL checkpoint failed', { error: r.error });
      // Writes went on while the worker copied; copy the few frames added since, here, so the
      // WAL is fully checkpointed and the next write transaction restarts (and truncates) it.
      if (this.closed) return;
      try {
        this.checkpoint('PASSIVE');
      } catch (e) {
        this.log?.warn('WAL checkpoint failed', { error: String(e) });
      }
    });
    worker.on('error', (e) => this.log?.warn('checkpoint worker failed', { error: String(e) }));
    worker.on('exit', () => {
      // Without the worker, checkpoints run on this thread (see maybeCheckpoint).
      if (this.checkpointer === worker) this.checkpointer = undefined;
      this.checkpointing = false;
    });
    this.checkpointer = worker;
  }

  private schedule(): void {
    // While an fsync is in flight the next batch gathers: its end schedules it (afterSync).
    if (this.scheduled || this.running || this.syncing) return;
    this.scheduled = true;
    setImmediate(() => void this.runBatch());
  }

  private async runBatch(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.idle();
    const results: { ok: boolean; value: unknown }[] = new Array(batch.length);
    const { begin, commit, rollback, sp, release, rollbackTo } = this.stmts;
    this.running = true;
    try {
      begin.run();
      for (const hook of this.batchStartHooks) hook();
      for (let i = 0; i < batch.length; i++) {
        sp.run();
        const tx = new SqliteTx();
        try {
          const value = batch[i]!.fn(tx);
          // A synchronous write needs no extra turn; an async one is awaited before the next savepoint.
          results[i] = { ok: true, value: value instanceof Promise ? await value : value };
          tx.open = false;
          release.run();
        } catch (e) {
          tx.open = false;
          rollbackTo.run();
          release.run();
          results[i] = { ok: false, value: e };
        }
      }
      commit.run();
      this.commits++;
    } catch (e) {
      // The transaction itself failed (disk full, I/O error): nothing of this batch holds.
      if (this.db.inTransaction) rollback.run();
      this.running = false;
      this.log?.error('store commit failed', { error: String(e) });
      for (const w of batch) w.reject(e);
      for (const listener of this.rollbackListeners) listener();
      await this.caches.reloadAll().catch((err) => this.log?.error('cache reload failed', { error: String(err) }));
      return this.afterSync();
    }
    this.running = false;
    const settle = (syncError?: unknown) => {
      for (let i = 0; i < batch.length; i++) {
        const r = results[i]!;
        if (syncError !== undefined) batch[i]!.reject(syncError);
        else if (r.ok) batch[i]!.resolve(r.value);
        else batch[i]!.reject(r.value);
      }
    };
    if (this.walFd === undefined) {
      settle();
      return this.afterSync();
    }
    this.syncing = true;
    this.fsync(this.walFd, (err) => {
      this.syncing = false;
      if (err) {
        this.log?.error('WAL fsync failed: refusing further writes', { error: String(err) });
        this.failure = new Error(`store unavailable: WAL fsync failed (${err.code ?? err.message})`);
      }
      settle(err ?? undefined);
      // Writes gathered meanwhile cannot be made durable either.
      if (this.failure) for (const w of this.pending.splice(0)) w.reject(this.failure);
      this.afterSync();
    });
  }

  private afterSync(): void {
    try {
      this.maybeCheckpoint();
    } catch (e) {
      this.log?.error('WAL checkpoint failed', { error: String(e) });
    }
    if (this.pending.length > 0) this.schedule();
    else this.idle();
  }

  private maybeCheckpoint(): void {
    if (this.walFd === undefined || this.checkpointing || fstatSync(this.walFd).size <= this.checkpointBytes) return;
    if (this.checkpointer) {
      this.checkpointing = true;
      this.checkpointer.postMessage('checkpoint');
    } else this.checkpoint();
  }

  private isIdle(): boolean {
    return this.pending.length === 0 && !this.syncing && !this.scheduled && !this.running;
  }

  private idle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
