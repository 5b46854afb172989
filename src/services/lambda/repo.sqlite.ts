/**
 * The functions service's tables in SQLite: one JSON document per function, one per event source
 * mapping (with its reading position), and the durable queue of asynchronous invocations.
 * Writers call the `*Now` methods inside `store.write`, so a change and what follows from it
 * (a version and its alias, an invocation and its retry) commit together.
 */
import { statementCache, type Prepare } from '../../store/statements.js';
import type { Db, Migration } from '../../store/sqlite.js';
import type { FunctionRecord } from './model.js';
import type { AsyncInvocation, LambdaRepo } from './repo.js';

export const LAMBDA_MIGRATIONS: Migration[] = [
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

export class SqliteLambdaRepo implements LambdaRepo {
  private readonly sql: Prepare;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  allFunctions(): FunctionRecord[] {
    return (this.sql('SELECT doc FROM lambda_functions').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as FunctionRecord);
  }

  putFunctionNow(key: string, doc: FunctionRecord): void {
    this.sql('INSERT OR REPLACE INTO lambda_functions (key, doc) VALUES (?, ?)').run(key, JSON.stringify(doc));
  }

  deleteFunctionNow(key: string): void {
    this.sql('DELETE FROM lambda_functions WHERE key = ?').run(key);
  }

  allMappings<T>(): T[] {
    return (this.sql('SELECT doc FROM lambda_event_source_mappings').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
  }

  putMappingNow(uuid: string, doc: unknown): void {
    this.sql('INSERT OR REPLACE INTO lambda_event_source_mappings (uuid, doc) VALUES (?, ?)').run(uuid, JSON.stringify(doc));
  }

  deleteMappingNow(uuid: string): void {
    this.sql('DELETE FROM lambda_event_source_mappings WHERE uuid = ?').run(uuid);
  }

  enqueueNow(inv: AsyncInvocation): void {
    this.sql('INSERT OR REPLACE INTO lambda_async_invocations (id, due, doc) VALUES (?, ?, ?)').run(inv.id, inv.due, JSON.stringify(inv));
  }

  removeInvocationNow(id: string): void {
    this.sql('DELETE FROM lambda_async_invocations WHERE id = ?').run(id);
  }

  /** Invocations due by `now`, oldest first. */
  dueInvocations(now: number, limit: number): AsyncInvocation[] {
    return (this.sql('SELECT doc FROM lambda_async_invocations WHERE due <= ? ORDER BY due LIMIT ?').all(now, limit) as { doc: string }[]).map(
      (r) => JSON.parse(r.doc) as AsyncInvocation,
    );
  }

  /** The earliest due time after `now` of any queued invocation. */
  nextDue(now: number): number | undefined {
    const row = this.sql('SELECT MIN(due) AS due FROM lambda_async_invocations WHERE due > ?').get(now) as { due: number | null };
    return row.due ?? undefined;
  }
}
