/**
 * One cached object on disk, in a file that describes itself, so a restarted Nimbus rebuilds a
 * cache's disk tier from its directory:
 *
 *   NCDN1 <header length>\n<header JSON>\n<body>
 *
 * The header is the object's metadata (CachedObject) and the body's size and SHA-256. A file is
 * written beside its final name and renamed into place, so a crash leaves either the whole file
 * or a `.part` that the next start removes. At start, a file whose header does not parse or
 * whose length disagrees with its header is removed; the body's hash is checked the first time
 * the body is read after a restart (hashing a whole disk cache would hold up the start).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { CachedObject } from './object-store.js';

const MAGIC = 'NCDN1 ';
/** The largest header read back (an object's headers are bounded by the origin's answer). */
const MAX_HEADER = 1024 * 1024;

export interface DiskHeader {
  obj: CachedObject;
  sha256: string;
}

export const sha256Of = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

/** The bytes that precede the body in an entry's file. */
export function encodeHeader(obj: CachedObject, sha256: string): Buffer {
  const json = Buffer.from(JSON.stringify({ obj, sha256 } satisfies DiskHeader));
  return Buffer.from(`${MAGIC}${json.length}\n${json.toString()}\n`);
}

/** Reads an entry file's header; undefined when the file is not a whole entry. Returns the body's offset too. */
export function readHeader(file: string): { header: DiskHeader; bodyOffset: number } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 32));
    readSync(fd, head, 0, head.length, 0);
    const text = head.toString('latin1');
    const nl = text.indexOf('\n');
    if (!text.startsWith(MAGIC) || nl < 0) return undefined;
    const len = Number(text.slice(MAGIC.length, nl));
    if (!Number.isSafeInteger(len) || len <= 0 || len > MAX_HEADER || nl + 1 + len + 1 > size) return undefined;
    const json = Buffer.alloc(len);
    readSync(fd, json, 0, len, nl + 1);
    const header = JSON.parse(json.toString()) as DiskHeader;
    const bodyOffset = nl + 1 + len + 1;
    if (!validHeader(header) || size - bodyOffset !== header.obj.size) return undefined;
    return { header, bodyOffset };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function validHeader(h: DiskHeader): boolean {
  const o = h?.obj;
  return (
    typeof h.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(h.sha256) &&
    !!o &&
    typeof o.key === 'string' &&
    typeof o.primary === 'string' &&
    typeof o.path === 'string' &&
    Number.isInteger(o.status) &&
    Number.isSafeInteger(o.size) &&
    o.size >= 0 &&
    typeof o.responseTime === 'number' &&
    typeof o.initialAge === 'number' &&
    typeof o.headers === 'object' &&
    o.headers !== null &&
    Object.values(o.headers).every((v) => typeof v === 'string') &&
    Array.isArray(o.vary) &&
    o.vary.every((v) => typeof v === 'string') &&
    typeof o.fresh === 'object' &&
    o.fresh !== null &&
    typeof o.fresh.ttl === 'number'
  );
}
