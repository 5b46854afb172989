/** Multipart uploads in SQLite: all SQL of uploads and parts lives here. */
import type { AclRequest } from './engine/acl.js';
import type { ChecksumAlgorithm } from '../../protocols/checksums.js';
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { ChecksumType, PartRecord, S3MultipartRepo, UploadPage, UploadRecord, UploadState } from './repo-multipart.js';

/** The multipart repo on SQLite (Store.repo's factory); applies its migrations (component `s3-multipart`). */
export function sqliteS3MultipartRepo(conn: SqliteConnection): S3MultipartRepo {
  conn.migrate('s3-multipart', S3_MULTIPART_MIGRATIONS);
  conn.migrate('s3-multipart-sse', [`ALTER TABLE s3_uploads ADD COLUMN sse TEXT; ALTER TABLE s3_uploads ADD COLUMN lock TEXT;`]);
  return new SqliteS3MultipartRepo(statementCache(conn.db));
}

const S3_MULTIPART_MIGRATIONS: Migration[] = [
  // seq (AUTOINCREMENT: never reused) orders uploads of one key by initiation, as S3 lists
  // them; keys compare with BINARY collation (UTF-8 byte order), as object keys do.
  // blob_id is set only while completing; the partial index serves the sweep's question.
  `CREATE TABLE s3_uploads (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     upload_id TEXT NOT NULL UNIQUE,
     bucket TEXT NOT NULL,
     key TEXT NOT NULL,
     account TEXT NOT NULL,
     initiated INTEGER NOT NULL,
     headers TEXT NOT NULL,
     metadata TEXT NOT NULL,
     tags TEXT NOT NULL,
     checksum_algorithm TEXT,
     checksum_type TEXT,
     state TEXT NOT NULL,
     blob_id TEXT,
     result TEXT,
     completed_at INTEGER
   );
   CREATE INDEX s3_uploads_list ON s3_uploads (bucket, key, seq);
   CREATE INDEX s3_uploads_blob ON s3_uploads (blob_id) WHERE blob_id IS NOT NULL;
   CREATE INDEX s3_uploads_completed ON s3_uploads (completed_at) WHERE state = 'completed';
   CREATE TABLE s3_upload_parts (
     upload_id TEXT NOT NULL,
     part_number INTEGER NOT NULL,
     blob_id TEXT NOT NULL,
     size INTEGER NOT NULL,
     etag TEXT NOT NULL,
     last_modified INTEGER NOT NULL,
     checksum TEXT,
     PRIMARY KEY (upload_id, part_number)
   ) WITHOUT ROWID;
   CREATE INDEX s3_upload_parts_blob ON s3_upload_parts (blob_id);`,
  // The ACL asked for on CreateMultipartUpload (UploadRecord.acl), given to the object.
  `ALTER TABLE s3_uploads ADD COLUMN acl TEXT;`,
];

interface UploadRow {
  seq: number;
  upload_id: string;
  bucket: string;
  key: string;
  account: string;
  initiated: number;
  headers: string;
  metadata: string;
  tags: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  acl: string | null;
  state: string;
  blob_id: string | null;
  result: string | null;
  sse: string | null;
  lock: string | null;
}

interface PartRow {
  upload_id: string;
  part_number: number;
  blob_id: string;
  size: number;
  etag: string;
  last_modified: number;
  checksum: string | null;
}

const toUpload = (r: UploadRow): UploadRecord => ({
  seq: r.seq,
  uploadId: r.upload_id,
  bucket: r.bucket,
  key: r.key,
  account: r.account,
  initiated: r.initiated,
  headers: JSON.parse(r.headers) as Record<string, string>,
  metadata: JSON.parse(r.metadata) as Record<string, string>,
  tags: JSON.parse(r.tags) as Record<string, string>,
  checksumAlgorithm: (r.checksum_algorithm ?? undefined) as ChecksumAlgorithm | undefined,
  checksumType: (r.checksum_type ?? undefined) as ChecksumType | undefined,
  state: r.state as UploadState,
  blobId: r.blob_id ?? undefined,
  result: r.result === null ? undefined : (JSON.parse(r.result) as UploadRecord['result']),
  ...(r.sse ? { sse: JSON.parse(r.sse) as UploadRecord['sse'] } : {}),
  ...(r.lock ? { lock: JSON.parse(r.lock) as UploadRecord['lock'] } : {}),
  ...(r.acl ? { acl: JSON.parse(r.acl) as AclRequest } : {}),
});

