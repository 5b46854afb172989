/** Event notification storage in SQLite (see repo-notifications.ts). */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { OutboxEntry, S3NotificationRepo } from './repo-notifications.js';

const S3_NOTIFICATION_MIGRATIONS: Migration[] = [
  `CREATE TABLE s3_notification_configs (
     bucket TEXT PRIMARY KEY,
     config TEXT NOT NULL
   );
   CREATE TABLE s3_event_outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     queue_arn TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // Who the event is sent for (the bucket and its owner, for the destination's policy), fixed
  // when the event is written: the bucket may be gone by the time it is delivered.
  `ALTER TABLE s3_event_outbox ADD COLUMN source_arn TEXT;
   ALTER TABLE s3_event_outbox ADD COLUMN source_account TEXT;`,
];

/** The notifications' repo on SQLite (Store.repo's factory). */
export function sqliteS3NotificationRepo(conn: SqliteConnection): S3NotificationRepo {
  conn.migrate('s3-notifications', S3_NOTIFICATION_MIGRATIONS);
  return new SqliteS3NotificationRepo(statementCache(conn.db));
}

class SqliteS3NotificationRepo implements S3NotificationRepo {
  constructor(private readonly sql: Prepare) {}

  async config(bucket: string, _tx?: Tx): Promise<string | undefined> {
    return (this.sql('SELECT config FROM s3_notification_configs WHERE bucket = ?').pluck().get(bucket) as string | undefined) ?? undefined;
  }

  async setConfig(tx: Tx, bucket: string, config: string | undefined): Promise<void> {
    liveTx(tx);
    if (config === undefined) this.sql('DELETE FROM s3_notification_configs WHERE bucket = ?').run(bucket);
    else this.sql('INSERT OR REPLACE INTO s3_notification_configs (bucket, config) VALUES (?, ?)').run(bucket, config);
  }

  async enqueue(tx: Tx, events: Array<{ queueArn: string; body: string }>, at: number, source: { sourceArn: string; sourceAccount: string }): Promise<void> {
    liveTx(tx);
    const insert = this.sql('INSERT INTO s3_event_outbox (queue_arn, body, created_at, source_arn, source_account) VALUES (?, ?, ?, ?, ?)');
    for (const e of events) insert.run(e.queueArn, e.body, at, source.sourceArn, source.sourceAccount);
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    return this.sql(
      'SELECT seq, queue_arn AS queueArn, body, source_arn AS sourceArn, source_account AS sourceAccount FROM s3_event_outbox ORDER BY seq LIMIT ?',
    ).all(limit) as OutboxEntry[];
  }

  async done(tx: Tx, seqs: number[]): Promise<void> {
    liveTx(tx);
    const del = this.sql('DELETE FROM s3_event_outbox WHERE seq = ?');
    for (const s of seqs) del.run(s);
  }
}
