/**
 * The blob store: large payloads (object bodies, function code) live in files, addressed by
 * generated ids; their metadata lives in SQL and names the id.
 *
 * Ordering that keeps the two consistent without a distributed transaction:
 *   1. write(): the body streams into `tmp/<id>`, which is fsynced, closed, renamed to
 *      `<id[0..2]>/<id>`, and the shard directory is fsynced. Only then does write() resolve,
 *      so a blob is durable before any metadata can name it.
 *   2. The caller commits the metadata (its own durable transaction).
 *   3. Deleting: the caller commits the metadata change first, then calls remove().
 * A crash between 1 and 2, or between 3's commit and remove(), leaves an orphan file, never
 * metadata pointing at nothing; sweep() removes orphans (and temp files) later. Removal
 * needs no fsync for the same reason: a removal lost in a crash only resurrects an orphan.
 *
 * Safety: ids are 128 random bits in lowercase hex (fixed length, url-safe, and immune to
 * case-insensitive filesystems). Every id handed in is checked against that pattern before it
 * is joined into a path, so nothing a user sends can name a file. Files are sharded into 256
 * directories by the id's first two characters so no directory grows to millions of entries.
 *
 * Memory stays flat for any body size: bodies pass through a Writable with a 1 MiB buffer,
 * so back-pressure reaches the source; nothing concatenates a body. All file I/O is async.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync } from 'node:fs';
import { mkdir, open, opendir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../lib/log.js';
import { BlobNotFoundError, BlobRangeError, BlobSizeMismatchError, BlobStoreClosedError, BlobTooLargeError, InvalidBlobIdError } from './blobs-errors.js';

export * from './blobs-errors.js';

/** What the store generates, and so the only ids it accepts. */
export const BLOB_ID_PATTERN = /^[0-9a-f]{32}$/;
const SHARD_PATTERN = /^[0-9a-f]{2}$/;
/** Buffer size for reads and writes: large enough that per-chunk overhead vanishes. */
const CHUNK_BYTES = 1024 * 1024;
/** Default age below which an unreferenced blob is presumed to await its metadata commit. */
export const DEFAULT_SWEEP_GRACE_MS = 15 * 60 * 1000;
const TMP_DIR = 'tmp';

/** The subset of node:crypto's Hash the store needs; also fits CRC implementations. */
export interface Hasher {
  update(data: Buffer): unknown;
  digest(): Buffer;
}
export type HasherFactories = Record<string, () => Hasher>;

/** A body: a Node stream, or any (async) iterable of chunks; `[buffer]` for a body in hand. */
export type BlobSource = NodeJS.ReadableStream | AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>;

const isEventEmitter = (x: unknown): x is NodeJS.EventEmitter => typeof (x as { on?: unknown }).on === 'function';
/** The error is pipeline()'s to report (see writeBlob). */
const ignoreHere = () => undefined;

export interface BlobInfo {
  id: string;
  size: number;
  md5: Buffer;
  /** One digest per hasher asked for, under the same name. */
  digests: Record<string, Buffer>;
}

/** Inclusive byte range, as in HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobWriteOptions {
  /** Refuse (BlobTooLargeError) as soon as more than this many bytes arrive. */
  maxBytes?: number;
  /** Refuse (BlobSizeMismatchError) unless exactly this many bytes arrive. */
  expectedSize?: number;
  hashers?: HasherFactories;
  /** false: no MD5 of the stored bytes (the caller hashes what it stores itself, e.g. before encrypting); `md5` is then empty. */
  md5?: boolean;
  /** Aborting rejects the write and removes the partial file (e.g. the client went away). */
  signal?: AbortSignal;
}

export interface BlobStoreOptions {
  /** Where blobs live, normally `<dataDir>/blobs`; created if missing. */
  dir?: string;
  /** A private temp dir, removed on close(); nothing is fsynced. */
  memory?: boolean;
  log?: Logger;
}

export interface SweepResult {
  /** Files removed in all: orphans + temps. */
  removed: number;
  orphans: number;
  temps: number;
}

