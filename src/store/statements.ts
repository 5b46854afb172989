/**
 * Prepared statements, prepared once per SQL text: preparing is a large part of a cheap
 * query's cost (it showed as 8–11% of S3's small-object requests in a profile).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './sqlite.js';

export type Prepare = (sql: string) => Statement;

export function statementCache(db: Db): Prepare {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
}
