/**
 * One cache's objects, bounded in bytes and evicted least recently used first: bodies up to
 * `memoryObjectMax` bytes stay in memory (within `memoryBytes`), larger ones go to files
 * (within `diskBytes`) under the cache's own directory. A file's name is random hex, never
 * anything a user wrote, so no request can name a path. The index lives in memory; the disk
 * tier survives a restart: the store rebuilds its index from the directory's files when it opens
 * (disk-entry.ts: each file carries its object's metadata and its body's hash, checked), in the
 * files' last-modified order as the recency; the memory tier starts empty.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeHeader, readHeader, sha256Of } from './disk-entry.js';
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
  /** Where the body starts in the file. */
  offset?: number;
  /** The body's SHA-256, still to be checked (an entry found on disk at start). */
  unverified?: string;
}

export class ObjectStore {
  private readonly memory = new Map<string, Slot>();
  private readonly disk = new Map<string, Slot>();
  private memoryUsed = 0;
  private diskUsed = 0;
  private readonly dir: string | undefined;
  /** Per cache key, the header names its last stored response varied on. */
  private readonly varyByPrimary = new Map<string, readonly string[]>();

  constructor(
    readonly name: string,
    root: string | undefined,
    readonly limits: StoreLimits = DEFAULT_STORE_LIMITS,
  ) {
    if (root && limits.diskBytes > 0) {
      this.dir = join(root, ObjectStore.dirName(name));
      mkdirSync(this.dir, { recursive: true });
      this.load();
    }
  }

  /** The directory (under the cache root) a cache of this name keeps its files in. */
  static dirName(name: string): string {
    return createHash('sha256').update(name).digest('hex').slice(0, 16);
  }

  /** Rebuilds the disk tier's index from the directory: whole entries only, oldest first. */
  private load(): void {
    const found: Array<{ file: string; mtime: number; obj: CachedObject; offset: number; sha256: string }> = [];
    for (const name of readdirSync(this.dir!)) {
      const file = join(this.dir!, name);
      const entry = /^[0-9a-f]{32}$/.test(name) ? readHeader(file) : undefined;
      if (!entry || entry.header.obj.size <= this.limits.memoryObjectMax) {
        // A partial write, a damaged entry, or anything else: not ours to keep.
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
        continue;
      }
      found.push({ file, mtime: statSync(file).mtimeMs, obj: entry.header.obj, offset: entry.bodyOffset, sha256: entry.header.sha256 });
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const f of found) {
      const old = this.disk.get(f.obj.key);
      if (old) this.delete(f.obj.key); // two files for one key: the newer wins
      this.disk.set(f.obj.key, { obj: f.obj, file: f.file, offset: f.offset, unverified: f.sha256 });
      this.diskUsed += f.obj.size;
      this.varyByPrimary.set(f.obj.primary, f.obj.vary);
    }
    this.evict(this.disk, () => this.diskUsed > this.limits.diskBytes);
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

  /** The body of an object held in memory, without waiting; undefined for one on disk (or gone). */
  memoryBody(obj: CachedObject): Buffer | undefined {
    const slot = this.memory.get(obj.key);
    return slot?.obj === obj ? slot.body : undefined;
  }

  /** The body of a stored object; undefined when it was evicted meanwhile. */
  async body(obj: CachedObject): Promise<Buffer | undefined> {
    const slot = this.memory.get(obj.key) ?? this.disk.get(obj.key);
    if (!slot || slot.obj !== obj) return undefined;
    if (slot.body) return slot.body;
    let body: Buffer;
    try {
      const whole = await readFile(slot.file!);
      body = whole.subarray(slot.offset ?? 0);
    } catch {
      return undefined;
    }
    if (slot.unverified !== undefined) {
      if (body.length !== obj.size || sha256Of(body) !== slot.unverified) {
        // Damaged on disk since it was written: dropped, and fetched again.
        if (this.disk.get(obj.key) === slot) this.delete(obj.key);
        return undefined;
      }
      delete slot.unverified;
    }
    return body;
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
    const file = join(this.dir!, randomBytes(16).toString('hex'));
    const header = encodeHeader(obj, sha256Of(body));
    try {
      await writeFile(`${file}.part`, [header, body]);
      await rename(`${file}.part`, file);
    } catch {
      void unlink(`${file}.part`).catch(() => undefined);
      return false;
    }
    this.delete(obj.key);
    this.disk.set(obj.key, { obj, file, offset: header.length });
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

  /** Lets go of the memory tier and the index; the disk tier's files stay for the next start. */
  close(): void {
    this.memory.clear();
    this.disk.clear();
    this.memoryUsed = 0;
    this.diskUsed = 0;
    this.varyByPrimary.clear();
  }

  private evict(map: Map<string, Slot>, over: () => boolean): void {
    for (const key of map.keys()) {
      if (!over()) return;
      this.delete(key);
    }
  }
}
