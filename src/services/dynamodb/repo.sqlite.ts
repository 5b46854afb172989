/** DynamoDB storage in SQLite. All SQL of the service lives here. */
import type { Statement } from 'better-sqlite3';
import { liveTx, type Db, type Migration, type SqliteConnection } from '../../store/sqlite.js';
import type { Tx } from '../../store/store.js';
import { decodeHashPart } from './engine/keys.js';
import { partitionHash, tableKeyHash } from './engine/scan-order.js';
import { decodeKeyValue } from './engine/values.js';
import type { KeySchema, TableMeta } from './engine/table-meta.js';
import type { BackupRow, DynamoRepo, ExportRow, ImportRow, IndexRowWrite, ItemChange, ItemCursor, ItemWrite, RangeRead, ScanRead, StoredRow, StreamRecordRow, StreamRow } from './repo.js';

export const DYNAMODB_MIGRATIONS: Migration[] = [
  // Items of a table are keyed by (table id, partition key bytes, sort key bytes); the key
  // bytes order as DynamoDB orders keys, so range reads are index range scans. `hash` is a
  // hash of the partition key: scans walk (hash, pk, sk), which spreads partitions as
  // DynamoDB does and makes a Scan segment a hash range.
  `CREATE TABLE ddb_tables (
     id INTEGER PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     meta TEXT NOT NULL,
     UNIQUE (account, region, name)
   );
   CREATE TABLE ddb_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE ddb_items (
     table_id INTEGER NOT NULL,
     pk BLOB NOT NULL,
     sk BLOB NOT NULL,
     hash INTEGER NOT NULL,
     size INTEGER NOT NULL,
     expires_at INTEGER,
     item TEXT NOT NULL,
     PRIMARY KEY (table_id, pk, sk)
   ) WITHOUT ROWID;
   CREATE INDEX ddb_items_scan ON ddb_items (table_id, hash, pk, sk);
   CREATE INDEX ddb_items_ttl ON ddb_items (table_id, expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE ddb_index_rows (
     index_id INTEGER NOT NULL,
     pk BLOB NOT NULL,
     sk BLOB NOT NULL,
     tpk BLOB NOT NULL,
     tsk BLOB NOT NULL,
     hash INTEGER NOT NULL,
     size INTEGER NOT NULL,
     item TEXT NOT NULL,
     PRIMARY KEY (index_id, pk, sk, tpk, tsk)
   ) WITHOUT ROWID;
   CREATE INDEX ddb_index_rows_scan ON ddb_index_rows (index_id, hash, pk, sk, tpk, tsk);
   CREATE TABLE ddb_purge (kind TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (kind, id));
   CREATE TABLE ddb_streams (
     id INTEGER PRIMARY KEY,
     table_id INTEGER NOT NULL,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     table_name TEXT NOT NULL,
     arn TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL,
     view_type TEXT NOT NULL,
     key_schema TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     disabled_at INTEGER
   );
   CREATE TABLE ddb_stream_records (
     stream_id INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (stream_id, seq)
   ) WITHOUT ROWID;
   CREATE INDEX ddb_stream_records_age ON ddb_stream_records (created_at);
   CREATE TABLE ddb_idempotency (
     key TEXT PRIMARY KEY,
     hash TEXT NOT NULL,
     result TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );`,
  // Backups keep their items in ddb_items under a storage id of their own; point-in-time
  // recovery logs every change of a table after its base snapshot, in commit order.
  `CREATE TABLE ddb_backups (
     arn TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     table_name TEXT NOT NULL,
     table_arn TEXT NOT NULL,
     table_uuid TEXT NOT NULL,
     data_id INTEGER NOT NULL,
     meta TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     size_bytes INTEGER NOT NULL,
     item_count INTEGER NOT NULL
   );
   CREATE INDEX ddb_backups_account ON ddb_backups (account, region, created_at);
   CREATE TABLE ddb_changes (
     table_id INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     at INTEGER NOT NULL,
     pk BLOB NOT NULL,
     sk BLOB NOT NULL,
     hash INTEGER NOT NULL,
     item TEXT,
     PRIMARY KEY (table_id, seq)
   ) WITHOUT ROWID;`,
  `CREATE TABLE ddb_exports (
     arn TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     table_arn TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     description TEXT NOT NULL
   );
   CREATE INDEX ddb_exports_account ON ddb_exports (account, region, created_at);`,
  `CREATE TABLE ddb_imports (
     arn TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     region TEXT NOT NULL,
     table_arn TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     description TEXT NOT NULL
   );
   CREATE INDEX ddb_imports_account ON ddb_imports (account, region, created_at);`,
  // Scans walk partitions in DynamoDB's order: every stored hash becomes DynamoDB's partition
  // hash (engine/scan-order.ts) instead of FNV-1a over the key bytes.
  rehashPartitions,
  // Index rows with equal index keys in DynamoDB's order: by a hash of the item's table key.
  orderIndexRowsByTableKey,
];

