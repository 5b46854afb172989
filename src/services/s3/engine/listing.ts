/**
 * ListObjectsV2 and ListObjects: keys in UTF-8 byte order, optionally rolled up into common
 * prefixes at a delimiter. Each common prefix costs one index seek past all its keys, so a
 * page never scans the keys it rolls up, at any bucket size.
 */
import type { ObjectRecord, S3ObjectRepo } from '../repo.js';

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

export function listKeys(repo: S3ObjectRepo, bucket: string, req: ListRequest): ListResult {
  const contents: ObjectRecord[] = [];
  const commonPrefixes: string[] = [];
  let after = req.after;
  let last: string | undefined;
  const count = () => contents.length + commonPrefixes.length;
  if (req.maxKeys === 0) return { contents, commonPrefixes, truncated: false };
  for (;;) {
    const rows = repo.listObjects(bucket, { after, prefix: req.prefix, limit: BATCH });
    if (rows.length === 0) return { contents, commonPrefixes, truncated: false, last };
    for (const row of rows) {
      if (count() === req.maxKeys) return { contents, commonPrefixes, truncated: true, last };
      const cut = req.delimiter ? row.key.indexOf(req.delimiter, req.prefix.length) : -1;
      if (cut >= 0) {
        const cp = row.key.slice(0, cut + req.delimiter!.length);
        commonPrefixes.push(cp);
        last = cp;
        // Skip every key under this common prefix with one seek.
        after = cp + AFTER_ALL;
        break;
      }
      contents.push(row);
      last = row.key;
      after = row.key;
    }
    if (count() === req.maxKeys) {
      const more = repo.listObjects(bucket, { after, prefix: req.prefix, limit: 1 });
      return { contents, commonPrefixes, truncated: more.length > 0, last };
    }
  }
}