const toPart = (r: PartRow): PartRecord => ({
  uploadId: r.upload_id,
  partNumber: r.part_number,
  blobId: r.blob_id,
  size: r.size,
  etag: r.etag,
  lastModified: r.last_modified,
  checksum: r.checksum ?? undefined,
});

/** The greatest code point: every key starting with a prefix sorts below prefix + this. */
const AFTER_ALL = '\u{10FFFF}';
const LISTED = "state IN ('open', 'completing')";

class SqliteS3MultipartRepo implements S3MultipartRepo {
  constructor(private readonly sql: Prepare) {}

  async upload(uploadId: string, _tx?: Tx): Promise<UploadRecord | undefined> {
    const row = this.sql('SELECT * FROM s3_uploads WHERE upload_id = ?').get(uploadId) as UploadRow | undefined;
    return row && toUpload(row);
  }

  async insertUpload(tx: Tx, u: Omit<UploadRecord, 'seq' | 'state'>): Promise<number> {
    liveTx(tx);
    const r = this.sql(
      `INSERT INTO s3_uploads (upload_id, bucket, key, account, initiated, headers, metadata, tags, checksum_algorithm, checksum_type, state, sse, lock, acl)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
    ).run(
      u.uploadId, u.bucket, u.key, u.account, u.initiated, JSON.stringify(u.headers), JSON.stringify(u.metadata), JSON.stringify(u.tags), u.checksumAlgorithm ?? null, u.checksumType ?? null,
      u.sse ? JSON.stringify(u.sse) : null, u.lock ? JSON.stringify(u.lock) : null, u.acl ? JSON.stringify(u.acl) : null,
    );
    return Number(r.lastInsertRowid);
  }

  async updateUpload(tx: Tx, u: Pick<UploadRecord, 'uploadId' | 'state' | 'blobId' | 'result'>, completedAt?: number): Promise<void> {
    liveTx(tx);
    this.update(u, completedAt);
  }

  async deleteUpload(tx: Tx, uploadId: string): Promise<PartRecord[]> {
    liveTx(tx);
    const parts = this.allParts(uploadId);
    this.sql('DELETE FROM s3_upload_parts WHERE upload_id = ?').run(uploadId);
    this.sql('DELETE FROM s3_uploads WHERE upload_id = ?').run(uploadId);
    return parts;
  }

  async listUploads(bucket: string, page: UploadPage, _tx?: Tx): Promise<UploadRecord[]> {
    const end = page.prefix + AFTER_ALL;
    let rows: unknown[];
    if (page.afterKey === undefined || page.afterKey < page.prefix) {
      rows = this.sql(`SELECT * FROM s3_uploads WHERE bucket = ? AND key >= ? AND key < ? AND ${LISTED} ORDER BY key, seq LIMIT ?`).all(bucket, page.prefix, end, page.limit);
    } else {
      // (key, seq) > (afterKey, afterSeq), spelled so that the (bucket, key, seq) index serves it.
      rows = this.sql(
        `SELECT * FROM s3_uploads WHERE bucket = ? AND key >= ? AND key < ? AND (key > ? OR seq > ?) AND ${LISTED}
           ORDER BY key, seq LIMIT ?`,
      ).all(bucket, page.afterKey, end, page.afterKey, page.afterSeq ?? Number.MAX_SAFE_INTEGER, page.limit);
    }
    return (rows as UploadRow[]).map(toUpload);
  }

  async completingUploads(): Promise<UploadRecord[]> {
    return (this.sql("SELECT * FROM s3_uploads WHERE state = 'completing'").all() as UploadRow[]).map(toUpload);
  }

  async finishUpload(tx: Tx, uploadId: string, result: UploadRecord['result'], completedAt: number, pruneBefore: number): Promise<PartRecord[]> {
    liveTx(tx);
    const parts = this.allParts(uploadId);
    this.sql('DELETE FROM s3_upload_parts WHERE upload_id = ?').run(uploadId);
    this.update({ uploadId, state: 'completed', blobId: undefined, result }, completedAt);
    this.sql("DELETE FROM s3_uploads WHERE state = 'completed' AND completed_at < ?").run(pruneBefore);
    return parts;
  }

  async deleteBucketUploads(tx: Tx, bucket: string): Promise<string[]> {
    liveTx(tx);
    const ids = this.sql(
      `SELECT p.blob_id AS id FROM s3_uploads u JOIN s3_upload_parts p ON p.upload_id = u.upload_id WHERE u.bucket = ?
         UNION ALL SELECT blob_id AS id FROM s3_uploads WHERE bucket = ? AND blob_id IS NOT NULL`,
    ).all(bucket, bucket) as { id: string }[];
    this.sql('DELETE FROM s3_upload_parts WHERE upload_id IN (SELECT upload_id FROM s3_uploads WHERE bucket = ?)').run(bucket);
    this.sql('DELETE FROM s3_uploads WHERE bucket = ?').run(bucket);
    return ids.map((r) => r.id);
  }

  async part(uploadId: string, partNumber: number, _tx?: Tx): Promise<PartRecord | undefined> {
    const row = this.sql('SELECT * FROM s3_upload_parts WHERE upload_id = ? AND part_number = ?').get(uploadId, partNumber) as PartRow | undefined;
    return row && toPart(row);
  }

  async putPart(tx: Tx, p: PartRecord): Promise<string | undefined> {
    liveTx(tx);
    const replaced = this.sql('SELECT blob_id FROM s3_upload_parts WHERE upload_id = ? AND part_number = ?').get(p.uploadId, p.partNumber) as { blob_id: string } | undefined;
    this.sql(
      `INSERT OR REPLACE INTO s3_upload_parts (upload_id, part_number, blob_id, size, etag, last_modified, checksum)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(p.uploadId, p.partNumber, p.blobId, p.size, p.etag, p.lastModified, p.checksum ?? null);
    return replaced?.blob_id;
  }

  async parts(uploadId: string, after: number, limit: number, _tx?: Tx): Promise<PartRecord[]> {
    const rows = this.sql('SELECT * FROM s3_upload_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?').all(uploadId, after, limit) as PartRow[];
    return rows.map(toPart);
  }

  async blobReferenced(blobId: string, _tx?: Tx): Promise<boolean> {
    return (
      this.sql('SELECT 1 FROM s3_upload_parts WHERE blob_id = ? LIMIT 1').get(blobId) !== undefined ||
      this.sql('SELECT 1 FROM s3_uploads WHERE blob_id = ? LIMIT 1').get(blobId) !== undefined
    );
  }

  private allParts(uploadId: string): PartRecord[] {
    return (this.sql('SELECT * FROM s3_upload_parts WHERE upload_id = ? ORDER BY part_number').all(uploadId) as PartRow[]).map(toPart);
  }

  private update(u: Pick<UploadRecord, 'uploadId' | 'state' | 'blobId' | 'result'>, completedAt?: number): void {
    this.sql('UPDATE s3_uploads SET state = ?, blob_id = ?, result = ?, completed_at = ? WHERE upload_id = ?').run(
      u.state,
      u.blobId ?? null,
      u.result === undefined ? null : JSON.stringify(u.result),
      completedAt ?? null,
      u.uploadId,
    );
  }
}
