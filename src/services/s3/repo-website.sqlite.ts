/** Website configurations, one per bucket. */
import type { Db, Migration, SqliteStore as Store } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';

export const S3_WEBSITE_MIGRATIONS: Migration[] = [
  `CREATE TABLE s3_website_configs (
     bucket TEXT PRIMARY KEY,
     config TEXT NOT NULL
   );`,
];

export class SqliteS3WebsiteRepo {
  private readonly sql: Prepare;

  constructor(
    db: Db,
    private readonly store: Store,
  ) {
    this.sql = statementCache(db);
  }

  config(bucket: string): string | undefined {
    const row = this.sql('SELECT config FROM s3_website_configs WHERE bucket = ?').get(bucket) as { config: string } | undefined;
    return row?.config;
  }

  /** Stores (or, with undefined, removes) a bucket's configuration, durably. */
  set(bucket: string, config: string | undefined): Promise<void> {
    return this.store.write(() => this.setNow(bucket, config));
  }

  /** The same inside a write already under way (a bucket's deletion). */
  setNow(bucket: string, config: string | undefined): void {
    if (config === undefined) this.sql('DELETE FROM s3_website_configs WHERE bucket = ?').run(bucket);
    else this.sql('INSERT OR REPLACE INTO s3_website_configs (bucket, config) VALUES (?, ?)').run(bucket, config);
  }
}
