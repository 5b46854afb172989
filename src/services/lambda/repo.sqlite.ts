/**
 * The functions service's tables in SQLite: one JSON document per function, one per event source
 * mapping (with its reading position), and the durable queue of asynchronous invocations.
 * Writers pass the transaction of their `store.write`, so a change and what follows from it
 * (a version and its alias, an invocation and its retry) commit together.
 */
import { statementCache, type Prepare } from '../../store/statements.js';
import { liveTx, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import type { Tx } from '../../store/store.js';
import type { FunctionRecord } from './model.js';
import type { AsyncInvocation, LambdaRepo, PendingInvocations } from './repo.js';

const LAMBDA_MIGRATIONS: Migration[] = [
  `CREATE TABLE lambda_functions (
     key TEXT PRIMARY KEY,
     doc TEXT NOT NULL
   );
   CREATE TABLE lambda_event_source_mappings (
     uuid TEXT PRIMARY KEY,
     doc TEXT NOT NULL
   );
   CREATE TABLE lambda_async_invocations (
     id TEXT PRIMARY KEY,
     due INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX lambda_async_due ON lambda_async_invocations (due);`,
];

/** The factory `Store.repo` calls on SQLite: applies the service's migrations, then builds the repo. */
export function sqliteLambdaRepo(conn: SqliteConnection): LambdaRepo {
  conn.migrate('lambda', LAMBDA_MIGRATIONS);
  return new SqliteLambdaRepo(statementCache(conn.db));
}

class SqliteLambdaRepo implements LambdaRepo {
  constructor(private readonly sql: Prepare) {}

  async allFunctions(_tx?: Tx): Promise<FunctionRecord[]> {
    return (this.sql('SELECT doc FROM lambda_functions').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as FunctionRecord);
  }

  async putFunction(tx: Tx, key: string, doc: FunctionRecord): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO lambda_functions (key, doc) VALUES (?, ?)').run(key, JSON.stringify(doc));
  }

  async deleteFunction(tx: Tx, key: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM lambda_functions WHERE key = ?').run(key);
  }

  async allMappings<T>(_tx?: Tx): Promise<T[]> {
    return (this.sql('SELECT doc FROM lambda_event_source_mappings').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
  }

  async putMapping(tx: Tx, uuid: string, doc: unknown): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO lambda_event_source_mappings (uuid, doc) VALUES (?, ?)').run(uuid, JSON.stringify(doc));
  }

  async deleteMapping(tx: Tx, uuid: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM lambda_event_source_mappings WHERE uuid = ?').run(uuid);
  }

  async enqueueInvocation(tx: Tx, inv: AsyncInvocation): Promise<void> {
    liveTx(tx);
    this.sql('INSERT OR REPLACE INTO lambda_async_invocations (id, due, doc) VALUES (?, ?, ?)').run(inv.id, inv.due, JSON.stringify(inv));
  }

  async removeInvocation(tx: Tx, id: string): Promise<void> {
    liveTx(tx);
    this.sql('DELETE FROM lambda_async_invocations WHERE id = ?').run(id);
  }

  async pendingInvocations(now: number, limit: number, _tx?: Tx): Promise<PendingInvocations> {
    const due = (this.sql('SELECT doc FROM lambda_async_invocations WHERE due <= ? ORDER BY due LIMIT ?').all(now, limit) as { doc: string }[]).map(
      (r) => JSON.parse(r.doc) as AsyncInvocation,
    );
    const next = this.sql('SELECT MIN(due) AS due FROM lambda_async_invocations WHERE due > ?').get(now) as { due: number | null };
    return { due, nextDue: next.due ?? undefined };
  }
}
