/**
 * CloudFront's table in SQLite: one JSON document per (kind, id).
 */
import { statementCache, type Prepare } from '../../store/statements.js';
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import type { Tx } from '../../store/store.js';
import type { CloudFrontRepo, StoredDocument } from './repo.js';

const MIGRATIONS: Migration[] = [
  `CREATE TABLE cloudfront_documents (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   );`,
];

/** The factory `Store.repo` calls on SQLite: applies the migrations, then builds the repo. */
export function sqliteCloudFrontRepo(conn: SqliteConnection): CloudFrontRepo {
  conn.migrate('cloudfront', MIGRATIONS);
  return new SqliteCloudFrontRepo(statementCache(conn.db));
}

class SqliteCloudFrontRepo implements CloudFrontRepo {
  constructor(private readonly sql: Prepare) {}

  async allDocuments(_tx?: Tx): Promise<StoredDocument[]> {
    return (this.sql('SELECT doc FROM cloudfront_documents ORDER BY kind, id').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as StoredDocument);
  }

  async putDocument(tx: Tx, doc: StoredDocument): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO cloudfront_documents (kind, id, doc) VALUES (?, ?, ?)').run(doc.kind, doc.id, JSON.stringify(doc));
  }

  async deleteDocument(tx: Tx, kind: string, id: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM cloudfront_documents WHERE kind = ? AND id = ?').run(kind, id);
  }
}
