/** S3 storage in SQLite. All SQL of the service lives here. */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import type { Statement } from 'better-sqlite3';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { BucketRecord, CorsRule, ListPage, ObjectLock, ObjectOwnership, ObjectRecord, ObjectSse, PublicAccessBlock, S3ObjectRepo, S3Repo, VersioningState, VersionPage, VersionRecord } from './repo.js';

/** The buckets' repo on SQLite (Store.repo's factory); applies the S3 migrations. */
export function sqliteS3Repo(conn: SqliteConnection): S3Repo {
  conn.migrate('s3', S3_MIGRATIONS);
  return new SqliteS3Repo(statementCache(conn.db));
}

/** The objects' repo on SQLite (Store.repo's factory); applies the S3 migrations. */
export function sqliteS3ObjectRepo(conn: SqliteConnection): S3ObjectRepo {
  conn.migrate('s3', S3_MIGRATIONS);
  conn.migrate('s3-sse', S3_SSE_MIGRATIONS);
  return new SqliteS3ObjectRepo(statementCache(conn.db));
}

const S3_MIGRATIONS: Migration[] = [
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
  // Object ownership controls (BucketRecord.ownership); buckets made before them have none.
  `ALTER TABLE s3_buckets ADD COLUMN ownership TEXT;`,
  // A multipart object's part sizes (ObjectRecord.parts), a JSON array.
  `ALTER TABLE s3_objects ADD COLUMN parts TEXT;
   ALTER TABLE s3_object_versions ADD COLUMN parts TEXT;`,
];

/**
 * Encryption and object lock (ObjectRecord.sse, .lock) as JSON, in a migration list of their
 * own (component `s3-sse`) beside the core one. NULL sse: a body stored before encryption.
 */
const S3_SSE_MIGRATIONS: Migration[] = [
  `ALTER TABLE s3_objects ADD COLUMN sse TEXT;
   ALTER TABLE s3_objects ADD COLUMN lock TEXT;
   ALTER TABLE s3_object_versions ADD COLUMN sse TEXT;
   ALTER TABLE s3_object_versions ADD COLUMN lock TEXT;`,
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
  ownership: string | null;
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
  ...(r.ownership !== null ? { ownership: r.ownership as ObjectOwnership } : {}),
});

/** Buckets: few, read through the engine's registry; the SQL is plain. */
class SqliteS3Repo implements S3Repo {
  constructor(private readonly sql: Prepare) {}

  async bucket(name: string, _tx?: Tx): Promise<BucketRecord | undefined> {
    const row = this.sql('SELECT * FROM s3_buckets WHERE name = ?').get(name) as Row | undefined;
    return row && toRecord(row);
  }

  async buckets(account: string, _tx?: Tx): Promise<BucketRecord[]> {
    return (this.sql('SELECT * FROM s3_buckets WHERE account = ? ORDER BY name').all(account) as Row[]).map(toRecord);
  }

  async allBuckets(): Promise<BucketRecord[]> {
    return (this.sql('SELECT * FROM s3_buckets ORDER BY name').all() as Row[]).map(toRecord);
  }

  async insertBucket(tx: Tx, b: BucketRecord): Promise<void> {
    liveTx(tx);
    this.sql('INSERT INTO s3_buckets (name, account, region, created_at, acl) VALUES (?, ?, ?, ?, ?)').run(b.name, b.account, b.region, b.createdAt, b.acl);
    if (b.policy !== undefined || b.publicAccessBlock || b.cors || b.versioning || b.ownership) this.update(b);
  }

  async updateBucket(tx: Tx, b: BucketRecord): Promise<void> {
    liveTx(tx);
    this.update(b);
  }

  async deleteBucket(tx: Tx, name: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM s3_buckets WHERE name = ?').run(name);
  }

  private update(b: BucketRecord): void {
    this.sql('UPDATE s3_buckets SET policy = ?, acl = ?, public_access_block = ?, cors = ?, versioning = ? WHERE name = ?').run(
      b.policy ?? null,
      b.acl,
      b.publicAccessBlock ? JSON.stringify(b.publicAccessBlock) : null,
      b.cors ? JSON.stringify(b.cors) : null,
      b.versioning ?? null,
      b.name,
    );
    this.sql('UPDATE s3_buckets SET ownership = ? WHERE name = ?').run(b.ownership ?? null, b.name);
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
  sse: string | null;
  lock: string | null;
  /** Absent from listings' column lists. */
  parts?: string | null;
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
  ...(r.sse ? { sse: JSON.parse(r.sse) as ObjectSse } : {}),
  ...(r.lock ? { lock: JSON.parse(r.lock) as ObjectLock } : {}),
  ...(r.parts ? partsOf(r.parts) : {}),
});

