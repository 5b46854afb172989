/** Bucket logging configurations in SQLite; its own migration list (component `s3-logging`). */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { LoggingConfig } from './engine/logging.js';
import type { S3LoggingRepo, StoredLogging } from './repo-logging.js';

const S3_LOGGING_MIGRATIONS: Migration[] = [
  `CREATE TABLE s3_bucket_logging (
     bucket TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     config TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

export function sqliteS3LoggingRepo(conn: SqliteConnection): S3LoggingRepo {
  conn.migrate('s3-logging', S3_LOGGING_MIGRATIONS);
  return new SqliteS3LoggingRepo(statementCache(conn.db));
}

class SqliteS3LoggingRepo implements S3LoggingRepo {
  constructor(private readonly sql: Prepare) {}

  async all(): Promise<StoredLogging[]> {
    const rows = this.sql('SELECT bucket, created_at, config FROM s3_bucket_logging').all() as { bucket: string; created_at: number; config: string }[];
    return rows.map((r) => ({ bucket: r.bucket, createdAt: r.created_at, config: JSON.parse(r.config) as LoggingConfig }));
  }

  async put(tx: Tx, bucket: string, createdAt: number, config: LoggingConfig): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO s3_bucket_logging (bucket, created_at, config) VALUES (?, ?, ?)').run(bucket, createdAt, JSON.stringify(config));
  }

  async delete(tx: Tx, bucket: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM s3_bucket_logging WHERE bucket = ?').run(bucket);
  }
}
