/**
 * The checksums S3 accepts for object integrity (x-amz-checksum-crc32 / -crc32c / -crc64nvme /
 * -sha1 / -sha256 headers and aws-chunked trailers), plus MD5 for Content-MD5, behind one
 * incremental interface so a streaming upload can be hashed as it passes through.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 *
 * Wire form: the digest bytes, base64. CRCs are their register value in big-endian byte order
 * (CRC32 of "123456789" = 0xCBF43926 is sent as "y/Q5Jg==").
 *
 * The CRCs are written here (no npm dependency): reflected, init all-ones, xorout all-ones, and
 * computed "slicing-by-8" (eight 256-entry tables, 8 input bytes per step, no allocation per
 * byte), several times faster than the classic one-table loop. CRC32 prefers node's native
 * zlib.crc32 (Node >= 20.15) and falls back to the same JS code on older 20.x.
 */
import { createHash, type Hash } from 'node:crypto';
import * as zlib from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256' | 'MD5';

/** The flexible-checksum algorithms S3 accepts in x-amz-checksum-* (MD5 is Content-MD5 only). */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

export interface Checksum {
  update(buf: Uint8Array): void;
  /** The digest; calling it again returns the same bytes. No update() after it. */
  digest(): Buffer;
}

const DIGEST_LENGTH: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
  MD5: 16,
};

/** Digest size in bytes (what a valid base64 checksum value must decode to). */
export function digestLength(alg: ChecksumAlgorithm): number {
  return DIGEST_LENGTH[alg];
}

/** x-amz-checksum-crc32, ... ; MD5 travels as Content-MD5. */
export function checksumHeaderName(alg: ChecksumAlgorithm): string {
  return alg === 'MD5' ? 'content-md5' : `x-amz-checksum-${alg.toLowerCase()}`;
}

/** The algorithm of an x-amz-checksum-* header name (any case); undefined if not one. */
export function checksumAlgorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const n = name.trim().toLowerCase();
  return CHECKSUM_ALGORITHMS.find((a) => checksumHeaderName(a) === n);
}

// ---- CRC tables -------------------------------------------------------------------------------

/** Slicing-by-8 tables for a reflected 32-bit CRC, flat: table k at [k * 256, k * 256 + 256). */
function crc32Tables(reflectedPoly: number): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    t[i] = c;
  }
  // Table k advances a byte that sits k bytes before the end of the 8-byte block.
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 255]!;
    }
  }
  return t;
}

const CRC32_TABLE = crc32Tables(0xedb88320); // IEEE 802.3
const CRC32C_TABLE = crc32Tables(0x82f63b78); // Castagnoli

/**
 * Continues a 32-bit CRC. `prev` is a previous result (0 to start), so crc(a ++ b) =
 * crc(b, crc(a)) -- the same contract as zlib.crc32(data, value).
 */
function crc32With(t: Int32Array, buf: Uint8Array, prev: number): number {
  let c = ~prev;
  let i = 0;
  const n = buf.length;
  for (const end = n - 7; i < end; i += 8) {
    const a = c ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    c =
      t[1792 + (a & 255)]! ^
      t[1536 + ((a >>> 8) & 255)]! ^
      t[1280 + ((a >>> 16) & 255)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ buf[i]!) & 255]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC32 (IEEE) in JS, exported so tests can hold it against the native one. */
export const crc32Js = (buf: Uint8Array, prev = 0): number => crc32With(CRC32_TABLE, buf, prev);

const nativeCrc32 = typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;

/** CRC32 (IEEE), continuing from `prev` (a previous result, 0 to start). */
export const crc32 = (buf: Uint8Array, prev = 0): number =>
  nativeCrc32 ? nativeCrc32(buf, prev) >>> 0 : crc32Js(buf, prev);

/** CRC32C (Castagnoli), continuing from `prev` (a previous result, 0 to start). */
export const crc32c = (buf: Uint8Array, prev = 0): number => crc32With(CRC32C_TABLE, buf, prev);

/**
 * CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5 (0xAD93D23594C93659 unreflected).
 * JS has no fast 64-bit integers (BigInt allocates), so the register and the tables are split
 * in 32-bit halves.
 */
const CRC64_LO = new Int32Array(8 * 256);
const CRC64_HI = new Int32Array(8 * 256);
{
  const [polyHi, polyLo] = [0x9a6c9329, 0xac4bc9b5 | 0];
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let j = 0; j < 8; j++) {
      const odd = lo & 1;
      lo = (lo >>> 1) | (hi << 31);
      hi >>>= 1;
      if (odd) [lo, hi] = [lo ^ polyLo, hi ^ polyHi];
    }
    [CRC64_LO[i], CRC64_HI[i]] = [lo, hi];
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const [lo, hi] = [CRC64_LO[(k - 1) * 256 + i]!, CRC64_HI[(k - 1) * 256 + i]!];
      CRC64_LO[k * 256 + i] = ((lo >>> 8) | (hi << 24)) ^ CRC64_LO[lo & 255]!;
      CRC64_HI[k * 256 + i] = (hi >>> 8) ^ CRC64_HI[lo & 255]!;
    }
  }
}

