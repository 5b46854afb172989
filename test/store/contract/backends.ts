/**
 * The backends every repo contract suite runs on: SQLite in memory and on disk (a temp dir).
 * A future backend adds itself here, and every suite runs against it unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../../src/store/sqlite.js';
import type { RepoFactories, Store, Tx } from '../../../src/store/store.js';

export interface Opened<R> {
  store: Store;
  repo: R;
  /** Closes the store (once; a second call does nothing). */
  close(): Promise<void>;
  /** Backends that keep data: the same data opened again, after `close`. */
  reopen?(): Promise<Opened<R>>;
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function openSqlite<R>(factories: RepoFactories<R>, dir?: string): Promise<Opened<R>> {
  const store = new SqliteStore(dir ? { dataDir: dir } : { memory: true });
  const repo = await store.repo(factories);
  let closed = false;
  return {
    store,
    repo,
    close: async () => {
      if (!closed) await store.close();
      closed = true;
    },
    ...(dir ? { reopen: () => openSqlite(factories, dir) } : {}),
  };
}

/** Runs `contract` once per backend, each opening fresh stores with the repo built by `factories`. */
export function onEveryBackend<R>(factories: RepoFactories<R>, contract: (name: string, open: () => Promise<Opened<R>>) => void): void {
  contract('sqlite in memory', () => openSqlite(factories));
  contract('sqlite on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-contract-'));
    dirs.push(dir);
    return openSqlite(factories, dir);
  });
}

/** Runs fn with a freshly opened store and repo (`w` is its store's write), closing them afterwards. */
export async function withOpened<R>(open: () => Promise<Opened<R>>, fn: (o: Opened<R> & { w: <T>(f: (tx: Tx) => Promise<T>) => Promise<T> }) => Promise<void>): Promise<void> {
  const o = await open();
  try {
    await fn({ ...o, w: (f) => o.store.write(f) });
  } finally {
    await o.close();
  }
}

/** A transaction handle kept past its write: every write method must refuse it. */
export async function staleTx(store: Store): Promise<Tx> {
  let kept: Tx | undefined;
  await store.write((tx) => {
    kept = tx;
  });
  return kept!;
}

export const STALE = /outside its store write/;
