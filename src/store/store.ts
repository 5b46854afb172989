/**
 * The storage contract every backend implements (embedded SQLite today; a PostgreSQL-family
 * database later). Engines see only this: no driver, no connection, no transaction state.
 *
 * - `write(fn)` runs fn in a transaction and resolves once that transaction is durable. fn
 *   gets the transaction handle (`Tx`) and passes it to every repo method that writes or must
 *   read its own writes. fn may be async, but awaits only repo calls: nothing slow (network,
 *   timers, files) happens inside a write, because a backend may hold a lock or a whole
 *   batch of writers on it.
 * - Repos are opened through the store with one factory per backend (`repo`), so a service
 *   never names a backend's classes; every repo method returns a Promise.
 * - In-memory caches of stored state register with `caches`; the store reloads them all
 *   when a transaction they may have followed is rolled back, and a backend shared by several
 *   nodes reloads one when another node changed it.
 */
import type { SqliteConnection } from './sqlite.js';

/**
 * A write's transaction. Opaque to engines: they receive it from `Store.write` and hand it to
 * repo methods; a repo implementation resolves it to its connection (and may check that the
 * write it belongs to is still running).
 */
export interface Tx {
  /** Set while the write it was handed to runs; false once that write has returned or thrown. */
  readonly open: boolean;
}

/** How a service's repo is built on each backend (the backend applies the service's migrations there). */
export interface RepoFactories<R> {
  sqlite(conn: SqliteConnection): R;
}

export interface Store {
  /** Which backend this is, for health and diagnostics. */
  readonly kind: string;
  /** True when nothing is kept on disk (`--memory`). */
  readonly memory: boolean;
  /** Caches of stored state that can be told to reload. */
  readonly caches: Caches;

  /**
   * Runs fn in a transaction; resolves with its result once the transaction is durable, or
   * rejects with what fn threw (its changes undone, the other writes committed with it kept).
   */
  write<T>(fn: (tx: Tx) => T | Promise<T>): Promise<T>;

  /** Builds a service's repo on this backend. */
  repo<R>(factories: RepoFactories<R>): Promise<R>;

  /** Resolves once every write accepted so far is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Facts for GET /_nimbus/health. */
  health(): Record<string, unknown>;
}

/**
 * The registry of in-memory caches that mirror stored state (queue, table and function
 * registries, topic and subscription caches, ...). Each registers how to reload itself;
 * `reload(name)` reloads one (changed elsewhere), `reloadAll()` every one (after a rollback).
 */
export class Caches {
  private readonly loaders = new Map<string, () => void | Promise<void>>();

  /** Registers a cache under a unique name and loads it once now. */
  async register(name: string, load: () => void | Promise<void>): Promise<void> {
    if (this.loaders.has(name)) throw new Error(`cache ${name} is registered twice`);
    this.loaders.set(name, load);
    await load();
  }

  /** Tells one cache its stored state changed elsewhere: it reloads. */
  async reload(name: string): Promise<void> {
    await this.loaders.get(name)?.();
  }

  /** Reloads every cache (a transaction they may have followed was undone). */
  async reloadAll(): Promise<void> {
    for (const load of this.loaders.values()) await load();
  }

  names(): string[] {
    return [...this.loaders.keys()];
  }
}