export class BlobStore {
  readonly dir: string;
  readonly memory: boolean;
  private readonly tmpDir: string;
  private readonly durable: boolean;
  private readonly log: Logger | undefined;
  /** Shard directories made (and their entries fsynced) by this process. */
  private readonly shards = new Map<string, Promise<void>>();
  /** Writes in flight, by id: their temp files are not sweep's to remove. */
  private readonly writing = new Map<string, { abort: AbortController; done: Promise<unknown> }>();
  private rootSynced: Promise<void> | undefined;
  private closed = false;

  constructor(opts: BlobStoreOptions = {}) {
    this.memory = !!opts.memory;
    this.durable = !this.memory;
    this.log = opts.log;
    // Runs once at startup, like the Store's own mkdirSync: not on any request's path.
    this.dir = this.memory ? mkdtempSync(join(tmpdir(), 'nimbus-blobs-')) : (opts.dir ?? join('.nimbus', 'blobs'));
    this.tmpDir = join(this.dir, TMP_DIR);
    mkdirSync(this.tmpDir, { recursive: true });
  }

  /** Streams `body` into a new blob; resolves only once the blob is durable (see the top). */
  write(body: BlobSource, opts: BlobWriteOptions = {}): Promise<BlobInfo> {
    if (this.closed) return Promise.reject(new BlobStoreClosedError());
    const id = randomBytes(16).toString('hex');
    const abort = new AbortController();
    const done = this.writeBlob(id, body, opts, abort);
    this.writing.set(id, { abort, done });
    return done.finally(() => this.writing.delete(id));
  }

  /**
   * A stream of the blob, or of the inclusive range [start, end] (an end past the blob stops at
   * its end). The file opens asynchronously, so a missing blob surfaces as the stream's
   * ENOENT error; prefer open() where the answer's headers depend on the blob existing.
   */
  read(id: string, range?: ByteRange): Readable {
    const path = this.pathOf(id);
    checkRange(range);
    return createReadStream(path, { start: range?.start, end: range?.end, highWaterMark: CHUNK_BYTES });
  }

