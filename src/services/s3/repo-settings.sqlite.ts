/** Bucket settings (default encryption, object lock) on SQLite, in their own migration list (`s3-settings`). */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { BucketSettingsRecord, S3SettingsRepo } from './repo-settings.js';

const MIGRATIONS: Migration[] = [
  `CREATE TABLE s3_bucket_settings (
     bucket TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     encryption TEXT,
     object_lock TEXT
   ) WITHOUT ROWID;`,
];

export function sqliteS3SettingsRepo(conn: SqliteConnection): S3SettingsRepo {
  conn.migrate('s3-settings', MIGRATIONS);
  return new SqliteS3SettingsRepo(statementCache(conn.db));
}

interface Row {
  bucket: string;
  created_at: number;
  encryption: string | null;
  object_lock: string | null;
}

class SqliteS3SettingsRepo implements S3SettingsRepo {
  constructor(private readonly sql: Prepare) {}

  async all(): Promise<BucketSettingsRecord[]> {
    return (this.sql('SELECT * FROM s3_bucket_settings').all() as Row[]).map((r) => ({
      bucket: r.bucket,
      createdAt: r.created_at,
      ...(r.encryption ? { encryption: JSON.parse(r.encryption) as BucketSettingsRecord['encryption'] } : {}),
      ...(r.object_lock ? { objectLock: JSON.parse(r.object_lock) as BucketSettingsRecord['objectLock'] } : {}),
    }));
  }

  async put(tx: Tx, s: BucketSettingsRecord): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO s3_bucket_settings (bucket, created_at, encryption, object_lock) VALUES (?, ?, ?, ?)').run(
      s.bucket,
      s.createdAt,
      s.encryption ? JSON.stringify(s.encryption) : null,
      s.objectLock ? JSON.stringify(s.objectLock) : null,
    );
  }
}
