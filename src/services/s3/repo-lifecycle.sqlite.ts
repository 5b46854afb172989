/**
 * Storage of bucket lifecycle configurations in SQLite. Its own migration list (component
 * `s3-lifecycle`) keeps it apart from the other S3 tables.
 */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { LifecycleConfig } from './engine/lifecycle.js';
import type { S3LifecycleRepo, StoredLifecycle } from './repo-lifecycle.js';

const S3_LIFECYCLE_MIGRATIONS: Migration[] = [
  `CREATE TABLE s3_bucket_lifecycle (
     bucket TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     config TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

/** The lifecycle repo on SQLite (Store.repo's factory). */
export function sqliteS3LifecycleRepo(conn: SqliteConnection): S3LifecycleRepo {
  conn.migrate('s3-lifecycle', S3_LIFECYCLE_MIGRATIONS);
  return new SqliteS3LifecycleRepo(statementCache(conn.db));
}

class SqliteS3LifecycleRepo implements S3LifecycleRepo {
  constructor(private readonly sql: Prepare) {}

  async get(bucket: string, createdAt: number, _tx?: Tx): Promise<LifecycleConfig | undefined> {
    const row = this.sql('SELECT config FROM s3_bucket_lifecycle WHERE bucket = ? AND created_at = ?').get(bucket, createdAt) as { config: string } | undefined;
    return row && (JSON.parse(row.config) as LifecycleConfig);
  }

  async put(tx: Tx, bucket: string, createdAt: number, config: LifecycleConfig): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO s3_bucket_lifecycle (bucket, created_at, config) VALUES (?, ?, ?)').run(bucket, createdAt, JSON.stringify(config));
  }

  async delete(tx: Tx, bucket: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM s3_bucket_lifecycle WHERE bucket = ?').run(bucket);
  }

  async any(): Promise<boolean> {
    return this.sql('SELECT 1 FROM s3_bucket_lifecycle LIMIT 1').get() !== undefined;
  }

  async all(): Promise<StoredLifecycle[]> {
    const rows = this.sql('SELECT bucket, created_at, config FROM s3_bucket_lifecycle ORDER BY bucket').all() as Array<{ bucket: string; created_at: number; config: string }>;
    return rows.map((r) => ({ bucket: r.bucket, createdAt: r.created_at, config: JSON.parse(r.config) as LifecycleConfig }));
  }
}