/** A stored key that does not decode (never written by Nimbus) keeps what it had rather than stopping the start. */
function orElse(f: () => number, fallback: number): number {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** Adds each index row's table-key hash (from its table's key schema) and the indexes that read in its order. */
function orderIndexRowsByTableKey(db: Db): void {
  db.exec('ALTER TABLE ddb_index_rows ADD COLUMN th INTEGER NOT NULL DEFAULT 0');
  const tables = new Map<number, KeySchema>();
  for (const { meta } of db.prepare('SELECT meta FROM ddb_tables').all() as Array<{ meta: string }>) {
    const t = JSON.parse(meta) as TableMeta;
    for (const ix of t.indexes) tables.set(ix.id, t.key);
  }
  db.function('ddb_table_key_hash', { deterministic: true }, ((id: number, tpk: Buffer, tsk: Buffer) => {
    const key = tables.get(id);
    return key ? orElse(() => tableKeyHash(decodeHashPart(key, tpk)[0]!, key.range && tsk.length ? decodeKeyValue(key.range.type, tsk) : undefined), 0) : 0;
  }) as (...args: unknown[]) => number);
  db.exec(
    `UPDATE ddb_index_rows SET th = ddb_table_key_hash(index_id, tpk, tsk);
     DROP INDEX ddb_index_rows_scan;
     CREATE INDEX ddb_index_rows_scan ON ddb_index_rows (index_id, hash, pk, sk, th, tpk, tsk);
     CREATE INDEX ddb_index_rows_order ON ddb_index_rows (index_id, pk, sk, th, tpk, tsk);`,
  );
}

/**
 * Recomputes the hash of every item, index row and logged change from its stored partition
 * key and the key schema of what owns it: a table, an index, a backup, or a point-in-time
 * snapshot or restore source (which have their table's key). Rows of dropped tables, waiting
 * for the purge, keep theirs.
 */
function rehashPartitions(db: Db): void {
  const items = new Map<number, KeySchema>();
  const indexes = new Map<number, KeySchema>();
  for (const { meta } of db.prepare('SELECT meta FROM ddb_tables').all() as Array<{ meta: string }>) {
    const t = JSON.parse(meta) as TableMeta;
    for (const id of [t.id, t.pitr?.baseId, t.restore?.from]) if (id !== undefined) items.set(id, t.key);
    for (const ix of t.indexes) indexes.set(ix.id, ix.key);
  }
  for (const { id, meta } of db.prepare('SELECT data_id AS id, meta FROM ddb_backups').all() as Array<{ id: number; meta: string }>) {
    items.set(id, (JSON.parse(meta) as TableMeta).key);
  }
  const rehash = (owners: Map<number, KeySchema>) => (id: number, pk: Buffer, old: number) => {
    const schema = owners.get(id);
    return schema ? orElse(() => partitionHash(decodeHashPart(schema, pk)), old) : old;
  };
  db.function('ddb_item_hash', { deterministic: true }, rehash(items) as (...args: unknown[]) => number);
  db.function('ddb_index_hash', { deterministic: true }, rehash(indexes) as (...args: unknown[]) => number);
  db.exec(
    `UPDATE ddb_items SET hash = ddb_item_hash(table_id, pk, hash);
     UPDATE ddb_index_rows SET hash = ddb_index_hash(index_id, pk, hash);
     UPDATE ddb_changes SET hash = ddb_item_hash(table_id, pk, hash);`,
  );
}

