/** Website configurations in SQLite, one per bucket. */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { S3WebsiteRepo } from './repo-website.js';

const S3_WEBSITE_MIGRATIONS: Migration[] = [
  `CREATE TABLE s3_website_configs (
     bucket TEXT PRIMARY KEY,
     config TEXT NOT NULL
   );`,
];

/** The website configurations' repo on SQLite (Store.repo's factory). */
export function sqliteS3WebsiteRepo(conn: SqliteConnection): S3WebsiteRepo {
  conn.migrate('s3-website', S3_WEBSITE_MIGRATIONS);
  return new SqliteS3WebsiteRepo(statementCache(conn.db));
}

class SqliteS3WebsiteRepo implements S3WebsiteRepo {
  constructor(private readonly sql: Prepare) {}

  async config(bucket: string, _tx?: Tx): Promise<string | undefined> {
    const row = this.sql('SELECT config FROM s3_website_configs WHERE bucket = ?').get(bucket) as { config: string } | undefined;
    return row?.config;
  }

  async setConfig(tx: Tx, bucket: string, config: string | undefined): Promise<void> {
    liveTx(tx);
    if (config === undefined) this.sql('DELETE FROM s3_website_configs WHERE bucket = ?').run(bucket);
    else this.sql('INSERT OR REPLACE INTO s3_website_configs (bucket, config) VALUES (?, ?)').run(bucket, config);
  }
}
