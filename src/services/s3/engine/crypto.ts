/**
 * Object bodies encrypted at rest: AES-256-GCM under a fresh data key per body (object, part,
 * copy), the data key wrapped (AES-256-GCM) by the master key kept in the data directory
 * (`s3-master.key`, 32 random bytes, mode 0600, made on first start). A data directory copied
 * without that file leaks no body; one copied with it is as readable as the original.
 *
 * A sealed body (a blob file, or an inline body in its row) is self-describing:
 *
 *   header (68 bytes): "NSE1" | kind (1) | 3 zero bytes | wrap IV (12) | wrapped key (32) | wrap tag (16)
 *   chunks: each CHUNK plaintext bytes (the last one fewer) as ciphertext followed by its 16-byte tag
 *
 * Chunk i is sealed with nonce = 4 zero bytes | i (64-bit big-endian), which never repeats under
 * one data key, and with the additional data i | final flag: chunks cannot be reordered, and a
 * truncated body fails on its (no longer) final chunk. Plaintext byte p is in chunk p / CHUNK,
 * at a fixed offset in the file, so a range read opens and decrypts only the chunks it covers.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pooledRandomBytes } from '../../../lib/ids.js';
import type { BlobInfo, BlobStore, ByteRange, HasherFactories } from '../../../store/blobs.js';
import { BlobSizeMismatchError, BlobTooLargeError } from '../../../store/blobs.js';

/** Plaintext bytes per chunk. */
export const CHUNK = 64 * 1024;
const TAG = 16;
const MAGIC = Buffer.from('NSE1');
export const HEADER_BYTES = 4 + 1 + 3 + 12 + 32 + TAG;
/** The data key is wrapped by the master key. */
const KIND_MASTER = 1;
export const MASTER_KEY_FILE = 's3-master.key';

/** The stored size of a sealed body of `size` plaintext bytes. */
export function sealedSize(size: number): number {
  return HEADER_BYTES + size + Math.ceil(size / CHUNK) * TAG;
}

/** The 64-bit index is written as two 32-bit halves (a chunk index stays far below 2^53). */
function writeIndex(to: Buffer, index: number, at: number): void {
  to.writeUInt32BE(Math.floor(index / 0x1_0000_0000), at);
  to.writeUInt32BE(index % 0x1_0000_0000, at + 4);
}

function nonce(index: number): Buffer {
  const iv = Buffer.alloc(12);
  writeIndex(iv, index, 4);
  return iv;
}

function aad(index: number, final: boolean): Buffer {
  const a = Buffer.alloc(9);
  writeIndex(a, index, 0);
  a[8] = final ? 1 : 0;
  return a;
}

/** The header's first 8 bytes: the magic and the kind, which the wrapped key is bound to. */
const PREFIX = Buffer.concat([MAGIC, Buffer.from([KIND_MASTER, 0, 0, 0])]);
/** Unwrapped data keys remembered, by header: most reads are of bodies read before. */
const KEY_CACHE_MAX = 4096;

/** A sealed body that does not open: tampered with, truncated, or sealed under another master key. */
export class SealedBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedBodyError';
  }
}

/** Digests and size of the plaintext on its way to being sealed, with the blob store's limits. */
class PlainTap {
  size = 0;
  private readonly md5 = createHash('md5');
  private readonly extra: Array<[string, { update(b: Buffer): unknown; digest(): Buffer }]>;

  constructor(
    hashers: HasherFactories,
    private readonly maxBytes?: number,
    private readonly expectedSize?: number,
  ) {
    this.extra = Object.entries(hashers).map(([name, make]) => [name, make()]);
  }

  update(b: Buffer): void {
    this.size += b.length;
    if (this.maxBytes !== undefined && this.size > this.maxBytes) throw new BlobTooLargeError(this.maxBytes);
    if (this.expectedSize !== undefined && this.size > this.expectedSize) throw new BlobSizeMismatchError(this.expectedSize, this.size);
    this.md5.update(b);
    for (const [, h] of this.extra) h.update(b);
  }

