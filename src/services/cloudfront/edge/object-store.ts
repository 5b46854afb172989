/**
 * One cache's objects, bounded in bytes and evicted least recently used first: bodies up to
 * `memoryObjectMax` bytes stay in memory (within `memoryBytes`), larger ones go to files
 * (within `diskBytes`) under the cache's own directory. A file's name is random hex, never
 * anything a user wrote, so no request can name a path. The index lives in memory; the disk
 * tier survives a restart: the store rebuilds its index from the directory's files when it opens
 * (disk-entry.ts: each file carries its object's metadata and its body's hash, checked), in the
 * files' last-modified order as the recency; the memory tier starts empty. A body on disk is
 * never read whole: a hit hands out a `StoredBody` that opens just the bytes sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { encodeHeader, encodeTrailer, readHeader, sha256Of } from './disk-entry.js';
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

/** A body kept on disk, read only for the bytes sent (a hit of a 1 GiB object holds no 1 GiB buffer). */
export interface StoredBody {
  readonly size: number;
  /**
   * Bytes `start` to `end` (inclusive) as a stream. The file is opened when this is called: an
   * entry evicted before then (never between a hit and its answer, which share one turn of
   * the event loop's microtasks) makes the stream fail, so the viewer sees a cut answer.
   */
  open(start: number, end: number): Readable;
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

  /**
   * The body of a stored object, in memory or on disk; undefined when it was evicted meanwhile,
   * or when an entry found on disk at start no longer matches the hash it was written with
   * (then it is dropped, to be fetched again).
   */
  async body(obj: CachedObject): Promise<Buffer | StoredBody | undefined> {
    const slot = this.memory.get(obj.key) ?? this.disk.get(obj.key);
    if (!slot || slot.obj !== obj) return undefined;
    if (slot.body) return slot.body;
    if (slot.unverified !== undefined && !(await this.verify(slot))) {
      if (this.disk.get(obj.key) === slot) this.delete(obj.key);
      return undefined;
    }
    const file = slot.file!;
    const offset = slot.offset ?? 0;
    return { size: obj.size, open: (start, end) => createReadStream(file, { start: offset + start, end: offset + end }) };
  }

  /** Whether a file found at start still holds the body its trailer's hash was taken of; read as a stream. */
  private async verify(slot: Slot): Promise<boolean> {
    const offset = slot.offset ?? 0;
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of createReadStream(slot.file!, { start: offset, end: offset + slot.obj.size - 1 }) as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        hash.update(chunk);
      }
    } catch {
      return false;
    }
    if (bytes !== slot.obj.size || hash.digest('hex') !== slot.unverified) return false;
    delete slot.unverified;
    return true;
  }

  /** Whether an object of this size can be kept at all. */
  fits(size: number): boolean {
    return size <= this.limits.memoryObjectMax ? size <= this.limits.memoryBytes : this.dir !== undefined && size <= this.limits.diskBytes;
  }

  /** Stores (or replaces) an object with its body; false when it is too large to keep. */
  async put(obj: CachedObject, body: Buffer): Promise<boolean> {
    if (!this.fits(obj.size)) return false;
    this.noteVary(obj);
    if (obj.size <= this.limits.memoryObjectMax) {
      this.delete(obj.key);
      this.memory.set(obj.key, { obj, body });
      this.memoryUsed += obj.size;
      this.evict(this.memory, () => this.memoryUsed > this.limits.memoryBytes);
      return true;
    }
    const file = join(this.dir!, randomBytes(16).toString('hex'));
    const header = encodeHeader(obj);
    try {
      await writeFile(`${file}.part`, [header, body, encodeTrailer(sha256Of(body))]);
      await rename(`${file}.part`, file);
    } catch {
      void unlink(`${file}.part`).catch(() => undefined);
      return false;
    }
    this.indexOnDisk(obj, file, header.length);
    return true;
  }

  /**
   * Stores an object whose body is still arriving (larger than the memory tier takes): the body
   * goes to a file as it passes on to `out`, and the entry is indexed once all of it arrived (as
   * many bytes as announced) and `stillWanted()` holds (no invalidation meanwhile); `stored`
   * says whether it was. A viewer that goes away does not stop the file from filling.
   * Undefined when the object cannot be kept: the caller passes the source on as it is.
   */
  putStream(obj: CachedObject, source: Readable, stillWanted: () => boolean): { out: Readable; stored: Promise<boolean> } | undefined {
    if (obj.size <= this.limits.memoryObjectMax || !this.fits(obj.size)) return undefined;
    this.noteVary(obj);
    const file = join(this.dir!, randomBytes(16).toString('hex'));
    const part = `${file}.part`;
    const header = encodeHeader(obj);
    const disk = createWriteStream(part);
    const hash = createHash('sha256');
    const out = new PassThrough();
    let bytes = 0;
    disk.write(header);
    source.on('data', (c: Buffer) => {
      bytes += c.length;
      hash.update(c);
    });
    source.pipe(out);
    source.pipe(disk, { end: false });
    const stored = new Promise<boolean>((resolve) => {
      let done = false;
      const fail = () => {
        if (done) return;
        done = true;
        disk.destroy();
        void unlink(part).catch(() => undefined);
        resolve(false);
      };
      disk.once('error', fail);
      source.once('error', (e) => {
        out.destroy(e);
        fail();
      });
      source.once('end', () => {
        if (bytes !== obj.size) return fail();
        disk.end(encodeTrailer(hash.digest('hex')), () => {
          if (done) return;
          rename(part, file).then(
            () => {
              done = true;
              if (!stillWanted()) {
                void unlink(file).catch(() => undefined);
                resolve(false);
                return;
              }
              this.indexOnDisk(obj, file, header.length);
              resolve(true);
            },
            fail,
          );
        });
      });
    });
    return { out, stored };
  }

  private noteVary(obj: CachedObject): void {
    if (this.varyByPrimary.size >= 100_000 && !this.varyByPrimary.has(obj.primary)) this.varyByPrimary.clear();
    this.varyByPrimary.set(obj.primary, obj.vary);
  }

  private indexOnDisk(obj: CachedObject, file: string, offset: number): void {
    this.delete(obj.key);
    this.disk.set(obj.key, { obj, file, offset });
    this.diskUsed += obj.size;
    this.evict(this.disk, () => this.diskUsed > this.limits.diskBytes);
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
