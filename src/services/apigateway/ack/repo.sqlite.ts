/**
 * The mailboxes of acknowledged delivery in SQLite: a row per mailbox (last seq given, last
 * seq acknowledged, messages held) and a row per held message, keyed by mailbox and seq.
 */
import { statementCache, type Prepare } from '../../../store/statements.js';
import { liveTx, type Migration, type SqliteConnection } from '../../../store/sqlite.js';
import type { Tx } from '../../../store/store.js';
import type { AppendResult, MailboxKey, MailboxMessage, MailboxRepo, MailboxState } from './repo.js';

const MIGRATIONS: Migration[] = [
  `CREATE TABLE apigateway_mailboxes (
     account_id TEXT NOT NULL,
     api_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     last_seq INTEGER NOT NULL,
     acked_seq INTEGER NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (account_id, api_id, client_id)
   ) WITHOUT ROWID;
   CREATE TABLE apigateway_mailbox_messages (
     account_id TEXT NOT NULL,
     api_id TEXT NOT NULL,
     client_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     body BLOB NOT NULL,
     PRIMARY KEY (account_id, api_id, client_id, seq)
   );
   CREATE INDEX apigateway_mailbox_messages_expiry ON apigateway_mailbox_messages (expires_at);`,
];

export function sqliteMailboxRepo(conn: SqliteConnection): MailboxRepo {
  conn.migrate('apigateway-mailboxes', MIGRATIONS);
  return new SqliteMailboxRepo(statementCache(conn.db));
}

const EMPTY: MailboxState = { lastSeq: 0, ackedSeq: 0, count: 0 };

class SqliteMailboxRepo implements MailboxRepo {
  constructor(private readonly sql: Prepare) {}

  async state(key: MailboxKey, _tx?: Tx): Promise<MailboxState> {
    return this.read(key);
  }

  private read(k: MailboxKey): MailboxState {
    const row = this.sql('SELECT last_seq, acked_seq, count FROM apigateway_mailboxes WHERE account_id = ? AND api_id = ? AND client_id = ?').get(k.accountId, k.apiId, k.clientId) as
      | { last_seq: number; acked_seq: number; count: number }
      | undefined;
    return row ? { lastSeq: row.last_seq, ackedSeq: row.acked_seq, count: row.count } : EMPTY;
  }

  async append(tx: Tx, k: MailboxKey, bodies: Buffer[], now: number, expiresAt: number, capacity: number): Promise<AppendResult> {
    liveTx(tx);
    let state = this.read(k);
    if (state.count + bodies.length > capacity) {
      // Expired messages make room before the mailbox is called full.
      const removed = this.sql('DELETE FROM apigateway_mailbox_messages WHERE account_id = ? AND api_id = ? AND client_id = ? AND expires_at <= ?').run(k.accountId, k.apiId, k.clientId, now).changes;
      if (removed) this.sql('UPDATE apigateway_mailboxes SET count = count - ? WHERE account_id = ? AND api_id = ? AND client_id = ?').run(removed, k.accountId, k.apiId, k.clientId);
      state = { ...state, count: state.count - removed };
    }
    const firstSeq = state.lastSeq + 1;
    const accepted = Math.max(0, Math.min(bodies.length, capacity - state.count));
    if (!accepted) return { firstSeq, accepted, count: state.count };
    this.sql(
      `INSERT INTO apigateway_mailboxes (account_id, api_id, client_id, last_seq, acked_seq, count) VALUES (?, ?, ?, ?, 0, ?)
       ON CONFLICT (account_id, api_id, client_id) DO UPDATE SET last_seq = excluded.last_seq, count = count + excluded.count`,
    ).run(k.accountId, k.apiId, k.clientId, firstSeq + accepted - 1, accepted);
    const insert = this.sql('INSERT INTO apigateway_mailbox_messages (account_id, api_id, client_id, seq, expires_at, body) VALUES (?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < accepted; i++) insert.run(k.accountId, k.apiId, k.clientId, firstSeq + i, expiresAt, bodies[i]!);
    return { firstSeq, accepted, count: state.count + accepted };
  }

  async ack(tx: Tx, k: MailboxKey, seq: number): Promise<{ ackedSeq: number; removed: number }> {
    liveTx(tx);
    const state = this.read(k);
    const upTo = Math.min(seq, state.lastSeq);
    if (upTo <= state.ackedSeq) return { ackedSeq: state.ackedSeq, removed: 0 };
    const removed = this.sql('DELETE FROM apigateway_mailbox_messages WHERE account_id = ? AND api_id = ? AND client_id = ? AND seq <= ?').run(k.accountId, k.apiId, k.clientId, upTo).changes;
    this.sql('UPDATE apigateway_mailboxes SET acked_seq = ?, count = count - ? WHERE account_id = ? AND api_id = ? AND client_id = ?').run(upTo, removed, k.accountId, k.apiId, k.clientId);
    return { ackedSeq: upTo, removed };
  }

  async pending(k: MailboxKey, afterSeq: number, upToSeq: number, now: number, limit: number): Promise<MailboxMessage[]> {
    const rows = this.sql(
      `SELECT seq, body, expires_at FROM apigateway_mailbox_messages
       WHERE account_id = ? AND api_id = ? AND client_id = ? AND seq > ? AND seq <= ? AND expires_at > ? ORDER BY seq LIMIT ?`,
    ).all(k.accountId, k.apiId, k.clientId, afterSeq, upToSeq, now, limit) as { seq: number; body: Buffer; expires_at: number }[];
    return rows.map((r) => ({ seq: r.seq, body: r.body, expiresAt: r.expires_at }));
  }

  async sweep(tx: Tx, now: number, limit: number): Promise<number> {
    liveTx(tx);
    const rows = this.sql(
      `DELETE FROM apigateway_mailbox_messages WHERE rowid IN (SELECT rowid FROM apigateway_mailbox_messages WHERE expires_at <= ? LIMIT ?)
       RETURNING account_id, api_id, client_id`,
    ).all(now, limit) as { account_id: string; api_id: string; client_id: string }[];
    const per = new Map<string, { k: string[]; n: number }>();
    for (const r of rows) {
      const id = `${r.account_id}\u0000${r.api_id}\u0000${r.client_id}`;
      const e = per.get(id) ?? per.set(id, { k: [r.account_id, r.api_id, r.client_id], n: 0 }).get(id)!;
      e.n++;
    }
    for (const { k, n } of per.values()) this.sql('UPDATE apigateway_mailboxes SET count = count - ? WHERE account_id = ? AND api_id = ? AND client_id = ?').run(n, ...k);
    return rows.length;
  }

  async nextExpiry(): Promise<number | undefined> {
    const row = this.sql('SELECT MIN(expires_at) AS at FROM apigateway_mailbox_messages').get() as { at: number | null };
    return row.at ?? undefined;
  }

  async backlog(): Promise<number> {
    return (this.sql('SELECT COALESCE(SUM(count), 0) AS n FROM apigateway_mailboxes').get() as { n: number }).n;
  }

  async deleteApi(tx: Tx, accountId: string, apiId: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM apigateway_mailbox_messages WHERE account_id = ? AND api_id = ?').run(accountId, apiId);
    this.sql('DELETE FROM apigateway_mailboxes WHERE account_id = ? AND api_id = ?').run(accountId, apiId);
  }
}
