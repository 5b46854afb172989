/**
 * Storage of bucket lifecycle configurations. Its own migration list (component `s3-lifecycle`)
 * keeps it apart from the other S3 tables. As with bucket tags, created_at ties a configuration
 * to one life of its bucket: a deleted bucket's leftover row never applies to a new bucket of
 * the same name (the sweeper removes such rows).
 */
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Db, Migration } from '../../store/sqlite.js';
import type { LifecycleConfig } from './engine/lifecycle.js';

export const S3_LIFECYCLE_MIGRATIONS: Migration[] = [
  `CREATE TABLE s3_bucket_lifecycle (
     bucket TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     config TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

export interface StoredLifecycle {
  bucket: string;
  createdAt: number;
  config: LifecycleConfig;
}

export interface S3LifecycleRepo {
  /** The configuration of the bucket created at `createdAt`, if it has one. */
  get(bucket: string, createdAt: number): LifecycleConfig | undefined;
  put(bucket: string, createdAt: number, config: LifecycleConfig): void;
  delete(bucket: string): void;
  /** Whether any configuration is stored (the sweeper sleeps while none is). */
  any(): boolean;
  /** Every stored configuration (stale ones of deleted buckets included), by bucket name. */
  all(): StoredLifecycle[];
}

export class SqliteS3LifecycleRepo implements S3LifecycleRepo {
  private readonly sql: Prepare;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get(bucket: string, createdAt: number): LifecycleConfig | undefined {
    const row = this.sql('SELECT config FROM s3_bucket_lifecycle WHERE bucket = ? AND created_at = ?').get(bucket, createdAt) as { config: string } | undefined;
    return row && (JSON.parse(row.config) as LifecycleConfig);
  }

  put(bucket: string, createdAt: number, config: LifecycleConfig): void {
    this.sql('INSERT OR REPLACE INTO s3_bucket_lifecycle (bucket, created_at, config) VALUES (?, ?, ?)').run(bucket, createdAt, JSON.stringify(config));
  }

  delete(bucket: string): void {
    this.sql('DELETE FROM s3_bucket_lifecycle WHERE bucket = ?').run(bucket);
  }

  any(): boolean {
    return this.sql('SELECT 1 FROM s3_bucket_lifecycle LIMIT 1').get() !== undefined;
  }

  all(): StoredLifecycle[] {
    const rows = this.sql('SELECT bucket, created_at, config FROM s3_bucket_lifecycle ORDER BY bucket').all() as Array<{ bucket: string; created_at: number; config: string }>;
    return rows.map((r) => ({ bucket: r.bucket, createdAt: r.created_at, config: JSON.parse(r.config) as LifecycleConfig }));
  }
}
