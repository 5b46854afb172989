/**
 * Event notification storage: each bucket's NotificationConfiguration, and the outbox of
 * events written in the same commit as the object change that caused them, so no event is
 * lost to a crash between the change and the delivery.
 */
import type { Db, Migration } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';

export const S3_NOTIFICATION_MIGRATIONS: Migration[] = [
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

export interface OutboxEntry {
  seq: number;
  queueArn: string;
  body: string;
  /** The bucket's ARN and its owner (null for events written before these were kept). */
  sourceArn: string | null;
  sourceAccount: string | null;
}

export class SqliteS3NotificationRepo {
  private readonly sql: Prepare;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  config(bucket: string): string | undefined {
    return (this.sql('SELECT config FROM s3_notification_configs WHERE bucket = ?').pluck().get(bucket) as string | undefined) ?? undefined;
  }

  setConfig(bucket: string, config: string | undefined): void {
    if (config === undefined) this.sql('DELETE FROM s3_notification_configs WHERE bucket = ?').run(bucket);
    else this.sql('INSERT OR REPLACE INTO s3_notification_configs (bucket, config) VALUES (?, ?)').run(bucket, config);
  }

  enqueue(queueArn: string, body: string, at: number, source: { sourceArn: string; sourceAccount: string }): void {
    this.sql('INSERT INTO s3_event_outbox (queue_arn, body, created_at, source_arn, source_account) VALUES (?, ?, ?, ?, ?)').run(queueArn, body, at, source.sourceArn, source.sourceAccount);
  }

  pending(limit: number): OutboxEntry[] {
    return this.sql(
      'SELECT seq, queue_arn AS queueArn, body, source_arn AS sourceArn, source_account AS sourceAccount FROM s3_event_outbox ORDER BY seq LIMIT ?',
    ).all(limit) as OutboxEntry[];
  }

  done(seqs: number[]): void {
    const del = this.sql('DELETE FROM s3_event_outbox WHERE seq = ?');
    for (const s of seqs) del.run(s);
  }
}
