/**
 * ListObjectsV2 and ListObjects: keys in UTF-8 byte order, optionally rolled up into common
 * prefixes at a delimiter. Each common prefix costs one index seek past all its keys, so a
 * page never scans the keys it rolls up, at any bucket size. ListObjectVersions does the same
 * over current objects and older versions merged (newest first within a key).
 */
import { InvalidArgument } from '../errors.js';
import type { ObjectRecord, S3ObjectRepo, VersionRecord } from '../repo.js';
import { recordVersionId } from './versions.js';

export interface ListRequest {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  /** Exclusive: list keys (and prefixes) after this one. */
  after?: string;
}

export interface ListResult {
  contents: ObjectRecord[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix of the page: where the next page starts after. */
  last?: string;
}

/** The greatest code point: any key starting with p sorts below p + this. */
const AFTER_ALL = '\u{10FFFF}';
const BATCH = 1000;

export async function listKeys(repo: S3ObjectRepo, bucket: string, req: ListRequest): Promise<ListResult> {
  const contents: ObjectRecord[] = [];
  const commonPrefixes: string[] = [];
  let after = req.after;
  let last: string | undefined;
  const count = () => contents.length + commonPrefixes.length;
  if (req.maxKeys === 0) return { contents, commonPrefixes, truncated: false };
  for (;;) {
    const rows = await repo.listObjects(bucket, { after, prefix: req.prefix, limit: BATCH });
    if (rows.length === 0) return { contents, commonPrefixes, truncated: false, last };
    for (const row of rows) {
      if (count() === req.maxKeys) return { contents, commonPrefixes, truncated: true, last };
      const cut = req.delimiter ? row.key.indexOf(req.delimiter, req.prefix.length) : -1;
      if (cut >= 0) {
        const cp = row.key.slice(0, cut + req.delimiter!.length);
        // A marker (or token) inside a common prefix, or naming it, returned it on an earlier page.
        if (req.after === undefined || !req.after.startsWith(cp)) {
          commonPrefixes.push(cp);
          last = cp;
        }
        // Skip every key under this common prefix with one seek.
        after = cp + AFTER_ALL;
        break;
      }
      contents.push(row);
      last = row.key;
      after = row.key;
    }
    if (count() === req.maxKeys) {
      const more = await repo.listObjects(bucket, { after, prefix: req.prefix, limit: 1 });
      return { contents, commonPrefixes, truncated: more.length > 0, last };
    }
  }
}

export interface VersionListRequest {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  keyMarker?: string;
  versionIdMarker?: string;
}

export interface VersionEntry {
  record: ObjectRecord;
  deleteMarker: boolean;
  isLatest: boolean;
}

export interface VersionListResult {
  entries: VersionEntry[];
  commonPrefixes: string[];
  truncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

/** The current object sorts before every older version of its key. */
const CURRENT_SEQ = Number.MAX_SAFE_INTEGER;

/** Where a page starts: after `key`'s versions with seq >= `seq` (-1: after all of `key`). */
interface Position {
  key?: string;
  seq: number;
}

export async function listVersions(repo: S3ObjectRepo, bucket: string, req: VersionListRequest): Promise<VersionListResult> {
  const entries: VersionEntry[] = [];
  const commonPrefixes: string[] = [];
  const result = (truncated: boolean, last?: { key: string; versionId?: string }): VersionListResult => ({
    entries,
    commonPrefixes,
    truncated,
    ...(truncated && last ? { nextKeyMarker: last.key, ...(last.versionId !== undefined ? { nextVersionIdMarker: last.versionId } : {}) } : {}),
  });
  let pos = await startPosition(repo, bucket, req);
  // Rows of the key the page starts inside (after a version-id-marker) are not the latest.
  const midKey = pos.seq >= 0 ? pos.key : undefined;
  let prevKey: string | undefined;
  let last: { key: string; versionId?: string } | undefined;
  if (req.maxKeys === 0) return result(false);
  for (;;) {
    const rows = await nextRows(repo, bucket, req.prefix, pos, BATCH);
    if (rows.length === 0) return result(false, last);
    for (const row of rows) {
      if (entries.length + commonPrefixes.length === req.maxKeys) return result(true, last);
      const cut = req.delimiter ? row.key.indexOf(req.delimiter, req.prefix.length) : -1;
      if (cut >= 0) {
        const cp = row.key.slice(0, cut + req.delimiter!.length);
        // A key-marker inside a common prefix already returned it on an earlier page.
        if (req.keyMarker === undefined || !req.keyMarker.startsWith(cp)) {
          commonPrefixes.push(cp);
          last = { key: cp };
        }
        pos = { key: cp + AFTER_ALL, seq: -1 };
        break;
      }
      const isLatest = row.key !== prevKey && row.key !== midKey;
      prevKey = row.key;
      entries.push({ record: row.record, deleteMarker: row.deleteMarker, isLatest });
      last = { key: row.key, versionId: row.record.versionId ?? 'null' };
      pos = { key: row.key, seq: row.seq };
    }
    if (entries.length + commonPrefixes.length === req.maxKeys) {
      return result((await nextRows(repo, bucket, req.prefix, pos, 1)).length > 0, last);
    }
  }
}

async function startPosition(repo: S3ObjectRepo, bucket: string, req: VersionListRequest): Promise<Position> {
  if (req.versionIdMarker !== undefined && req.versionIdMarker !== '') {
    if (req.keyMarker === undefined || req.keyMarker === '') {
      throw InvalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', req.versionIdMarker);
    }
    const id = recordVersionId(req.versionIdMarker);
    const current = await repo.object(bucket, req.keyMarker);
    if (current && current.versionId === id) return { key: req.keyMarker, seq: CURRENT_SEQ };
    const v = await repo.version(bucket, req.keyMarker, id);
    // A client emptying a bucket page by page deletes the versions it was shown before asking for
    // the next page, so the "null" version a page ended on may be gone: the listing goes on after
    // that key (the null version of an object never versioned is its only one).
    if (!v && id === undefined) return { key: req.keyMarker, seq: -1 };
    if (!v) throw InvalidArgument('Invalid version id specified', 'version-id-marker', req.versionIdMarker);
    return { key: req.keyMarker, seq: v.seq };
  }
  return { key: req.keyMarker || undefined, seq: -1 };
}

interface Row {
  key: string;
  seq: number;
  record: ObjectRecord;
  deleteMarker: boolean;
}

/**
 * Up to `limit` rows after `pos`, current objects and versions merged by (key, seq desc). Each
 * source is read `limit` rows deep: the first `limit` of the merge come from those.
 */
async function nextRows(repo: S3ObjectRepo, bucket: string, prefix: string, pos: Position, limit: number): Promise<Row[]> {
  // A current object is after the position only in a later key (its seq is the greatest).
  const [objects, versions] = await Promise.all([repo.listObjects(bucket, { after: pos.key, prefix, limit }), repo.listVersions(bucket, { prefix, afterKey: pos.key, beforeSeq: pos.seq, limit })]);
  const current = objects.map((record): Row => ({ key: record.key, seq: CURRENT_SEQ, record, deleteMarker: false }));
  const older = versions.map(
    (v: VersionRecord): Row => ({ key: v.key, seq: v.seq, record: v, deleteMarker: v.deleteMarker }),
  );
  const merged: Row[] = [];
  let i = 0;
  let j = 0;
  while (merged.length < limit && (i < current.length || j < older.length)) {
    const a = current[i];
    const b = older[j];
    if (b === undefined || (a !== undefined && byteOrder(a.key, b.key) <= 0)) {
      merged.push(a!);
      i++;
    } else {
      merged.push(b);
      j++;
    }
  }
  return merged;
}

/** Keys compared as the repo orders them: UTF-8 bytes (JS's < compares UTF-16 units). */
function byteOrder(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
