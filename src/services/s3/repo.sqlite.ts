/** S3 storage in SQLite. All SQL of the service lives here. */
import type { Db, Migration } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { BucketRecord, CorsRule, ListPage, ObjectRecord, PublicAccessBlock, S3ObjectRepo, S3Repo, VersioningState, VersionPage, VersionRecord } from './repo.js';

export const S3_MIGRATIONS: Migration[] = [
  // Bucket names are global across accounts and regions, as in S3.
  `CREATE TABLE s3_buckets (
     name TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX s3_buckets_account ON s3_buckets (account, name);`,
  // Keys are TEXT compared with SQLite's BINARY collation: memcmp of UTF-8, S3's list order.
  `CREATE TABLE s3_objects (
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     blob_id TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     headers TEXT NOT NULL,
     metadata TEXT NOT NULL,
     checksums TEXT NOT NULL,
     PRIMARY KEY (bucket, key)
   ) WITHOUT ROWID;
   CREATE INDEX s3_objects_blob ON s3_objects (blob_id);`,
  `ALTER TABLE s3_objects ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';`,
  `ALTER TABLE s3_buckets ADD COLUMN policy TEXT;
   ALTER TABLE s3_buckets ADD COLUMN acl TEXT NOT NULL DEFAULT 'private';
   ALTER TABLE s3_buckets ADD COLUMN public_access_block TEXT;`,
  `ALTER TABLE s3_buckets ADD COLUMN cors TEXT;`,
  // Versioning. s3_objects keeps the current version of each key (reads and listings stay one
  // seek); version_id NULL is S3's "null" version. Older versions and delete markers live in
  // s3_object_versions, newest first within a key (seq DESC), the null one as version_id 'null'.
  `ALTER TABLE s3_buckets ADD COLUMN versioning TEXT;
   ALTER TABLE s3_objects ADD COLUMN version_id TEXT;
   CREATE TABLE s3_object_versions (
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     seq INTEGER NOT NULL,
     version_id TEXT NOT NULL,
     is_delete_marker INTEGER NOT NULL,
     blob_id TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     headers TEXT NOT NULL,
     metadata TEXT NOT NULL,
     checksums TEXT NOT NULL,
     tags TEXT NOT NULL,
     PRIMARY KEY (bucket, key, seq DESC)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX s3_object_versions_id ON s3_object_versions (bucket, key, version_id);
   CREATE INDEX s3_object_versions_blob ON s3_object_versions (blob_id) WHERE blob_id <> '';`,
  // Small bodies inline (ObjectRecord.body).
  `ALTER TABLE s3_objects ADD COLUMN body BLOB;
   ALTER TABLE s3_object_versions ADD COLUMN body BLOB;`,
  // Object canned ACLs (ObjectRecord.acl).
  `ALTER TABLE s3_objects ADD COLUMN acl TEXT;
   ALTER TABLE s3_object_versions ADD COLUMN acl TEXT;`,
];

interface Row {
  name: string;
  account: string;
  region: string;
  created_at: number;
  policy: string | null;
  acl: string;
  public_access_block: string | null;
  cors: string | null;
  versioning: string | null;
}

const toRecord = (r: Row): BucketRecord => ({
  name: r.name,
  account: r.account,
  region: r.region,
  createdAt: r.created_at,
  acl: r.acl,
  ...(r.policy !== null ? { policy: r.policy } : {}),
  ...(r.public_access_block !== null ? { publicAccessBlock: JSON.parse(r.public_access_block) as PublicAccessBlock } : {}),
  ...(r.cors !== null ? { cors: JSON.parse(r.cors) as CorsRule[] } : {}),
  ...(r.versioning !== null ? { versioning: r.versioning as VersioningState } : {}),
});

export class SqliteS3Repo implements S3Repo {
  private readonly sql: Prepare;
  /**
   * Bucket records by name, read on every request (authorization) and changed rarely. Kept in
   * step by this repo's own writes; clearCache() after a failed commit. Records are shared:
   * callers replace them ({ ...b, policy }), never mutate them.
   */
  private readonly cache = new Map<string, BucketRecord | null>();

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  clearCache(): void {
    this.cache.clear();
  }