  /**
   * Opens the blob before answering: rejects with BlobNotFoundError (or BlobRangeError when
   * the range starts past the end) before any byte is sent, and returns the size for
   * Content-Length. The stream holds the file open, so a concurrent remove() cannot cut it
   * short. The caller must consume or destroy the stream, which closes the file.
   */
  async open(id: string, range?: ByteRange): Promise<{ size: number; start: number; end: number; stream: Readable }> {
    const path = this.pathOf(id);
    checkRange(range);
    const fh = await open(path, 'r').catch((e) => Promise.reject(notFound(e, id)));
    try {
      const { size } = await fh.stat();
      if (range && range.start >= size) throw new BlobRangeError(size);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? size - 1, size - 1);
      // end < start only for an empty blob read whole: no end then, the stream is just empty.
      // A small blob gets a buffer of its own size, not a whole chunk (GC pressure on small GETs).
      const highWaterMark = Math.max(1, Math.min(CHUNK_BYTES, end - start + 1));
      const stream = fh.createReadStream({ start, end: end >= start ? end : undefined, highWaterMark });
      return { size, start, end, stream };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async size(id: string): Promise<number> {
    const path = this.pathOf(id);
    return (await stat(path).catch((e) => Promise.reject(notFound(e, id)))).size;
  }

  /** Removes a blob once the metadata that named it is committed. Idempotent. */
  async remove(id: string): Promise<void> {
    const path = this.pathOf(id);
    await unlink(path).catch(ignoreNotFound);
  }

  /**
   * A new blob holding the given blobs end to end (multipart completion), streamed part by
   * part with the same durability as write(). Rejects with BlobNotFoundError if a part is
   * missing; the sources are left as they are (the caller removes them after its commit).
   */
  concat(ids: string[], opts: Omit<BlobWriteOptions, 'expectedSize'> = {}): Promise<BlobInfo> {
    for (const id of ids) this.pathOf(id);
    const openPart = (id: string) => this.open(id);
    async function* parts(): AsyncGenerator<Buffer> {
      for (const id of ids) {
        const { stream } = await openPart(id);
        // Leaving this loop early (the write failed) destroys the stream, closing the file.
        for await (const chunk of stream) yield chunk as Buffer;
      }
    }
    return this.write(parts(), opts);
  }

  /**
   * Crash recovery and garbage collection: removes temp files not owned by a write in flight,
   * and blobs that `isReferenced` disowns and whose file is older than `graceMs`. The grace
   * covers the window between write() resolving and the caller's metadata commit; it must be
   * longer than that window ever is (default 15 minutes). Call at startup and periodically.
   * Files whose names are not ours are left alone.
   */
  async sweep(isReferenced: (id: string) => boolean | Promise<boolean>, graceMs = DEFAULT_SWEEP_GRACE_MS): Promise<SweepResult> {
    if (this.closed) throw new BlobStoreClosedError();
    let temps = 0;
    let orphans = 0;
    for await (const entry of await opendir(this.tmpDir)) {
      if (this.writing.has(entry.name)) continue;
      if (await this.removeFile(join(this.tmpDir, entry.name))) temps++;
    }
    const cutoff = Date.now() - graceMs;
    for await (const shard of await opendir(this.dir)) {
      if (!shard.isDirectory() || !SHARD_PATTERN.test(shard.name)) continue;
      const shardDir = join(this.dir, shard.name);
      for await (const entry of await opendir(shardDir)) {
        const id = entry.name;
        if (!BLOB_ID_PATTERN.test(id) || !id.startsWith(shard.name) || (await isReferenced(id))) continue;
        const path = join(shardDir, id);
        const st = await stat(path).catch(() => undefined);
        if (st && st.mtimeMs <= cutoff && (await this.removeFile(path))) orphans++;
      }
    }
    if (temps + orphans > 0) this.log?.info('blob sweep', { orphans, temps });
    return { removed: orphans + temps, orphans, temps };
  }

  /** Aborts writes in flight (their partial files are removed); memory mode removes the dir. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const inFlight = [...this.writing.values()];
    for (const w of inFlight) w.abort.abort(new BlobStoreClosedError());
    await Promise.allSettled(inFlight.map((w) => w.done));
    if (this.memory) await rm(this.dir, { recursive: true, force: true });
  }

  /** The only way an id becomes a path: anything but a generated id is refused. */
  private pathOf(id: string): string {
    if (typeof id !== 'string' || !BLOB_ID_PATTERN.test(id)) throw new InvalidBlobIdError(id);
    return join(this.dir, id.slice(0, 2), id);
  }

  private async writeBlob(id: string, body: BlobSource, opts: BlobWriteOptions, abort: AbortController): Promise<BlobInfo> {
    const tmp = join(this.tmpDir, id);
    const final = this.pathOf(id);
    const onAbort = () => abort.abort(opts.signal?.reason);
    // A stream body can fail while the file is still being opened, before pipeline() listens
    // (a client gone mid-upload): an 'error' with no listener would end the process. Listening
    // here keeps it; pipeline() then finds the stream already errored and rejects with it.
    if (isEventEmitter(body)) body.on('error', ignoreHere);
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let fh: FileHandle | undefined;
    let created = false;
    let placed = false;
    try {
      await this.ensureShard(id.slice(0, 2));
      // 'wx': the id is fresh, so an existing file means something is badly wrong; never clobber.
      fh = await open(tmp, 'wx');
      created = true;
      const md5 = opts.md5 === false ? undefined : createHash('md5');
      const extra = Object.entries(opts.hashers ?? {}).map(([name, make]) => [name, make()] as const);
      const sink = new FileSink(fh, [...(md5 ? [md5] : []), ...extra.map(([, h]) => h)], opts.maxBytes, opts.expectedSize);
      await pipeline(body, sink, { signal: abort.signal });
      if (opts.expectedSize !== undefined && sink.size !== opts.expectedSize) throw new BlobSizeMismatchError(opts.expectedSize, sink.size);
      if (this.durable) await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(tmp, final);
      placed = true;
      // The rename is durable only once the directory holding the new name is.
      if (this.durable) await fsyncDir(dirname(final));
      const digests = Object.fromEntries(extra.map(([name, h]) => [name, h.digest()]));
      return { id, size: sink.size, md5: md5 ? md5.digest() : Buffer.alloc(0), digests };
    } catch (e) {
      await fh?.close().catch(() => undefined);
      if (created) await this.removeFile(placed ? final : tmp);
      // An abort surfaces from pipeline as a generic AbortError; report why it was aborted.
      throw abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason : e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Makes a shard directory whose entry is durable, once per process. */
  private ensureShard(shard: string): Promise<void> {
    let ready = this.shards.get(shard);
    if (!ready) {
      ready = (async () => {
        await this.syncRoot();
        await mkdir(join(this.dir, shard), { recursive: true });
        if (this.durable) await fsyncDir(this.dir);
      })();
      // A failure (disk full) is not cached: the next write tries again.
      ready.catch(() => this.shards.delete(shard));
      this.shards.set(shard, ready);
    }
    return ready;
  }

  /** The constructor made the root (and tmp) without fsync; make their entries durable once. */
  private syncRoot(): Promise<void> {
    if (!this.durable) return Promise.resolve();
    if (!this.rootSynced) {
      this.rootSynced = (async () => {
        await fsyncDir(dirname(this.dir));
        await fsyncDir(this.dir);
      })();
      this.rootSynced.catch(() => (this.rootSynced = undefined));
    }
    return this.rootSynced;
  }

  /** Best-effort unlink; true if this call removed the file. */
  private async removeFile(path: string): Promise<boolean> {
    try {
      await unlink(path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log?.warn('blob file removal failed', { path, error: String(e) });
      return false;
    }
  }
}

/**
 * The end of every write path: hashes each chunk and writes it at the file's position.
 * Its 1 MiB buffer is what bounds memory; several buffered chunks go out in one writev.
 */
class FileSink extends Writable {
  size = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly hashers: Hasher[],
    private readonly maxBytes: number | undefined,
    private readonly expectedSize: number | undefined,
  ) {
    super({ highWaterMark: CHUNK_BYTES });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.put([chunk], cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.put(
      chunks.map((c) => c.chunk),
      cb,
    );
  }

  private put(bufs: Buffer[], cb: (e?: Error | null) => void): void {
    let n = 0;
    for (const b of bufs) n += b.length;
    const next = this.size + n;
    // Checked before writing, so the file never holds more than the limit.
    if (this.maxBytes !== undefined && next > this.maxBytes) return cb(new BlobTooLargeError(this.maxBytes));
    if (this.expectedSize !== undefined && next > this.expectedSize) return cb(new BlobSizeMismatchError(this.expectedSize, next, true));
    this.size = next;
    for (const b of bufs) for (const h of this.hashers) h.update(b);
    writeAll(this.fh, bufs, n).then(() => cb(), cb);
  }
}

/**
 * libuv retries short writes itself, but after some progress it reports a later error
 * (ENOSPC) as a short count; retrying the rest surfaces the real error.
 */
async function writeAll(fh: FileHandle, bufs: Buffer[], total: number): Promise<void> {
  let written = (await fh.writev(bufs)).bytesWritten;
  while (written < total) {
    const rest: Buffer[] = [];
    let skip = written;
    for (const b of bufs) {
      if (skip >= b.length) skip -= b.length;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    const n = (await fh.writev(rest)).bytesWritten;
    if (n === 0) throw Object.assign(new Error('short write to blob file'), { code: 'EIO' });
    written += n;
  }
}

/** fsync of a directory makes the names in it durable. Windows cannot open directories. */
async function fsyncDir(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function checkRange(range: ByteRange | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) throw new RangeError(`invalid byte range ${start}-${end}`);
}

function notFound(e: unknown, id: string): unknown {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? new BlobNotFoundError(id) : e;
}

function ignoreNotFound(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}