interface RowShape {
  pk: Buffer;
  sk: Buffer;
  tpk?: Buffer;
  tsk?: Buffer;
  th?: number;
  hash: number;
  size?: number;
  item: string;
}

/** The factory `Store.repo` calls on SQLite: applies the migrations and builds the repo. */
export function sqliteDynamoRepo(conn: SqliteConnection): DynamoRepo {
  conn.migrate('dynamodb', DYNAMODB_MIGRATIONS);
  const repo = new SqliteDynamoRepo(conn.db);
  // Sequence numbers handed out in a batch that rolled back as a whole were never committed:
  // numbering resumes from what the database holds.
  conn.onRollback(() => repo.forgetSequence());
  return repo;
}

class SqliteDynamoRepo implements DynamoRepo {
  private readonly stmts = new Map<string, Statement>();
  /** The last stream sequence number handed out (read from the database on first use). */
  private seq: number | undefined;

  /** The hottest statements, prepared once (the item read plucked: the item text, no row object). */
  private readonly getItemStmt: Statement;
  private readonly putItemStmt: Statement;
  private readonly deleteItemStmt: Statement;
  private readonly putIndexRowStmt: Statement;
  private readonly deleteIndexRowStmt: Statement;
  private readonly appendRecordStmt: Statement;

  constructor(private readonly db: Db) {
    this.getItemStmt = db.prepare('SELECT item FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?').pluck();
    this.putItemStmt = db.prepare(
      `INSERT INTO ddb_items (table_id, pk, sk, hash, size, expires_at, item) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (table_id, pk, sk) DO UPDATE SET size = excluded.size, expires_at = excluded.expires_at, item = excluded.item`,
    );
    this.deleteItemStmt = db.prepare('DELETE FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?');
    this.putIndexRowStmt = db.prepare(
      `INSERT OR REPLACE INTO ddb_index_rows (index_id, pk, sk, tpk, tsk, th, hash, size, item) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteIndexRowStmt = db.prepare('DELETE FROM ddb_index_rows WHERE index_id = ? AND pk = ? AND sk = ? AND tpk = ? AND tsk = ?');
    this.appendRecordStmt = db.prepare('INSERT INTO ddb_stream_records (stream_id, seq, created_at, record) VALUES (?, ?, ?, ?)');
  }

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async snapshotItems(tx: Tx, fromId: number, toId: number): Promise<{ count: number; size: number }> {
    liveTx(tx);
    this.stmt(
      `INSERT OR REPLACE INTO ddb_items (table_id, pk, sk, hash, size, expires_at, item)
       SELECT ?, pk, sk, hash, size, NULL, item FROM ddb_items WHERE table_id = ?`,
    ).run(toId, fromId);
    return this.stmt('SELECT count(*) AS count, COALESCE(sum(size), 0) AS size FROM ddb_items WHERE table_id = ?').get(toId) as { count: number; size: number };
  }

  async copyItems(tx: Tx, fromId: number, toId: number, after: ItemCursor | undefined, limit: number): Promise<ItemCursor | undefined> {
    liveTx(tx);
    const rows = await this.readItems(fromId, after, limit, tx);
    const put = this.stmt(
      `INSERT OR REPLACE INTO ddb_items (table_id, pk, sk, hash, size, expires_at, item) VALUES (?, ?, ?, ?, ?, NULL, ?)`,
    );
    for (const r of rows) put.run(toId, r.pk, r.sk, r.hash, r.size ?? 0, r.item);
    if (rows.length < limit) return undefined;
    const last = rows[rows.length - 1]!;
    return [last.pk, last.sk];
  }

  async dropItems(tx: Tx, dataId: number): Promise<void> {
    liveTx(tx);
    this.stmt(`INSERT OR IGNORE INTO ddb_purge (kind, id) VALUES ('table', ?)`).run(dataId);
  }

  async saveBackup(tx: Tx, b: BackupRow): Promise<void> {
    liveTx(tx);
    this.stmt(
      `INSERT OR REPLACE INTO ddb_backups (arn, account, region, name, table_name, table_arn, table_uuid, data_id, meta, created_at, size_bytes, item_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(b.arn, b.account, b.region, b.name, b.tableName, b.tableArn, b.tableId, b.dataId, b.meta, b.createdAt, b.sizeBytes, b.itemCount);
  }

  async deleteBackup(tx: Tx, arn: string): Promise<void> {
    liveTx(tx);
    this.stmt('DELETE FROM ddb_backups WHERE arn = ?').run(arn);
  }

  async backups(account: string, region: string, _tx?: Tx): Promise<BackupRow[]> {
    const rows = this.stmt(
      `SELECT arn, account, region, name, table_name AS tableName, table_arn AS tableArn, table_uuid AS tableId, data_id AS dataId,
              meta, created_at AS createdAt, size_bytes AS sizeBytes, item_count AS itemCount
       FROM ddb_backups WHERE account = ? AND region = ? ORDER BY created_at, arn`,
    ).all(account, region) as BackupRow[];
    return rows;
  }

  async appendChange(tx: Tx, tableId: number, c: Omit<ItemChange, 'seq'>): Promise<void> {
    liveTx(tx);
    this.stmt(
      `INSERT INTO ddb_changes (table_id, seq, at, pk, sk, hash, item)
       VALUES (?, COALESCE((SELECT max(seq) FROM ddb_changes WHERE table_id = ?), 0) + 1, ?, ?, ?, ?, ?)`,
    ).run(tableId, tableId, c.at, c.pk, c.sk, c.hash, c.item);
  }

  async readChanges(tableId: number, afterSeq: number, until: number, limit: number, _tx?: Tx): Promise<ItemChange[]> {
    return this.stmt(
      'SELECT seq, at, pk, sk, hash, item FROM ddb_changes WHERE table_id = ? AND seq > ? AND at <= ? ORDER BY seq LIMIT ?',
    ).all(tableId, afterSeq, until, limit) as ItemChange[];
  }

  async dropChangesThrough(tx: Tx, tableId: number, seq: number): Promise<void> {
    liveTx(tx);
    this.stmt('DELETE FROM ddb_changes WHERE table_id = ? AND seq <= ?').run(tableId, seq);
  }

  async dropChanges(tx: Tx, tableId: number): Promise<void> {
    liveTx(tx);
    this.stmt('DELETE FROM ddb_changes WHERE table_id = ?').run(tableId);
  }

  async saveExport(tx: Tx, e: ExportRow): Promise<void> {
    liveTx(tx);
    this.saveJob('ddb_exports', e);
  }

  async exports(account: string, region: string, _tx?: Tx): Promise<ExportRow[]> {
    return this.jobs('ddb_exports', 'WHERE account = ? AND region = ?', account, region);
  }

  async exportsInProgress(_tx?: Tx): Promise<ExportRow[]> {
    return this.jobs('ddb_exports', "WHERE json_extract(description, '$.ExportStatus') = 'IN_PROGRESS'");
  }

  async saveImport(tx: Tx, i: ImportRow): Promise<void> {
    liveTx(tx);
    this.saveJob('ddb_imports', i);
  }

  async imports(account: string, region: string, _tx?: Tx): Promise<ImportRow[]> {
    return this.jobs('ddb_imports', 'WHERE account = ? AND region = ?', account, region);
  }

  async importsInProgress(_tx?: Tx): Promise<ImportRow[]> {
    return this.jobs('ddb_imports', "WHERE json_extract(description, '$.ImportStatus') = 'IN_PROGRESS'");
  }

  /**
   * Exports and imports are the same kind of row in two tables. An upsert, not a replace: a
   * row keeps its place among jobs made the same millisecond when its description changes.
   */
  private saveJob(table: 'ddb_exports' | 'ddb_imports', j: ExportRow | ImportRow): void {
    this.stmt(
      `INSERT INTO ${table} (arn, account, region, table_arn, created_at, description) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET description = excluded.description`,
    ).run(j.arn, j.account, j.region, j.tableArn, j.createdAt, j.description);
  }

  private jobs<T extends ExportRow | ImportRow>(table: 'ddb_exports' | 'ddb_imports', where: string, ...params: string[]): T[] {
    return this.stmt(
      `SELECT arn, account, region, table_arn AS tableArn, created_at AS createdAt, description FROM ${table} ${where} ORDER BY created_at, rowid`,
    ).all(...params) as T[];
  }

  async loadTables(_tx?: Tx): Promise<TableMeta[]> {
    return (this.stmt('SELECT meta FROM ddb_tables ORDER BY id').all() as { meta: string }[]).map((r) => JSON.parse(r.meta) as TableMeta);
  }

  async nextId(tx: Tx, counter: 'table' | 'index' | 'stream'): Promise<number> {
    liveTx(tx);
    const row = this.stmt(
      `INSERT INTO ddb_counters (name, value) VALUES (?, 1)
       ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
    ).get(counter) as { value: number };
    return row.value;
  }

  async saveTable(tx: Tx, meta: TableMeta): Promise<void> {
    liveTx(tx);
    this.stmt(
      `INSERT INTO ddb_tables (id, account, region, name, meta) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET meta = excluded.meta`,
    ).run(meta.id, meta.account, meta.region, meta.name, JSON.stringify(meta));
  }

  async dropTable(tx: Tx, meta: TableMeta): Promise<void> {
    liveTx(tx);
    this.stmt('DELETE FROM ddb_tables WHERE id = ?').run(meta.id);
    this.stmt(`INSERT OR IGNORE INTO ddb_purge (kind, id) VALUES ('table', ?)`).run(meta.id);
    for (const ix of meta.indexes) this.markIndexDropped(ix.id);
  }

  async dropIndex(tx: Tx, indexId: number): Promise<void> {
    liveTx(tx);
    this.markIndexDropped(indexId);
  }

  private markIndexDropped(indexId: number): void {
    this.stmt(`INSERT OR IGNORE INTO ddb_purge (kind, id) VALUES ('index', ?)`).run(indexId);
  }

  async purgeStep(tx: Tx, limit: number): Promise<number> {
    liveTx(tx);
    const next = this.stmt('SELECT kind, id FROM ddb_purge LIMIT 1').get() as { kind: string; id: number } | undefined;
    if (!next) return 0;
    const sql =
      next.kind === 'table'
        ? `DELETE FROM ddb_items WHERE (table_id, pk, sk) IN (SELECT table_id, pk, sk FROM ddb_items WHERE table_id = ? LIMIT ?)`
        : `DELETE FROM ddb_index_rows WHERE (index_id, pk, sk, tpk, tsk) IN
             (SELECT index_id, pk, sk, tpk, tsk FROM ddb_index_rows WHERE index_id = ? LIMIT ?)`;
    const removed = this.stmt(sql).run(next.id, limit).changes;
    if (removed < limit) this.stmt('DELETE FROM ddb_purge WHERE kind = ? AND id = ?').run(next.kind, next.id);
    return Math.max(removed, 1);
  }

  async getItem(tableId: number, pk: Buffer, sk: Buffer, _tx?: Tx): Promise<string | undefined> {
    return this.getItemStmt.get(tableId, pk, sk) as string | undefined;
  }

  async putItem(tx: Tx, w: ItemWrite): Promise<void> {
    liveTx(tx);
    this.putItemStmt.run(w.tableId, w.pk, w.sk, w.hash, w.size, w.expiresAt, w.item);
  }

  async deleteItem(tx: Tx, tableId: number, pk: Buffer, sk: Buffer): Promise<void> {
    liveTx(tx);
    this.deleteItemStmt.run(tableId, pk, sk);
  }

  async putIndexRow(tx: Tx, w: IndexRowWrite): Promise<void> {
    liveTx(tx);
    this.putIndexRowStmt.run(w.indexId, w.pk, w.sk, w.tpk, w.tsk, w.th, w.hash, w.size, w.item);
  }

  async putIndexRows(tx: Tx, rows: IndexRowWrite[]): Promise<void> {
    liveTx(tx);
    for (const w of rows) this.putIndexRowStmt.run(w.indexId, w.pk, w.sk, w.tpk, w.tsk, w.th, w.hash, w.size, w.item);
  }

  async deleteIndexRow(tx: Tx, indexId: number, pk: Buffer, sk: Buffer, tpk: Buffer, tsk: Buffer): Promise<void> {
    liveTx(tx);
    this.deleteIndexRowStmt.run(indexId, pk, sk, tpk, tsk);
  }

  async readRange(r: RangeRead, _tx?: Tx): Promise<StoredRow[]> {
    const [from, owner, key] = r.index ? ['ddb_index_rows', 'index_id', '(sk, th, tpk, tsk)'] : ['ddb_items', 'table_id', 'sk'];
    const cols = r.index ? 'pk, sk, th, tpk, tsk, hash, item' : 'pk, sk, hash, item';
    const where = [`${owner} = ?`, 'pk = ?'];
    const args: unknown[] = [r.source, r.pk];
    if (r.lower) {
      where.push(`sk ${r.lower.inclusive ? '>=' : '>'} ?`);
      args.push(r.lower.value);
    }
    if (r.upper) {
      where.push(`sk ${r.upper.inclusive ? '<=' : '<'} ?`);
      args.push(r.upper.value);
    }
    if (r.after) {
      where.push(`${key} ${r.forward ? '>' : '<'} (${r.after.map(() => '?').join(', ')})`);
      args.push(...r.after);
    }
    const dir = r.forward ? 'ASC' : 'DESC';
    const order = r.index ? `sk ${dir}, th ${dir}, tpk ${dir}, tsk ${dir}` : `sk ${dir}`;
    const sql = `SELECT ${cols} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    return this.stmt(sql).all(...args, r.limit) as RowShape[];
  }

  async scan(r: ScanRead, _tx?: Tx): Promise<StoredRow[]> {
    const [from, owner, key, cols] = r.index
      ? ['ddb_index_rows', 'index_id', '(hash, pk, sk, th, tpk, tsk)', 'pk, sk, th, tpk, tsk, hash, size, item']
      : ['ddb_items', 'table_id', '(hash, pk, sk)', 'pk, sk, hash, size, item'];
    const where = [`${owner} = ?`, 'hash >= ?', 'hash < ?'];
    // The lower bound starts at the exclusive start's hash, so SQLite seeks there instead of
    // filtering every row from the segment's start (which made paging quadratic).
    const args: unknown[] = [r.source, r.after ? Math.max(r.hashFrom, r.after[0]) : r.hashFrom, r.hashTo];
    if (r.after) {
      where.push(`${key} > (${r.after.map(() => '?').join(', ')})`);
      args.push(...r.after);
    }
    const sql = `SELECT ${cols} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${owner}, ${key.slice(1, -1)} LIMIT ?`;
    return this.stmt(sql).all(...args, r.limit) as RowShape[];
  }

  async readItems(tableId: number, after: ItemCursor | undefined, limit: number, _tx?: Tx): Promise<StoredRow[]> {
    // The primary key's own order: rows come straight off the table's b-tree, no index lookups.
    if (!after) return this.stmt('SELECT pk, sk, hash, size, item FROM ddb_items WHERE table_id = ? ORDER BY pk, sk LIMIT ?').all(tableId, limit) as RowShape[];
    return this.stmt(
      'SELECT pk, sk, hash, size, item FROM ddb_items WHERE table_id = ? AND pk >= ? AND (pk, sk) > (?, ?) ORDER BY pk, sk LIMIT ?',
    ).all(tableId, after[0], after[0], after[1], limit) as RowShape[];
  }

  async stats(id: number, index: boolean, _tx?: Tx): Promise<{ count: number; size: number }> {
    const sql = index
      ? 'SELECT count(*) AS count, COALESCE(sum(size), 0) AS size FROM ddb_index_rows WHERE index_id = ?'
      : 'SELECT count(*) AS count, COALESCE(sum(size), 0) AS size FROM ddb_items WHERE table_id = ?';
    return this.stmt(sql).get(id) as { count: number; size: number };
  }

  async expired(tableId: number, fromSeconds: number, toSeconds: number, limit: number, _tx?: Tx): Promise<StoredRow[]> {
    return this.stmt(
      `SELECT pk, sk, hash, item FROM ddb_items WHERE table_id = ? AND expires_at BETWEEN ? AND ?
       ORDER BY expires_at LIMIT ?`,
    ).all(tableId, fromSeconds, toSeconds, limit) as RowShape[];
  }

  async setExpiry(tx: Tx, tableId: number, attribute: string | undefined, after: ItemCursor | undefined, limit: number): Promise<ItemCursor | undefined> {
    liveTx(tx);
    const from = after ?? [Buffer.alloc(0), Buffer.alloc(0)];
    // The last item of this chunk, in key order; none: the chunk runs to the table's end.
    // (`pk >= ?` lets SQLite seek to the start instead of filtering from the table's start.)
    const last = this.stmt(
      `SELECT pk, sk FROM ddb_items WHERE table_id = ? AND pk >= ? AND (pk, sk) > (?, ?) ORDER BY pk, sk LIMIT 1 OFFSET ?`,
    ).get(tableId, from[0], ...from, limit - 1) as { pk: Buffer; sk: Buffer } | undefined;
    const upper = last ? 'AND pk <= ? AND (pk, sk) <= (?, ?)' : '';
    const bounds = last ? [tableId, from[0], ...from, last.pk, last.pk, last.sk] : [tableId, from[0], ...from];
    const range = `table_id = ? AND pk >= ? AND (pk, sk) > (?, ?) ${upper}`;
    if (attribute === undefined) {
      this.stmt(`UPDATE ddb_items SET expires_at = NULL WHERE ${range} AND expires_at IS NOT NULL`).run(...bounds);
    } else {
      // An item expires by its TTL attribute when that is a number (epoch seconds); DynamoDB
      // ignores any other type.
      const path = '$.' + JSON.stringify(attribute) + '.N';
      this.stmt(`UPDATE ddb_items SET expires_at = CAST(json_extract(item, ?) AS INTEGER) WHERE ${range}`).run(path, ...bounds);
    }
    return last ? [last.pk, last.sk] : undefined;
  }

  async insertStream(tx: Tx, s: StreamRow): Promise<void> {
    liveTx(tx);
    this.stmt(
      `INSERT INTO ddb_streams (id, table_id, account, region, table_name, arn, label, view_type, key_schema, created_at, disabled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(s.id, s.tableId, s.account, s.region, s.tableName, s.arn, s.label, s.viewType, s.keySchema, s.createdAt, s.disabledAt);
  }

  async disableStream(tx: Tx, id: number, at: number): Promise<void> {
    liveTx(tx);
    this.stmt('UPDATE ddb_streams SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL').run(at, id);
  }

  async streams(_tx?: Tx): Promise<StreamRow[]> {
    const rows = this.stmt('SELECT * FROM ddb_streams ORDER BY id').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as number,
      tableId: r.table_id as number,
      account: r.account as string,
      region: r.region as string,
      tableName: r.table_name as string,
      arn: r.arn as string,
      label: r.label as string,
      viewType: r.view_type as string,
      keySchema: r.key_schema as string,
      createdAt: r.created_at as number,
      disabledAt: (r.disabled_at as number | null) ?? null,
    }));
  }

  async nextSequence(tx: Tx): Promise<number> {
    liveTx(tx);
    this.seq ??= this.committedSequence();
    return ++this.seq;
  }

  /** After a batch rolled back as a whole: the numbers it took were never committed. */
  forgetSequence(): void {
    this.seq = undefined;
  }

  async appendRecord(tx: Tx, streamId: number, r: StreamRecordRow): Promise<void> {
    liveTx(tx);
    this.appendRecordStmt.run(streamId, r.seq, r.createdAt, r.record);
  }

  async readRecords(streamId: number, afterSeq: number, limit: number, _tx?: Tx): Promise<StreamRecordRow[]> {
    return this.stmt(
      'SELECT seq, created_at AS createdAt, record FROM ddb_stream_records WHERE stream_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ).all(streamId, afterSeq, limit) as StreamRecordRow[];
  }

  async streamBounds(streamId: number, _tx?: Tx): Promise<{ first: number | null; last: number | null }> {
    return this.stmt('SELECT MIN(seq) AS first, MAX(seq) AS last FROM ddb_stream_records WHERE stream_id = ?').get(streamId) as {
      first: number | null;
      last: number | null;
    };
  }

  async maxSequence(_tx?: Tx): Promise<number> {
    return this.committedSequence();
  }

  private committedSequence(): number {
    const row = this.stmt('SELECT COALESCE(MAX(seq), 0) AS seq FROM ddb_stream_records').get() as { seq: number };
    const counter = this.stmt(`SELECT value FROM ddb_counters WHERE name = 'sequence'`).get() as { value: number } | undefined;
    return Math.max(row.seq, counter?.value ?? 0);
  }

  async trimStreams(tx: Tx, before: number): Promise<void> {
    liveTx(tx);
    // Remember the highest sequence number before its records go, so numbering never goes back.
    this.stmt(
      `INSERT INTO ddb_counters (name, value) SELECT 'sequence', COALESCE(MAX(seq), 0) FROM ddb_stream_records WHERE true
       ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)`,
    ).run();
    this.stmt('DELETE FROM ddb_stream_records WHERE created_at < ?').run(before);
    this.stmt(`DELETE FROM ddb_streams WHERE disabled_at IS NOT NULL AND disabled_at < ?`).run(before);
  }

  async idempotentResult(key: string, now: number, _tx?: Tx): Promise<{ hash: string; result: string } | undefined> {
    return this.stmt('SELECT hash, result FROM ddb_idempotency WHERE key = ? AND expires_at > ?').get(key, now) as
      | { hash: string; result: string }
      | undefined;
  }

  async saveIdempotentResult(tx: Tx, key: string, hash: string, result: string, expiresAt: number): Promise<void> {
    liveTx(tx);
    this.stmt('DELETE FROM ddb_idempotency WHERE expires_at <= ?').run(expiresAt - 20 * 60_000);
    this.stmt('INSERT OR REPLACE INTO ddb_idempotency (key, hash, result, expires_at) VALUES (?, ?, ?, ?)').run(key, hash, result, expiresAt);
  }
}
