/**
 * Storage for the S3 features added beside the core tables: bucket tag sets. Its own
 * migration list (component `s3-extras`) keeps it apart from the core S3 migrations.
 */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { S3ExtrasRepo } from './repo-extras.js';

const S3_EXTRAS_MIGRATIONS: Migration[] = [
  // created_at ties a tag set to one life of the bucket: a deleted bucket's leftover row never
  // applies to a new bucket of the same name.
  `CREATE TABLE s3_bucket_tags (
     bucket TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     tags TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

/** The bucket tags' repo on SQLite (Store.repo's factory). */
export function sqliteS3ExtrasRepo(conn: SqliteConnection): S3ExtrasRepo {
  conn.migrate('s3-extras', S3_EXTRAS_MIGRATIONS);
  return new SqliteS3ExtrasRepo(statementCache(conn.db));
}

class SqliteS3ExtrasRepo implements S3ExtrasRepo {
  constructor(private readonly sql: Prepare) {}

  async bucketTags(bucket: string, createdAt: number, _tx?: Tx): Promise<Record<string, string> | undefined> {
    const row = this.sql('SELECT tags FROM s3_bucket_tags WHERE bucket = ? AND created_at = ?').get(bucket, createdAt) as { tags: string } | undefined;
    return row && (JSON.parse(row.tags) as Record<string, string>);
  }

  async putBucketTags(tx: Tx, bucket: string, createdAt: number, tags: Record<string, string>): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO s3_bucket_tags (bucket, created_at, tags) VALUES (?, ?, ?)').run(bucket, createdAt, JSON.stringify(tags));
  }

  async deleteBucketTags(tx: Tx, bucket: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM s3_bucket_tags WHERE bucket = ?').run(bucket);
  }
}
