/**
 * Storage for the S3 features added beside the core tables: bucket tag sets. Its own
 * migration list (component `s3-extras`) keeps it apart from S3_MIGRATIONS, which others extend.
 */
import type { Db, Migration } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';

export const S3_EXTRAS_MIGRATIONS: Migration[] = [
  // created_at ties a tag set to one life of the bucket: a deleted bucket's leftover row never
  // applies to a new bucket of the same name.
  `CREATE TABLE s3_bucket_tags (
     bucket TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     tags TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

export interface S3ExtrasRepo {
  /** The tag set of the bucket created at `createdAt`, if it has one. */
  bucketTags(bucket: string, createdAt: number): Record<string, string> | undefined;
  putBucketTags(bucket: string, createdAt: number, tags: Record<string, string>): void;
  deleteBucketTags(bucket: string): void;
}

export class SqliteS3ExtrasRepo implements S3ExtrasRepo {
  private readonly sql: Prepare;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  bucketTags(bucket: string, createdAt: number): Record<string, string> | undefined {
    const row = this.sql('SELECT tags FROM s3_bucket_tags WHERE bucket = ? AND created_at = ?').get(bucket, createdAt) as { tags: string } | undefined;
    return row && (JSON.parse(row.tags) as Record<string, string>);
  }

  putBucketTags(bucket: string, createdAt: number, tags: Record<string, string>): void {
    this.sql('INSERT OR REPLACE INTO s3_bucket_tags (bucket, created_at, tags) VALUES (?, ?, ?)').run(bucket, createdAt, JSON.stringify(tags));
  }

  deleteBucketTags(bucket: string): void {
    this.sql('DELETE FROM s3_bucket_tags WHERE bucket = ?').run(bucket);
  }
}