  end(): void {
    if (this.expectedSize !== undefined && this.size !== this.expectedSize) throw new BlobSizeMismatchError(this.expectedSize, this.size);
  }

  info(id: string): BlobInfo {
    return { id, size: this.size, md5: this.md5.digest(), digests: Object.fromEntries(this.extra.map(([name, h]) => [name, h.digest()])) };
  }
}

export interface SealedWriteOptions {
  maxBytes?: number;
  expectedSize?: number;
  hashers?: HasherFactories;
}

export class BodyCrypto {
  /**
   * Data keys already unwrapped, by the header bytes (latin1) that carry them: unwrapping is a
   * pure function of the master key and the header, so a remembered key is never stale. Keys
   * are as secret here as the master key beside them, in this process's memory only.
   */
  private readonly keys = new Map<string, Buffer>();

  private constructor(private readonly master: Buffer) {}

  /**
   * The master key of this data directory: read, or made (mode 0600) on first start. Runs once
   * at startup. A key file of the wrong size stops the start rather than sealing under a new key.
   */
  static load(dataDir: string): BodyCrypto {
    const path = join(dataDir, MASTER_KEY_FILE);
    if (!existsSync(path)) {
      try {
        writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const key = readFileSync(path);
    if (key.length !== 32) throw new Error(`${path} must hold exactly 32 bytes (the S3 master key); it holds ${key.length}`);
    // A key file made with a looser mode (copied in by hand) is tightened.
    chmodSync(path, 0o600);
    return new BodyCrypto(key);
  }

  /** For tests and in-process tools: a crypto under a given master key. */
  static withKey(master: Buffer): BodyCrypto {
    return new BodyCrypto(master);
  }

  /** A new data key and the header that carries it, wrapped. */
  private newHeader(): { key: Buffer; header: Buffer } {
    // The key and the wrap IV from the pooled CSPRNG (a getrandom call each cost more than
    // sealing a small body), copied out of the pool at once.
    const random = Buffer.from(pooledRandomBytes(44));
    const key = random.subarray(0, 32);
    const iv = random.subarray(32, 44);
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    PREFIX.copy(header, 0);
    iv.copy(header, 8);
    const c = createCipheriv('aes-256-gcm', this.master, iv);
    c.setAAD(PREFIX);
    // AES-GCM is a stream cipher: the 32-byte key comes out of update whole, final adds nothing.
    c.update(key).copy(header, 20);
    c.final();
    c.getAuthTag().copy(header, 52);
    return { key, header };
  }

  /** The data key of a sealed body, from its header. */
  unwrap(header: Buffer): Buffer {
    if (header.length < HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC) || header[4] !== KIND_MASTER) throw new SealedBodyError('not a sealed body');
    const id = header.toString('latin1', 0, HEADER_BYTES);
    const known = this.keys.get(id);
    if (known) return known;
    const iv = header.subarray(8, 20);
    const d = createDecipheriv('aes-256-gcm', this.master, iv);
    d.setAAD(header.subarray(0, 8));
    d.setAuthTag(header.subarray(52, HEADER_BYTES));
    let key: Buffer;
    try {
      key = Buffer.concat([d.update(header.subarray(20, 52)), d.final()]);
    } catch {
      throw new SealedBodyError('the data key does not unwrap under this master key');
    }
    // Oldest first out once the cache is full.
    if (this.keys.size >= KEY_CACHE_MAX) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(id, key);
    return key;
  }

  /** Whether these bytes begin like a sealed body (parts written before encryption are plaintext). */
  static looksSealed(head: Buffer): boolean {
    return head.length >= HEADER_BYTES && head.subarray(0, 4).equals(MAGIC) && head[4] === KIND_MASTER;
  }

  /** Whether a blob's first 4 bytes are the sealed format's magic. */
  static looksSealedMagic(head: Buffer): boolean {
    return head.length >= 4 && head.subarray(0, 4).equals(MAGIC);
  }

  /** A small body sealed whole (inline bodies). */
  sealBuffer(plain: Buffer): Buffer {
    const { key, header } = this.newHeader();
    const out: Buffer[] = [header];
    const count = Math.ceil(plain.length / CHUNK);
    let total = header.length;
    for (let i = 0; i < count; i++) {
      const [body, tag] = sealChunk(key, i, plain.subarray(i * CHUNK, (i + 1) * CHUNK), i === count - 1);
      out.push(body, tag);
      total += body.length + tag.length;
    }
    return Buffer.concat(out, total);
  }

  /** An inline sealed body's plaintext (or the inclusive range of it). */
  openBuffer(sealed: Buffer, size: number, range?: ByteRange): Buffer {
    const key = this.unwrap(sealed.subarray(0, HEADER_BYTES));
    const count = Math.ceil(size / CHUNK);
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const at = HEADER_BYTES + i * (CHUNK + TAG);
      const len = Math.min(CHUNK, size - i * CHUNK);
      out.push(openChunk(key, i, sealed.subarray(at, at + len + TAG), i === count - 1));
    }
    // One chunk (most inline bodies) is its own plaintext: no copy.
    const plain = out.length === 1 ? out[0]! : Buffer.concat(out, size);
    return range ? plain.subarray(range.start, range.end + 1) : plain;
  }

