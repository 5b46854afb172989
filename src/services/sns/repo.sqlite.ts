/** SNS storage in SQLite. All SQL of the service lives here. */
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Tx } from '../../store/store.js';
import type { DedupEntry, DeliveryRecord, DeliveryRetry, NewDelivery, SnsMessageAttributes, SnsRepo, StoredMessage, SubscriptionRecord, TopicRecord } from './repo.js';

/** The SQLite repo factory for `store.repo({ sqlite })`: applies SNS's migrations. */
export function sqliteSnsRepo(conn: SqliteConnection): SnsRepo {
  conn.migrate('sns', SNS_MIGRATIONS);
  return new SqliteSnsRepo(conn);
}

export const SNS_MIGRATIONS: Migration[] = [
  `CREATE TABLE sns_topics (
     arn TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     attributes TEXT NOT NULL,
     tags TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX sns_topics_owner ON sns_topics (account, region, arn);
   CREATE TABLE sns_subscriptions (
     arn TEXT PRIMARY KEY,
     topic_arn TEXT NOT NULL,
     owner TEXT NOT NULL,
     protocol TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     attributes TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, arn);
   CREATE INDEX sns_subscriptions_owner ON sns_subscriptions (owner, arn);
   -- A published message, kept while one of its deliveries is pending.
   CREATE TABLE sns_messages (
     id INTEGER PRIMARY KEY,
     payload TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   -- The fan-out outbox: one row per (message, subscription) still to deliver.
   CREATE TABLE sns_deliveries (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     message_row INTEGER NOT NULL,
     subscription_arn TEXT NOT NULL,
     protocol TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     raw INTEGER NOT NULL,
     dlq_arn TEXT,
     attempts INTEGER NOT NULL,
     next_at INTEGER NOT NULL
   );
   CREATE INDEX sns_deliveries_message ON sns_deliveries (message_row);
   CREATE INDEX sns_deliveries_due ON sns_deliveries (next_at);
   CREATE TABLE sns_dedup (
     topic_arn TEXT NOT NULL,
     dedup_id TEXT NOT NULL,
     message_id TEXT NOT NULL,
     sequence_number TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (topic_arn, dedup_id)
   );
   CREATE INDEX sns_dedup_expiry ON sns_dedup (expires_at);`,
  // HTTP/HTTPS subscriptions: pending until confirmed with their token; every subscription's UnsubscribeURL token.
  `ALTER TABLE sns_subscriptions ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE sns_subscriptions ADD COLUMN token TEXT;
   ALTER TABLE sns_subscriptions ADD COLUMN unsubscribe_token TEXT;`,
  // Deliveries are drained per subscription (a lane each), in publish order.
  `CREATE INDEX sns_deliveries_lane ON sns_deliveries (subscription_arn, id);
   DROP INDEX sns_deliveries_due;`,
];

interface TopicRow {
  arn: string;
  account: string;
  region: string;
  name: string;
  attributes: string;
  tags: string;
  created_at: number;
}

interface SubscriptionRow {
  arn: string;
  topic_arn: string;
  owner: string;
  protocol: string;
  endpoint: string;
  attributes: string;
  created_at: number;
  pending: number;
  token: string | null;
  unsubscribe_token: string | null;
}

interface DeliveryRow {
  id: number;
  message_row: number;
  subscription_arn: string;
  protocol: string;
  endpoint: string;
  raw: number;
  dlq_arn: string | null;
  attempts: number;
  next_at: number;
}

const toTopic = (r: TopicRow): TopicRecord => ({
  arn: r.arn,
  account: r.account,
  region: r.region,
  name: r.name,
  attributes: JSON.parse(r.attributes),
  tags: JSON.parse(r.tags),
  createdAt: r.created_at,
});

const toSubscription = (r: SubscriptionRow): SubscriptionRecord => ({
  arn: r.arn,
  topicArn: r.topic_arn,
  owner: r.owner,
  protocol: r.protocol,
  endpoint: r.endpoint,
  attributes: JSON.parse(r.attributes),
  createdAt: r.created_at,
  ...(r.pending ? { pending: true } : {}),
  ...(r.token !== null ? { token: r.token } : {}),
  ...(r.unsubscribe_token !== null ? { unsubscribeToken: r.unsubscribe_token } : {}),
});

const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
  id: r.id,
  messageRow: r.message_row,
  subscriptionArn: r.subscription_arn,
  protocol: r.protocol,
  endpoint: r.endpoint,
  raw: r.raw === 1,
  dlqArn: r.dlq_arn,
  attempts: r.attempts,
  nextAt: r.next_at,
});