  bucket(name: string): BucketRecord | undefined {
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const row = this.sql('SELECT * FROM s3_buckets WHERE name = ?').get(name) as Row | undefined;
    const record = row && toRecord(row);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(name, record ?? null);
    return record;
  }

  buckets(account: string): BucketRecord[] {
    return (this.sql('SELECT * FROM s3_buckets WHERE account = ? ORDER BY name').all(account) as Row[]).map(toRecord);
  }

  insertBucket(b: BucketRecord): void {
    this.cache.delete(b.name);
    this.sql('INSERT INTO s3_buckets (name, account, region, created_at, acl) VALUES (?, ?, ?, ?, ?)').run(b.name, b.account, b.region, b.createdAt, b.acl);
  }

  updateBucket(b: BucketRecord): void {
    this.cache.delete(b.name);
    this.sql('UPDATE s3_buckets SET policy = ?, acl = ?, public_access_block = ?, cors = ?, versioning = ? WHERE name = ?')
      .run(
        b.policy ?? null,
        b.acl,
        b.publicAccessBlock ? JSON.stringify(b.publicAccessBlock) : null,
        b.cors ? JSON.stringify(b.cors) : null,
        b.versioning ?? null,
        b.name,
      );
  }

  deleteBucket(name: string): void {
    this.cache.delete(name);
    this.sql('DELETE FROM s3_buckets WHERE name = ?').run(name);
  }
}

interface ObjectRow {
  bucket: string;
  key: string;
  blob_id: string;
  size: number;
  etag: string;
  last_modified: number;
  headers: string;
  metadata: string;
  checksums: string;
  tags: string;
  version_id: string | null;
  body: Buffer | null;
  acl: string | null;
}

interface VersionRow extends Omit<ObjectRow, 'version_id'> {
  version_id: string;
  is_delete_marker: number;
  seq: number;
}

/** The null version's id in s3_object_versions, where version_id is part of a unique key. */
const NULL_ID = 'null';

/** Most objects have no metadata, checksums or tags: skip parsing the empty ones. */
const parseMap = (text: string): Record<string, string> => (text === '{}' ? {} : (JSON.parse(text) as Record<string, string>));

const toObject = (r: ObjectRow): ObjectRecord => ({
  bucket: r.bucket,
  key: r.key,
  blobId: r.blob_id,
  size: r.size,
  etag: r.etag,
  lastModified: r.last_modified,
  headers: parseMap(r.headers),
  metadata: parseMap(r.metadata),
  checksums: parseMap(r.checksums),
  tags: parseMap(r.tags),
  ...(r.version_id !== null ? { versionId: r.version_id } : {}),
  ...(r.body !== null ? { body: r.body } : {}),
  ...(r.acl ? { acl: r.acl } : {}),
});

const toVersion = (r: VersionRow): VersionRecord => ({
  ...toObject({ ...r, version_id: r.version_id === NULL_ID ? null : r.version_id }),
  deleteMarker: r.is_delete_marker === 1,
  seq: r.seq,
});

/** The greatest code point: every key starting with a prefix sorts below prefix + this. */
const AFTER_ALL = '\u{10FFFF}';

export class SqliteS3ObjectRepo implements S3ObjectRepo {
  private readonly sql: Prepare;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  object(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.sql('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?').get(bucket, key) as ObjectRow | undefined;
    return row && toObject(row);
  }