  /**
   * Streams a plaintext body into a new sealed blob. The BlobInfo describes the plaintext (its
   * size, MD5 and digests), which is what objects and parts record; limits apply to it too.
   */
  writeSealed(blobs: BlobStore, source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer>, opts: SealedWriteOptions = {}): Promise<BlobInfo> {
    const tap = new PlainTap(opts.hashers ?? {}, opts.maxBytes, opts.expectedSize);
    // A stream that fails before the generator reads it (a client gone mid-upload) must not
    // emit an 'error' nobody listens to; the generator's read then rejects with it.
    const emitter = source as Partial<NodeJS.EventEmitter>;
    if (typeof emitter.on === 'function') emitter.on('error', () => undefined);
    // The MD5 that matters is the plaintext's (the tap's): the store need not hash the ciphertext.
    return blobs.write(this.sealChunks(source, tap), { md5: false }).then((stored) => tap.info(stored.id));
  }

  private async *sealChunks(source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer>, tap: PlainTap): AsyncGenerator<Buffer> {
    const { key, header } = this.newHeader();
    yield header;
    // Bytes received and not yet sealed, as they came (never concatenated: the cipher takes pieces).
    const parts: Buffer[] = [];
    let have = 0;
    let index = 0;
    function* seal(n: number, final: boolean): Generator<Buffer> {
      const c = createCipheriv('aes-256-gcm', key, nonce(index));
      c.setAAD(aad(index, final));
      for (let left = n; left > 0; ) {
        const p = parts[0]!;
        if (p.length <= left) {
          parts.shift();
          left -= p.length;
          yield c.update(p);
        } else {
          parts[0] = p.subarray(left);
          yield c.update(p.subarray(0, left));
          left = 0;
        }
      }
      c.final();
      yield c.getAuthTag();
      have -= n;
      index++;
    }
    for await (const chunk of source) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      tap.update(b);
      parts.push(b);
      have += b.length;
      // A full chunk goes out once more data follows it: the last chunk must be known as last.
      while (have > CHUNK) yield* seal(CHUNK, false);
    }
    tap.end();
    if (have > 0) yield* seal(have, true);
  }

  /**
   * The plaintext of a sealed blob holding `size` bytes, or of the inclusive range of it: opens
   * (and decrypts) only the chunks the range covers. Rejects like BlobStore.open when the blob
   * is missing.
   */
  async openSealed(blobs: BlobStore, id: string, size: number, range?: ByteRange): Promise<Readable> {
    const start = range?.start ?? 0;
    const end = range ? Math.min(range.end, size - 1) : size - 1;
    if (end < start) {
      // An empty body: still check the blob is there (and is ours).
      await this.readHeader(blobs, id);
      return Readable.from([]);
    }
    const first = Math.floor(start / CHUNK);
    const last = Math.floor(end / CHUNK);
    const count = Math.ceil(size / CHUNK);
    const from = HEADER_BYTES + first * (CHUNK + TAG);
    const to = HEADER_BYTES + last * (CHUNK + TAG) + Math.min(CHUNK, size - last * CHUNK) + TAG - 1;
    let key: Buffer | undefined;
    let opened;
    if (first === 0) {
      // The common case, a read from the start: one open, the header read with the chunks.
      opened = await blobs.open(id, { start: 0, end: to });
    } else {
      key = this.unwrap(await this.readHeader(blobs, id));
      opened = await blobs.open(id, { start: from, end: to });
    }
    return Readable.from(this.openChunks(opened.stream, key, first, last, count, size, start - first * CHUNK, end - start + 1), { objectMode: false });
  }

  private async readHeader(blobs: BlobStore, id: string): Promise<Buffer> {
    const { stream } = await blobs.open(id, { start: 0, end: HEADER_BYTES - 1 });
    const parts: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
    return Buffer.concat(parts);
  }

  private async *openChunks(
    cipher: AsyncIterable<Buffer>,
    knownKey: Buffer | undefined,
    first: number,
    last: number,
    count: number,
    size: number,
    skip: number,
    length: number,
  ): AsyncGenerator<Buffer> {
    let key = knownKey;
    let index = first;
    let left = length;
    // The start of a chunk cut by a read boundary; whole chunks are sliced from reads, not copied.
    let carry: Buffer | undefined;
    const need = () => (key ? Math.min(CHUNK, size - index * CHUNK) + TAG : HEADER_BYTES);
    const take = (whole: Buffer): Buffer | undefined => {
      if (!key) {
        key = this.unwrap(whole);
        return undefined;
      }
      let plain = openChunk(key, index, whole, index === count - 1);
      index++;
      if (skip) {
        plain = plain.subarray(skip);
        skip = 0;
      }
      if (plain.length > left) plain = plain.subarray(0, left);
      left -= plain.length;
      return plain.length ? plain : undefined;
    };
    for await (const read of cipher) {
      let c = read;
      while (c.length > 0 && index <= last) {
        const n = need();
        let whole: Buffer;
        if (carry) {
          const want = n - carry.length;
          if (c.length < want) {
            carry = Buffer.concat([carry, c]);
            break;
          }
          whole = Buffer.concat([carry, c.subarray(0, want)], n);
          carry = undefined;
          c = c.subarray(want);
        } else if (c.length >= n) {
          whole = c.subarray(0, n);
          c = c.subarray(n);
        } else {
          carry = c;
          break;
        }
        const plain = take(whole);
        if (plain) yield plain;
      }
    }
    if (left > 0) throw new SealedBodyError('the sealed body is shorter than its record says');
  }
}

function sealChunk(key: Buffer, index: number, plain: Buffer, final: boolean): [Buffer, Buffer] {
  const c = createCipheriv('aes-256-gcm', key, nonce(index));
  c.setAAD(aad(index, final));
  const body = c.update(plain);
  c.final();
  return [body, c.getAuthTag()];
}

function openChunk(key: Buffer, index: number, sealed: Buffer, final: boolean): Buffer {
  if (sealed.length < TAG) throw new SealedBodyError('a chunk is cut short');
  const d = createDecipheriv('aes-256-gcm', key, nonce(index));
  d.setAAD(aad(index, final));
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    const plain = d.update(sealed.subarray(0, sealed.length - TAG));
    d.final();
    return plain;
  } catch {
    throw new SealedBodyError(`chunk ${index} does not authenticate`);
  }
}