/** Message attributes as JSON: binary values as base64 text. */
function encodeMessage(m: StoredMessage): string {
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.attributes)) attributes[k] = v.BinaryValue ? { ...v, BinaryValue: v.BinaryValue.toString('base64') } : v;
  return JSON.stringify({ ...m, attributes });
}

function decodeMessage(text: string): StoredMessage {
  const m = JSON.parse(text) as StoredMessage & { attributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> };
  const attributes: SnsMessageAttributes = {};
  for (const [k, v] of Object.entries(m.attributes)) attributes[k] = v.BinaryValue !== undefined ? { ...v, BinaryValue: Buffer.from(v.BinaryValue, 'base64') } : { DataType: v.DataType, StringValue: v.StringValue };
  return { ...m, attributes };
}

class SqliteSnsRepo implements SnsRepo {
  private readonly sql: Prepare;

  constructor(conn: SqliteConnection) {
    this.sql = statementCache(conn.db);
  }

  async loadTopics(_tx?: Tx): Promise<TopicRecord[]> {
    return (this.sql('SELECT * FROM sns_topics').all() as TopicRow[]).map(toTopic);
  }

  async listTopics(account: string, region: string, afterArn: string, limit: number, _tx?: Tx): Promise<TopicRecord[]> {
    const rows = this.sql('SELECT * FROM sns_topics WHERE account = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?').all(account, region, afterArn, limit) as TopicRow[];
    return rows.map(toTopic);
  }

  async putTopic(tx: Tx, t: TopicRecord): Promise<void> {
    liveTx(tx);
    this.sql(
      `INSERT INTO sns_topics (arn, account, region, name, attributes, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes, tags = excluded.tags`,
    ).run(t.arn, t.account, t.region, t.name, JSON.stringify(t.attributes), JSON.stringify(t.tags), t.createdAt);
  }

  async deleteTopic(tx: Tx, arn: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM sns_deliveries WHERE subscription_arn IN (SELECT arn FROM sns_subscriptions WHERE topic_arn = ?)').run(arn);
    this.dropOrphanMessages();
    this.sql('DELETE FROM sns_topics WHERE arn = ?').run(arn);
    this.sql('DELETE FROM sns_subscriptions WHERE topic_arn = ?').run(arn);
    this.sql('DELETE FROM sns_dedup WHERE topic_arn = ?').run(arn);
  }

  async nextTopicSeq(tx: Tx, arn: string): Promise<number> {
    liveTx(tx);
    return this.sql('UPDATE sns_topics SET seq = seq + 1 WHERE arn = ? RETURNING seq').pluck().get(arn) as number;
  }

  async loadSubscriptions(_tx?: Tx): Promise<SubscriptionRecord[]> {
    return (this.sql('SELECT * FROM sns_subscriptions ORDER BY arn').all() as SubscriptionRow[]).map(toSubscription);
  }

