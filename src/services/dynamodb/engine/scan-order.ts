/**
 * The order a Scan walks a table in, and its segments, as DynamoDB has them.
 *
 * DynamoDB places a partition key by the MD5 of "Outliers" followed by the key's bytes (a
 * string's UTF-8, a binary's bytes, a number in DynamoDB's own serialization,
 * numbers.ts centesimalBytes). A Scan walks partitions in that hash's order, and a parallel
 * Scan's segment s of n holds the keys whose hash h has floor(h * n / 2^32) = s. Nimbus keeps
 * the first 32 bits of the digest with every item and index row and scans by (hash, partition
 * key, sort key). Evidence: dynalite's tests, written against DynamoDB, pin the scan order of
 * 14 string and 14 number keys and the segments (of 4096) of six keys; this reproduces them all.
 * A multi-attribute partition key (GSIs only) hashes its attributes' bytes one after another:
 * DynamoDB documents no scan order for those.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { centesimalBytes } from './numbers.js';
import type { AttributeValue } from './types.js';

const SALT = Buffer.from('Outliers');
export const HASH_SPACE = 2 ** 32;

/** crypto.hash (Node 20.12+) is a third of createHash's cost for a few bytes. */
const md5: (data: Buffer) => Buffer =
  typeof oneShotHash === 'function' ? (data) => oneShotHash('md5', data, 'buffer') : (data) => createHash('md5').update(data).digest();

function keyBytes(v: AttributeValue): Buffer {
  if ('S' in v) return Buffer.from(v.S, 'utf8');
  if ('B' in v) return Buffer.from(v.B, 'base64');
  if ('N' in v) return centesimalBytes(v.N);
  throw new Error('not a key value');
}

/** The first 32 bits of the partition key's digest: its place in a Scan. */
export function partitionHash(values: AttributeValue[]): number {
  return md5(Buffer.concat([SALT, ...values.map(keyBytes)])).readUInt32BE(0);
}

/**
 * The hash of an item's table key (partition key's bytes, then the sort key's): DynamoDB keeps
 * index rows with equal index keys in this order (as dynalite's tests of GSI queries record).
 */
export function tableKeyHash(partition: AttributeValue, sort: AttributeValue | undefined): number {
  return md5(Buffer.concat([SALT, keyBytes(partition), ...(sort ? [keyBytes(sort)] : [])])).readUInt32BE(0);
}

/** The half-open range of hashes segment `segment` of `total` covers. */
export function segmentRange(segment: number, total: number): { from: number; to: number } {
  return { from: Math.ceil((segment * HASH_SPACE) / total), to: Math.ceil(((segment + 1) * HASH_SPACE) / total) };
}
