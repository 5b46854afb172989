/** S3 storage in SQLite. All SQL of the service lives here. */
import type { Db, Migration } from '../../store/store.js';
import type { BucketRecord, S3Repo } from './repo.js';

export const S3_MIGRATIONS: Migration[] = [
  // Bucket names are global across accounts and regions, as in S3.
  `CREATE TABLE s3_buckets (
     name TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX s3_buckets_account ON s3_buckets (account, name);`,
];

interface Row {
  name: string;
  account: string;
  region: string;
  created_at: number;
}

const toRecord = (r: Row): BucketRecord => ({ name: r.name, account: r.account, region: r.region, createdAt: r.created_at });

export class SqliteS3Repo implements S3Repo {
  constructor(private readonly db: Db) {}

  bucket(name: string): BucketRecord | undefined {
    const row = this.db.prepare('SELECT * FROM s3_buckets WHERE name = ?').get(name) as Row | undefined;
    return row && toRecord(row);
  }

  buckets(account: string): BucketRecord[] {
    return (this.db.prepare('SELECT * FROM s3_buckets WHERE account = ? ORDER BY name').all(account) as Row[]).map(toRecord);
  }

  insertBucket(b: BucketRecord): void {
    this.db.prepare('INSERT INTO s3_buckets (name, account, region, created_at) VALUES (?, ?, ?, ?)').run(b.name, b.account, b.region, b.createdAt);
  }

  deleteBucket(name: string): void {
    this.db.prepare('DELETE FROM s3_buckets WHERE name = ?').run(name);
  }
}
