/**
 * The backends every S3 repo contract suite runs on: SQLite in memory and on disk (a temp
 * dir). A future backend adds itself here, and every S3 suite runs against it unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite.js';
import type { RepoFactories, Store, Tx } from '../../../src/store/store.js';

export interface Opened<R> {
  store: Store;
  repo: R;
  close(): Promise<void>;
}

/** Runs `contract` once per backend, each opening fresh stores with the repo built by `factories`. */
export function onEveryBackend<R>(factories: RepoFactories<R>, contract: (name: string, open: () => Promise<Opened<R>>) => void): void {
  contract('sqlite in memory', async () => {
    const store = new SqliteStore({ memory: true });
    const repo = await store.repo(factories);
    return { store, repo, close: () => store.close() };
  });
  contract('sqlite on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-contract-s3-'));
    const store = new SqliteStore({ dataDir: dir });
    const repo = await store.repo(factories);
    return {
      store,
      repo,
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
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