  putObject(o: ObjectRecord): void {
    this.sql(
        `INSERT OR REPLACE INTO s3_objects (bucket, key, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, version_id, body, acl)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        o.bucket,
        o.key,
        ...storedColumns(o),
        o.versionId ?? null,
        o.body ?? null,
        o.acl ?? null,
      );
  }

  deleteObject(bucket: string, key: string): void {
    this.sql('DELETE FROM s3_objects WHERE bucket = ? AND key = ?').run(bucket, key);
  }

  /** Listings leave small inline bodies out: a page of 1,000 objects never loads them. */
  listObjects(bucket: string, page: ListPage): ObjectRecord[] {
    const from = page.after !== undefined && page.after >= page.prefix ? page.after : undefined;
    const rows =
      from !== undefined
        ? this.sql('SELECT bucket, key, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, version_id, NULL AS body, acl FROM s3_objects WHERE bucket = ? AND key > ? AND key < ? ORDER BY key LIMIT ?')
            .all(bucket, from, page.prefix + AFTER_ALL, page.limit)
        : this.sql('SELECT bucket, key, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, version_id, NULL AS body, acl FROM s3_objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?')
            .all(bucket, page.prefix, page.prefix + AFTER_ALL, page.limit);
    return (rows as ObjectRow[]).map(toObject);
  }

  hasObjects(bucket: string): boolean {
    return (
      this.sql('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1').get(bucket) !== undefined ||
      this.sql('SELECT 1 FROM s3_object_versions WHERE bucket = ? LIMIT 1').get(bucket) !== undefined
    );
  }

  blobReferenced(blobId: string): boolean {
    return (
      this.sql('SELECT 1 FROM s3_objects WHERE blob_id = ? LIMIT 1').get(blobId) !== undefined ||
      this.sql("SELECT 1 FROM s3_object_versions WHERE blob_id = ? AND blob_id <> '' LIMIT 1").get(blobId) !== undefined
    );
  }

  version(bucket: string, key: string, versionId: string | undefined): VersionRecord | undefined {
    const row = this.sql('SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id = ?').get(bucket, key, versionId ?? NULL_ID) as
      | VersionRow
      | undefined;
    return row && toVersion(row);
  }

  latestVersion(bucket: string, key: string): VersionRecord | undefined {
    const row = this.sql('SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1').get(bucket, key) as VersionRow | undefined;
    return row && toVersion(row);
  }

  nextSeq(bucket: string, key: string): number {
    const row = this.sql('SELECT MAX(seq) AS seq FROM s3_object_versions WHERE bucket = ? AND key = ?').get(bucket, key) as { seq: number | null };
    return (row.seq ?? 0) + 1;
  }

  putVersion(v: VersionRecord): void {
    this.sql('DELETE FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id = ? AND seq <> ?').run(v.bucket, v.key, v.versionId ?? NULL_ID, v.seq);
    this.sql(
        `INSERT OR REPLACE INTO s3_object_versions
           (bucket, key, seq, version_id, is_delete_marker, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, body, acl)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        v.bucket,
        v.key,
        v.seq,
        v.versionId ?? NULL_ID,
        v.deleteMarker ? 1 : 0,
        ...storedColumns(v),
        v.body ?? null,
        v.acl ?? null,
      );
  }

  deleteVersion(bucket: string, key: string, versionId: string | undefined): void {
    this.sql('DELETE FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id = ?').run(bucket, key, versionId ?? NULL_ID);
  }

  listVersions(bucket: string, page: VersionPage): VersionRecord[] {
    const end = page.prefix + AFTER_ALL;
    const rows =
      page.afterKey === undefined || page.afterKey < page.prefix
        ? this.sql('SELECT bucket, key, seq, version_id, is_delete_marker, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, NULL AS body, acl FROM s3_object_versions WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key, seq DESC LIMIT ?')
            .all(bucket, page.prefix, end, page.limit)
        : this.sql(
              `SELECT bucket, key, seq, version_id, is_delete_marker, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, NULL AS body, acl FROM s3_object_versions WHERE bucket = ? AND key < ? AND ((key = ? AND seq < ?) OR key > ?)
               ORDER BY key, seq DESC LIMIT ?`,
            )
            .all(bucket, end, page.afterKey, page.beforeSeq ?? -1, page.afterKey, page.limit);
    return (rows as VersionRow[]).map(toVersion);
  }
}

/** The columns an object and each of its versions store alike, in their table order (blob_id ... tags). */
function storedColumns(r: ObjectRecord): unknown[] {
  return [r.blobId, r.size, r.etag, r.lastModified, JSON.stringify(r.headers), JSON.stringify(r.metadata), JSON.stringify(r.checksums), JSON.stringify(r.tags)];
}