const toVersion = (r: VersionRow): VersionRecord => ({
  ...toObject({ ...r, version_id: r.version_id === NULL_ID ? null : r.version_id }),
  deleteMarker: r.is_delete_marker === 1,
  seq: r.seq,
});

/** The greatest code point: every key starting with a prefix sorts below prefix + this. */
const AFTER_ALL = '\u{10FFFF}';

/**
 * An object's row read as an array (better-sqlite3's raw mode): a row object costs the driver a
 * property per column, about a third of a small GetObject's lookup.
 */
const OBJECT_COLUMNS = 'bucket, key, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, version_id, body, acl, sse, lock, parts';
type RawObjectRow = [string, string, string, number, string, number, string, string, string, string, string | null, Buffer | null, string | null, string | null, string | null, string | null];
const fromRaw = (r: RawObjectRow): ObjectRow => ({
  bucket: r[0],
  key: r[1],
  blob_id: r[2],
  size: r[3],
  etag: r[4],
  last_modified: r[5],
  headers: r[6],
  metadata: r[7],
  checksums: r[8],
  tags: r[9],
  version_id: r[10],
  body: r[11],
  acl: r[12],
  sse: r[13],
  lock: r[14],
  parts: r[15],
});

class SqliteS3ObjectRepo implements S3ObjectRepo {
  private readonly objectRow: Statement;

  constructor(private readonly sql: Prepare) {
    this.objectRow = sql(`SELECT ${OBJECT_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ?`).raw(true);
  }

  async object(bucket: string, key: string, _tx?: Tx): Promise<ObjectRecord | undefined> {
    const row = this.objectRow.get(bucket, key) as RawObjectRow | undefined;
    return row && toObject(fromRaw(row));
  }