/** Advances the (non-inverted) CRC-64 register held as [hi, lo] over buf, in place. */
function crc64Update(reg: Int32Array, buf: Uint8Array): void {
  const L = CRC64_LO;
  const H = CRC64_HI;
  let lo = reg[1]!;
  let hi = reg[0]!;
  let i = 0;
  const n = buf.length;
  for (const end = n - 7; i < end; i += 8) {
    const a = lo ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    const b = hi ^ (buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24));
    // Plain locals, not destructuring: this loop must not allocate.
    const a0 = 1792 + (a & 255);
    const a1 = 1536 + ((a >>> 8) & 255);
    const a2 = 1280 + ((a >>> 16) & 255);
    const a3 = 1024 + (a >>> 24);
    const b0 = 768 + (b & 255);
    const b1 = 512 + ((b >>> 8) & 255);
    const b2 = 256 + ((b >>> 16) & 255);
    const b3 = b >>> 24;
    lo = L[a0]! ^ L[a1]! ^ L[a2]! ^ L[a3]! ^ L[b0]! ^ L[b1]! ^ L[b2]! ^ L[b3]!;
    hi = H[a0]! ^ H[a1]! ^ H[a2]! ^ H[a3]! ^ H[b0]! ^ H[b1]! ^ H[b2]! ^ H[b3]!;
  }
  for (; i < n; i++) {
    const x = (lo ^ buf[i]!) & 255;
    lo = ((lo >>> 8) | (hi << 24)) ^ L[x]!;
    hi = (hi >>> 8) ^ H[x]!;
  }
  reg[0] = hi;
  reg[1] = lo;
}

/** CRC-64/NVME of buf, continuing from `prev` (a previous result, 0n to start). */
export function crc64nvme(buf: Uint8Array, prev = 0n): bigint {
  const inv = ~prev & 0xffffffffffffffffn;
  const reg = Int32Array.of(Number(inv >> 32n) | 0, Number(inv & 0xffffffffn) | 0);
  crc64Update(reg, buf);
  return (BigInt(~reg[0]! >>> 0) << 32n) | BigInt(~reg[1]! >>> 0);
}

// ---- the incremental interface ----------------------------------------------------------------

class Crc32Checksum implements Checksum {
  private value = 0;
  constructor(private readonly fn: (buf: Uint8Array, prev: number) => number) {}
  update(buf: Uint8Array): void {
    this.value = this.fn(buf, this.value);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(this.value, 0);
    return out;
  }
}

class Crc64Checksum implements Checksum {
  private readonly reg = Int32Array.of(-1, -1);
  update(buf: Uint8Array): void {
    crc64Update(this.reg, buf);
  }
  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.reg[0]! >>> 0, 0);
    out.writeUInt32BE(~this.reg[1]! >>> 0, 4);
    return out;
  }
}

/** node:crypto hashes finalize once; the first digest is kept so digest() can be repeated. */
class HashChecksum implements Checksum {
  private readonly hash: Hash;
  private result: Buffer | undefined;
  constructor(name: string) {
    this.hash = createHash(name);
  }
  update(buf: Uint8Array): void {
    this.hash.update(buf);
  }
  digest(): Buffer {
    return (this.result ??= this.hash.digest());
  }
}

export function createChecksum(alg: ChecksumAlgorithm): Checksum {
  switch (alg) {
    case 'CRC32':
      return new Crc32Checksum(crc32);
    case 'CRC32C':
      return new Crc32Checksum(crc32c);
    case 'CRC64NVME':
      return new Crc64Checksum();
    case 'SHA1':
      return new HashChecksum('sha1');
    case 'SHA256':
      return new HashChecksum('sha256');
    case 'MD5':
      return new HashChecksum('md5');
    default:
      throw new TypeError(`unknown checksum algorithm ${String(alg)}`);
  }
}

/** One-shot digest of the concatenation of `parts`. */
export function checksumOf(alg: ChecksumAlgorithm, ...parts: Uint8Array[]): Buffer {
  const c = createChecksum(alg);
  for (const p of parts) c.update(p);
  return c.digest();
}

// ---- base64 -----------------------------------------------------------------------------------

export const toBase64 = (digest: Uint8Array): string => Buffer.from(digest.buffer, digest.byteOffset, digest.length).toString('base64');

/** One-shot base64 checksum value, as sent in x-amz-checksum-* headers and trailers. */
export const checksumBase64 = (alg: ChecksumAlgorithm, ...parts: Uint8Array[]): string => toBase64(checksumOf(alg, ...parts));

/**
 * Strict base64 decoding: canonical padded standard alphabet only (node's own decoder skips
 * junk silently, which would let "not=base-64" pass as some value). Undefined when invalid or,
 * given `length`, when it does not decode to exactly that many bytes.
 */
export function fromBase64Strict(s: string, length?: number): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  const out = Buffer.from(s, 'base64');
  if (out.toString('base64') !== s) return undefined; // non-zero padding bits
  return length === undefined || out.length === length ? out : undefined;
}

/** Whether `b64` is a well-formed value for `alg` (S3: "Value for x-amz-checksum-... is invalid."). */
export const isValidChecksumValue = (alg: ChecksumAlgorithm, b64: string): boolean =>
  fromBase64Strict(b64, DIGEST_LENGTH[alg]) !== undefined;
