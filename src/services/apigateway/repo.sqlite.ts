/**
 * API Gateway's tables in SQLite: one JSON document per (kind, id), and named counters.
 */
import { statementCache, type Prepare } from '../../store/statements.js';
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import type { Tx } from '../../store/store.js';
import type { ApiGatewayRepo, StoredDocument } from './repo.js';

const MIGRATIONS: Migration[] = [
  `CREATE TABLE apigateway_documents (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE TABLE apigateway_counters (
     key TEXT PRIMARY KEY,
     value INTEGER NOT NULL
   );`,
];

/** The factory `Store.repo` calls on SQLite: applies the migrations, then builds the repo. */
export function sqliteApiGatewayRepo(conn: SqliteConnection): ApiGatewayRepo {
  conn.migrate('apigateway', MIGRATIONS);
  return new SqliteApiGatewayRepo(statementCache(conn.db));
}

class SqliteApiGatewayRepo implements ApiGatewayRepo {
  constructor(private readonly sql: Prepare) {}

  async allDocuments(_tx?: Tx): Promise<StoredDocument[]> {
    return (this.sql('SELECT doc FROM apigateway_documents ORDER BY kind, id').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as StoredDocument);
  }

  async putDocument(tx: Tx, doc: StoredDocument): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO apigateway_documents (kind, id, doc) VALUES (?, ?, ?)').run(doc.kind, doc.id, JSON.stringify(doc));
  }

  async deleteDocument(tx: Tx, kind: string, id: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM apigateway_documents WHERE kind = ? AND id = ?').run(kind, id);
  }

  async counter(key: string, _tx?: Tx): Promise<number> {
    const row = this.sql('SELECT value FROM apigateway_counters WHERE key = ?').get(key) as { value: number } | undefined;
    return row?.value ?? 0;
  }

  async addToCounter(tx: Tx, key: string, delta: number): Promise<number> {
    liveTx(tx);
    const row = this.sql('INSERT INTO apigateway_counters (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + excluded.value RETURNING value').get(key, delta) as {
      value: number;
    };
    return row.value;
  }

  async deleteCounters(tx: Tx, prefix: string): Promise<void> {
    liveTx(tx);
    // substr, not LIKE: a prefix holding % or _ must match itself only.
    this.sql('DELETE FROM apigateway_counters WHERE substr(key, 1, length(?)) = ?').run(prefix, prefix);
  }
}