  async putObject(tx: Tx, o: ObjectRecord): Promise<void> {
    liveTx(tx);
    this.sql(
      `INSERT OR REPLACE INTO s3_objects (bucket, key, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, version_id, body, acl, sse, lock, parts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(o.bucket, o.key, ...storedColumns(o), o.versionId ?? null, o.body ?? null, o.acl ?? null, ...sseColumns(o), partsColumn(o));
  }

  async deleteObject(tx: Tx, bucket: string, key: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM s3_objects WHERE bucket = ? AND key = ?').run(bucket, key);
  }

  /** Listings leave small inline bodies out: a page of 1,000 objects never loads them. */
  async listObjects(bucket: string, page: ListPage, _tx?: Tx): Promise<ObjectRecord[]> {
    const from = page.after !== undefined && page.after >= page.prefix ? page.after : undefined;
    const rows =
      from !== undefined
        ? this.sql(
            'SELECT bucket, key, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, version_id, NULL AS body, acl, sse, lock FROM s3_objects WHERE bucket = ? AND key > ? AND key < ? ORDER BY key LIMIT ?',
          ).all(bucket, from, page.prefix + AFTER_ALL, page.limit)
        : this.sql(
            'SELECT bucket, key, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, version_id, NULL AS body, acl, sse, lock FROM s3_objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?',
          ).all(bucket, page.prefix, page.prefix + AFTER_ALL, page.limit);
    return (rows as ObjectRow[]).map(toObject);
  }

  async hasObjects(bucket: string, _tx?: Tx): Promise<boolean> {
    return (
      this.sql('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1').get(bucket) !== undefined ||
      this.sql('SELECT 1 FROM s3_object_versions WHERE bucket = ? LIMIT 1').get(bucket) !== undefined
    );
  }

  async blobReferenced(blobId: string, _tx?: Tx): Promise<boolean> {
    return (
      this.sql('SELECT 1 FROM s3_objects WHERE blob_id = ? LIMIT 1').get(blobId) !== undefined ||
      this.sql("SELECT 1 FROM s3_object_versions WHERE blob_id = ? AND blob_id <> '' LIMIT 1").get(blobId) !== undefined
    );
  }

  async version(bucket: string, key: string, versionId: string | undefined, _tx?: Tx): Promise<VersionRecord | undefined> {
    const row = this.sql('SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id = ?').get(bucket, key, versionId ?? NULL_ID) as
      | VersionRow
      | undefined;
    return row && toVersion(row);
  }

  async latestVersion(bucket: string, key: string, _tx?: Tx): Promise<VersionRecord | undefined> {
    const row = this.sql('SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1').get(bucket, key) as VersionRow | undefined;
    return row && toVersion(row);
  }

  async putVersion(tx: Tx, v: VersionRecord): Promise<void> {
    liveTx(tx);
    this.writeVersion(v);
  }

  async appendVersion(tx: Tx, v: Omit<VersionRecord, 'seq'>): Promise<number> {
    liveTx(tx);
    const row = this.sql('SELECT MAX(seq) AS seq FROM s3_object_versions WHERE bucket = ? AND key = ?').get(v.bucket, v.key) as { seq: number | null };
    const seq = (row.seq ?? 0) + 1;
    this.writeVersion({ ...v, seq });
    return seq;
  }

  async deleteVersion(tx: Tx, bucket: string, key: string, versionId: string | undefined): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id = ?').run(bucket, key, versionId ?? NULL_ID);
  }

  async listVersions(bucket: string, page: VersionPage, _tx?: Tx): Promise<VersionRecord[]> {
    const end = page.prefix + AFTER_ALL;
    const rows =
      page.afterKey === undefined || page.afterKey < page.prefix
        ? this.sql(
            'SELECT bucket, key, seq, version_id, is_delete_marker, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, NULL AS body, acl, sse, lock FROM s3_object_versions WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key, seq DESC LIMIT ?',
          ).all(bucket, page.prefix, end, page.limit)
        : this.sql(
            `SELECT bucket, key, seq, version_id, is_delete_marker, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, NULL AS body, acl, sse, lock FROM s3_object_versions WHERE bucket = ? AND key < ? AND ((key = ? AND seq < ?) OR key > ?)
               ORDER BY key, seq DESC LIMIT ?`,
          ).all(bucket, end, page.afterKey, page.beforeSeq ?? -1, page.afterKey, page.limit);
    return (rows as VersionRow[]).map(toVersion);
  }

  /** Inserts or replaces by (bucket, key, version id): a row of that id at another seq goes. */
  private writeVersion(v: VersionRecord): void {
    this.sql('DELETE FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id = ? AND seq <> ?').run(v.bucket, v.key, v.versionId ?? NULL_ID, v.seq);
    this.sql(
      `INSERT OR REPLACE INTO s3_object_versions
           (bucket, key, seq, version_id, is_delete_marker, blob_id, size, etag, last_modified, headers, metadata, checksums, tags, body, acl, sse, lock, parts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(v.bucket, v.key, v.seq, v.versionId ?? NULL_ID, v.deleteMarker ? 1 : 0, ...storedColumns(v), v.body ?? null, v.acl ?? null, ...sseColumns(v), partsColumn(v));
  }
}

/** The columns an object and each of its versions store alike, in their table order (blob_id ... tags). */

/**
 * The parts column: the part sizes as a JSON array, or, when the parts carry checksums,
 * `{"sizes": [...], "checksums": [...]}` (rows written before part checksums were kept hold the array).
 */
function partsColumn(o: ObjectRecord): string | null {
  if (!o.parts) return null;
  return JSON.stringify(o.partChecksums ? { sizes: o.parts, checksums: o.partChecksums } : o.parts);
}

function partsOf(column: string): Pick<ObjectRecord, 'parts' | 'partChecksums'> {
  const parsed = JSON.parse(column) as number[] | { sizes: number[]; checksums: string[] };
  return Array.isArray(parsed) ? { parts: parsed } : { parts: parsed.sizes, partChecksums: parsed.checksums };
}

function storedColumns(r: ObjectRecord): unknown[] {
  return [r.blobId, r.size, r.etag, r.lastModified, JSON.stringify(r.headers), JSON.stringify(r.metadata), JSON.stringify(r.checksums), JSON.stringify(r.tags)];
}

/** The s3-sse columns (sse, lock) of an object or version. */
function sseColumns(r: ObjectRecord): unknown[] {
  return [r.sse ? JSON.stringify(r.sse) : null, r.lock && Object.keys(r.lock).length ? JSON.stringify(r.lock) : null];
}