  async listSubscriptions(account: string, region: string, afterArn: string, limit: number, _tx?: Tx): Promise<SubscriptionRecord[]> {
    const rows = this.sql(
      `SELECT s.* FROM sns_subscriptions s JOIN sns_topics t ON t.arn = s.topic_arn
       WHERE s.owner = ? AND t.region = ? AND s.arn > ? ORDER BY s.arn LIMIT ?`,
    ).all(account, region, afterArn, limit) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  async listSubscriptionsOfTopic(topicArn: string, afterArn: string, limit: number, _tx?: Tx): Promise<SubscriptionRecord[]> {
    const rows = this.sql('SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND arn > ? ORDER BY arn LIMIT ?').all(topicArn, afterArn, limit) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  async putSubscription(tx: Tx, s: SubscriptionRecord): Promise<void> {
    liveTx(tx);
    this.sql(
      `INSERT INTO sns_subscriptions (arn, topic_arn, owner, protocol, endpoint, attributes, created_at, pending, token, unsubscribe_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes, pending = excluded.pending, token = excluded.token, unsubscribe_token = excluded.unsubscribe_token`,
    ).run(s.arn, s.topicArn, s.owner, s.protocol, s.endpoint, JSON.stringify(s.attributes), s.createdAt, s.pending ? 1 : 0, s.token ?? null, s.unsubscribeToken ?? null);
  }

  async deleteSubscription(tx: Tx, arn: string): Promise<void> {
    liveTx(tx);
    // What was still to deliver to it is not delivered any more.
    if (this.sql('DELETE FROM sns_deliveries WHERE subscription_arn = ?').run(arn).changes > 0) this.dropOrphanMessages();
    this.sql('DELETE FROM sns_subscriptions WHERE arn = ?').run(arn);
  }

  async expirePending(tx: Tx, before: number): Promise<string[]> {
    liveTx(tx);
    const arns = this.sql('SELECT arn FROM sns_subscriptions WHERE pending = 1 AND created_at < ?').pluck().all(before) as string[];
    if (arns.length === 0) return arns;
    this.sql('DELETE FROM sns_deliveries WHERE subscription_arn IN (SELECT arn FROM sns_subscriptions WHERE pending = 1 AND created_at < ?)').run(before);
    this.dropOrphanMessages();
    this.sql('DELETE FROM sns_subscriptions WHERE pending = 1 AND created_at < ?').run(before);
    return arns;
  }

  async insertMessage(tx: Tx, m: StoredMessage, deliveries: NewDelivery[], now: number): Promise<void> {
    liveTx(tx);
    if (deliveries.length === 0) return;
    const row = this.sql('INSERT INTO sns_messages (payload, created_at) VALUES (?, ?)').run(encodeMessage(m), now).lastInsertRowid as number;
    const insert = this.sql(
      `INSERT INTO sns_deliveries (message_row, subscription_arn, protocol, endpoint, raw, dlq_arn, attempts, next_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
    );
    for (const d of deliveries) insert.run(row, d.subscriptionArn, d.protocol, d.endpoint, d.raw ? 1 : 0, d.dlqArn, now);
  }

  async hasPendingDeliveries(subscriptionArn: string, _tx?: Tx): Promise<boolean> {
    return this.sql('SELECT 1 FROM sns_deliveries WHERE subscription_arn = ? LIMIT 1').pluck().get(subscriptionArn) !== undefined;
  }

  async subscriptionsWithPending(_tx?: Tx): Promise<string[]> {
    return this.sql('SELECT DISTINCT subscription_arn FROM sns_deliveries').pluck().all() as string[];
  }

  async deliveriesOf(subscriptionArn: string, afterId: number, limit: number, _tx?: Tx): Promise<Array<{ delivery: DeliveryRecord; message: () => StoredMessage | undefined }>> {
    const rows = this.sql(
      `SELECT d.*, m.payload FROM sns_deliveries d LEFT JOIN sns_messages m ON m.id = d.message_row
       WHERE d.subscription_arn = ? AND d.id > ? ORDER BY d.id LIMIT ?`,
    ).all(subscriptionArn, afterId, limit) as Array<DeliveryRow & { payload: string | null }>;
    return rows.map((r) => ({ delivery: toDelivery(r), message: () => (r.payload === null ? undefined : decodeMessage(r.payload)) }));
  }

  /** Messages no delivery needs any more (the table holds only messages with pending deliveries). */
  private dropOrphanMessages(): void {
    this.sql('DELETE FROM sns_messages WHERE NOT EXISTS (SELECT 1 FROM sns_deliveries WHERE message_row = sns_messages.id)').run();
  }

  async settleDeliveries(tx: Tx, finished: number[], retries: DeliveryRetry[]): Promise<void> {
    liveTx(tx);
    if (retries.length) {
      const retry = this.sql('UPDATE sns_deliveries SET attempts = ?, next_at = ? WHERE id = ?');
      for (const r of retries) retry.run(r.attempts, r.nextAt, r.id);
    }
    if (finished.length === 0) return;
    const remove = this.sql('DELETE FROM sns_deliveries WHERE id = ? RETURNING message_row').pluck();
    const rows = new Set<number>();
    for (const id of finished) {
      const row = remove.get(id) as number | undefined;
      if (row !== undefined) rows.add(row);
    }
    const drop = this.sql('DELETE FROM sns_messages WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sns_deliveries WHERE message_row = ?)');
    for (const row of rows) drop.run(row, row);
  }

  async getDedup(topicArn: string, dedupId: string, _tx?: Tx): Promise<DedupEntry | undefined> {
    const r = this.sql('SELECT message_id, sequence_number, expires_at FROM sns_dedup WHERE topic_arn = ? AND dedup_id = ?').get(topicArn, dedupId) as
      | { message_id: string; sequence_number: string; expires_at: number }
      | undefined;
    return r && { messageId: r.message_id, sequenceNumber: r.sequence_number, expiresAt: r.expires_at };
  }

  async putDedup(tx: Tx, topicArn: string, dedupId: string, e: DedupEntry): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO sns_dedup (topic_arn, dedup_id, message_id, sequence_number, expires_at) VALUES (?, ?, ?, ?, ?)').run(
      topicArn,
      dedupId,
      e.messageId,
      e.sequenceNumber,
      e.expiresAt,
    );
  }

  async sweepDedup(tx: Tx, now: number): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM sns_dedup WHERE expires_at <= ?').run(now);
  }
}
