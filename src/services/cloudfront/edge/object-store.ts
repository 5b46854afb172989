/**
 * One cache's objects, bounded in bytes and evicted least recently used first: bodies up to
 * `memoryObjectMax` bytes stay in memory (within `memoryBytes`), larger ones go to files
 * (within `diskBytes`) under the cache's own directory. A file's name is a SHA-256 of the
 * cache's name, the object's key and a sequence number, never anything a user wrote, so no
 * request can name a path. The index lives in memory: a restarted Nimbus starts with an empty
 * cache (the directory is emptied when the store opens), as an edge that lost its cache would.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Freshness } from './freshness.js';

export interface StoreLimits {
  /** Bytes of bodies kept in memory. */
  memoryBytes: number;
  /** Bytes of bodies kept on disk (0: no disk tier). */
  diskBytes: number;
  /** Bodies larger than this go to disk. */
  memoryObjectMax: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = { memoryBytes: 64 * 1024 * 1024, diskBytes: 1024 * 1024 * 1024, memoryObjectMax: 1024 * 1024 };

/** What a cache keeps of one response. */
export interface CachedObject {
  /** The variant key: the cache key and the values of the headers the response varies on. */
  readonly key: string;
  /** The cache key (without the Vary values). */
  readonly primary: string;
  /** The request path with its query string (`/a/b?x=1`), which invalidation paths match. */
  readonly path: string;
  status: number;
  /** Lower-cased response headers, end-to-end ones only. */
  headers: Record<string, string>;
  readonly size: number;
  /** Clock ms when the response (or its last revalidation) arrived. */
  responseTime: number;
  /** The Age (seconds) it arrived with. */
  initialAge: number;
  fresh: Freshness;
  /** The request headers it varies on, lower-cased ([] when it varies on none). */
  readonly vary: readonly string[];
}

interface Slot {
  obj: CachedObject;
  body?: Buffer;
  file?: string;
}

export class ObjectStore {
  private readonly memory = new Map<string, Slot>();
  private readonly disk = new Map<string, Slot>();
  private memoryUsed = 0;
  private diskUsed = 0;
  private seq = 0;
  private readonly dir: string | undefined;
  /** Per cache key, the header names its last stored response varied on. */
  private readonly varyByPrimary = new Map<string, readonly string[]>();

  constructor(
    readonly name: string,
    root: string | undefined,
    readonly limits: StoreLimits = DEFAULT_STORE_LIMITS,
  ) {
    if (root && limits.diskBytes > 0) {
      this.dir = join(root, createHash('sha256').update(name).digest('hex').slice(0, 16));
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { recursive: true });
    }
  }

  /** The header names responses for this cache key vary on, as last seen. */
  varyOf(primary: string): readonly string[] {
    return this.varyByPrimary.get(primary) ?? [];
  }

  /** The object under a variant key, marked recently used. */
  get(key: string): CachedObject | undefined {
    const m = this.memory.get(key);
    if (m) {
      this.memory.delete(key);
      this.memory.set(key, m);
      return m.obj;
    }
    const d = this.disk.get(key);
    if (d) {
      this.disk.delete(key);
      this.disk.set(key, d);
      return d.obj;
    }
    return undefined;
  }

  /** The body of a stored object; undefined when it was evicted meanwhile. */
  async body(obj: CachedObject): Promise<Buffer | undefined> {
    const slot = this.memory.get(obj.key) ?? this.disk.get(obj.key);
    if (!slot || slot.obj !== obj) return undefined;
    if (slot.body) return slot.body;
    try {
      return await readFile(slot.file!);
    } catch {
      return undefined;
    }
  }

  /** Whether an object of this size can be kept at all. */
  fits(size: number): boolean {
    return size <= this.limits.memoryObjectMax ? size <= this.limits.memoryBytes : this.dir !== undefined && size <= this.limits.diskBytes;
  }

  /** Stores (or replaces) an object with its body; false when it is too large to keep. */
  async put(obj: CachedObject, body: Buffer): Promise<boolean> {
    if (!this.fits(obj.size)) return false;
    if (this.varyByPrimary.size >= 100_000 && !this.varyByPrimary.has(obj.primary)) this.varyByPrimary.clear();
    this.varyByPrimary.set(obj.primary, obj.vary);
    if (obj.size <= this.limits.memoryObjectMax) {
      this.delete(obj.key);
      this.memory.set(obj.key, { obj, body });
      this.memoryUsed += obj.size;
      this.evict(this.memory, () => this.memoryUsed > this.limits.memoryBytes);
      return true;
    }
    const file = join(this.dir!, createHash('sha256').update(`${this.name}\0${obj.key}\0${this.seq++}`).digest('hex'));
    try {
      await writeFile(file, body);
    } catch {
      return false;
    }
    this.delete(obj.key);
    this.disk.set(obj.key, { obj, file });
    this.diskUsed += obj.size;
    this.evict(this.disk, () => this.diskUsed > this.limits.diskBytes);
    return true;
  }

  /** Updates a stored object's metadata in place (a revalidation's new headers and time). */
  refresh(obj: CachedObject, status: number, headers: Record<string, string>, responseTime: number, age: number, fresh: Freshness): void {
    obj.status = status;
    obj.headers = headers;
    obj.responseTime = responseTime;
    obj.initialAge = age;
    obj.fresh = fresh;
  }

  delete(key: string): boolean {
    const m = this.memory.get(key);
    if (m) {
      this.memory.delete(key);
      this.memoryUsed -= m.obj.size;
      return true;
    }
    const d = this.disk.get(key);
    if (d) {
      this.disk.delete(key);
      this.diskUsed -= d.obj.size;
      void unlink(d.file!).catch(() => undefined);
      return true;
    }
    return false;
  }

  /** Removes every object whose path the predicate picks; returns how many. */
  deleteWhere(pick: (obj: CachedObject) => boolean): number {
    let n = 0;
    for (const map of [this.memory, this.disk]) for (const [key, slot] of [...map]) if (pick(slot.obj) && this.delete(key)) n++;
    return n;
  }

  get stats(): { objects: number; memoryBytes: number; diskBytes: number } {
    return { objects: this.memory.size + this.disk.size, memoryBytes: this.memoryUsed, diskBytes: this.diskUsed };
  }

  /** Drops everything (files included). */
  clear(): void {
    this.deleteWhere(() => true);
    this.varyByPrimary.clear();
  }

  private evict(map: Map<string, Slot>, over: () => boolean): void {
    for (const key of map.keys()) {
      if (!over()) return;
      this.delete(key);
    }
  }
}
