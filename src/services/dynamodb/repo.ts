/**
 * DynamoDB's storage interface. Keys arrive already encoded as order-preserving bytes
 * (engine/values.ts encodeKeyValue), so every backend orders them with a plain byte compare;
 * items travel as their JSON text.
 */
import type { Tx } from '../../store/store.js';
import type { TableMeta } from './engine/table-meta.js';

/** Where a range read starts, ends and which way it goes. */
export interface RangeRead {
  /** Table id, or index id when `index` is true. */
  source: number;
  index: boolean;
  pk: Buffer;
  lower?: { value: Buffer; inclusive: boolean };
  upper?: { value: Buffer; inclusive: boolean };
  forward: boolean;
  /** Exclusive start: [sk] for a table, [sk, tableKeyHash, tablePk, tableSk] for an index. */
  after?: Array<Buffer | number>;
  limit: number;
}

export interface ScanRead {
  source: number;
  index: boolean;
  /** Half-open range of key hashes: a Scan segment. */
  hashFrom: number;
  hashTo: number;
  /** Exclusive start: [hash, pk, sk] (+ [tableKeyHash, tablePk, tableSk] for an index). */
  after?: [number, ...Array<Buffer | number>];
  limit: number;
}

export interface StoredRow {
  pk: Buffer;
  sk: Buffer;
  /** For index rows, the table key of the item. */
  tpk?: Buffer;
  tsk?: Buffer;
  /** For index rows, the hash of the item's table key: DynamoDB's order among equal index keys. */
  th?: number;
  hash: number;
  /** The stored size (itemSize) of the item or index row; scans return it. */
  size?: number;
  item: string;
}

export interface ItemWrite {
  tableId: number;
  pk: Buffer;
  sk: Buffer;
  hash: number;
  item: string;
  size: number;
  /** Epoch seconds the item's TTL attribute names, when TTL is on and the attribute is a number. */
  expiresAt: number | null;
}

export interface IndexRowWrite {
  indexId: number;
  pk: Buffer;
  sk: Buffer;
  tpk: Buffer;
  tsk: Buffer;
  hash: number;
  /** The hash of the item's table key (scan-order.ts tableKeyHash): orders rows with equal index keys. */
  th: number;
  item: string;
  size: number;
}

export interface StreamRecordRow {
  seq: number;
  createdAt: number;
  record: string;
}

export interface StreamRow {
  id: number;
  tableId: number;
  account: string;
  region: string;
  tableName: string;
  arn: string;
  label: string;
  viewType: string;
  createdAt: number;
  /** Epoch ms the stream was disabled (or its table deleted); records stay readable for 24 h. */
  disabledAt: number | null;
  keySchema: string;
}

/** An on-demand backup or a point-in-time base snapshot: a table's items kept under their own storage id. */
export interface BackupRow {
  arn: string;
  account: string;
  region: string;
  name: string;
  tableName: string;
  tableArn: string;
  tableId: string;
  /** The storage id the backup's items are kept under (never a live table's). */
  dataId: number;
  /** The table as it was (TableMeta as JSON). */
  meta: string;
  createdAt: number;
  sizeBytes: number;
  itemCount: number;
}

/** A table export to S3, as DescribeExport answers it. */
export interface ExportRow {
  arn: string;
  account: string;
  region: string;
  tableArn: string;
  createdAt: number;
  /** The ExportDescription as JSON. */
  description: string;
}

/** A table import from S3, as DescribeImport answers it (the description is the ImportTableDescription). */
export type ImportRow = ExportRow;

/** One change to an item of a table with point-in-time recovery on, in commit order. */
export interface ItemChange {
  seq: number;
  at: number;
  pk: Buffer;
  sk: Buffer;
  hash: number;
  /** The item after the change; null when deleted. */
  item: string | null;
}

/** Where a chunked rewrite of a table's items stands: the key (pk, sk) of the last item done, in key order. */
export type ItemCursor = [Buffer, Buffer];

/**
 * Every method returns a Promise. Methods that write take the store write's transaction
 * first; reads take it last, passed whenever they run inside a write (a networked backend
 * must then read that write's own changes).
 */
export interface DynamoRepo {
  loadTables(tx?: Tx): Promise<TableMeta[]>;
  nextId(tx: Tx, counter: 'table' | 'index' | 'stream'): Promise<number>;
  saveTable(tx: Tx, meta: TableMeta): Promise<void>;
  /** Removes the table; its items and index rows are purged later in small steps. */
  dropTable(tx: Tx, meta: TableMeta): Promise<void>;
  /** Deletes up to `limit` rows of dropped tables and indexes; returns how many went (0: nothing left). */
  purgeStep(tx: Tx, limit: number): Promise<number>;
  dropIndex(tx: Tx, indexId: number): Promise<void>;

  getItem(tableId: number, pk: Buffer, sk: Buffer, tx?: Tx): Promise<string | undefined>;
  putItem(tx: Tx, w: ItemWrite): Promise<void>;
  deleteItem(tx: Tx, tableId: number, pk: Buffer, sk: Buffer): Promise<void>;
  putIndexRow(tx: Tx, w: IndexRowWrite): Promise<void>;
  /** Many index rows at once (a chunk of a GSI backfill). */
  putIndexRows(tx: Tx, rows: IndexRowWrite[]): Promise<void>;
  deleteIndexRow(tx: Tx, indexId: number, pk: Buffer, sk: Buffer, tpk: Buffer, tsk: Buffer): Promise<void>;
  readRange(r: RangeRead, tx?: Tx): Promise<StoredRow[]>;
  scan(r: ScanRead, tx?: Tx): Promise<StoredRow[]>;
  /**
   * Up to `limit` items of a table after `after`, in key order (pk, then sk), each with its
   * size: the cheapest walk over a whole table, for rewrites that visit every item.
   */
  readItems(tableId: number, after: ItemCursor | undefined, limit: number, tx?: Tx): Promise<StoredRow[]>;
  stats(tableId: number, index: boolean, tx?: Tx): Promise<{ count: number; size: number }>;
  /** Items whose TTL (epoch seconds) lies in [fromSeconds, toSeconds], oldest first. */
  expired(tableId: number, fromSeconds: number, toSeconds: number, limit: number, tx?: Tx): Promise<StoredRow[]>;
  /**
   * Recomputes expires_at (from the number attribute named, or none) for up to `limit` items
   * after `after` in key order; returns the last item done, or undefined once the table's end
   * was reached (TTL enabled or disabled: a table is rewritten a chunk per write).
   */
  setExpiry(tx: Tx, tableId: number, attribute: string | undefined, after: ItemCursor | undefined, limit: number): Promise<ItemCursor | undefined>;

  insertStream(tx: Tx, s: StreamRow): Promise<void>;
  disableStream(tx: Tx, id: number, at: number): Promise<void>;
  streams(tx?: Tx): Promise<StreamRow[]>;
  /** The next stream sequence number: unique and growing in commit order across all streams. */
  nextSequence(tx: Tx): Promise<number>;
  appendRecord(tx: Tx, streamId: number, r: StreamRecordRow): Promise<void>;
  readRecords(streamId: number, afterSeq: number, limit: number, tx?: Tx): Promise<StreamRecordRow[]>;
  /** First and last sequence numbers a stream still holds. */
  streamBounds(streamId: number, tx?: Tx): Promise<{ first: number | null; last: number | null }>;
  /** Highest sequence number ever committed (records trimmed since included). */
  maxSequence(tx?: Tx): Promise<number>;
  /** Drops records older than `before` (epoch ms) and streams disabled before it. */
  trimStreams(tx: Tx, before: number): Promise<void>;

  /** Copies every item of one storage id to another in one statement (a backup's snapshot); returns [count, bytes]. */
  snapshotItems(tx: Tx, fromId: number, toId: number): Promise<{ count: number; size: number }>;
  /**
   * Copies up to `limit` items of `fromId` after `after` (key order) into `toId`, replacing
   * what is there; returns the last item copied, or undefined once the end was reached.
   */
  copyItems(tx: Tx, fromId: number, toId: number, after: ItemCursor | undefined, limit: number): Promise<ItemCursor | undefined>;
  /** Marks a storage id's items for the purge (a deleted backup, a dropped snapshot). */
  dropItems(tx: Tx, dataId: number): Promise<void>;
  saveBackup(tx: Tx, b: BackupRow): Promise<void>;
  deleteBackup(tx: Tx, arn: string): Promise<void>;
  /** Backups of an account and region, oldest first. */
  backups(account: string, region: string, tx?: Tx): Promise<BackupRow[]>;
  /** Records a change of a table with point-in-time recovery on. */
  appendChange(tx: Tx, tableId: number, change: Omit<ItemChange, 'seq'>): Promise<void>;
  /** Up to `limit` changes of a table with seq > afterSeq and at <= until, in order. */
  readChanges(tableId: number, afterSeq: number, until: number, limit: number, tx?: Tx): Promise<ItemChange[]>;
  /** Forgets a table's changes up to and including `seq` (folded into its base snapshot). */
  dropChangesThrough(tx: Tx, tableId: number, seq: number): Promise<void>;
  /** Forgets a table's change log (recovery turned off, or the table gone). */
  dropChanges(tx: Tx, tableId: number): Promise<void>;

  saveExport(tx: Tx, e: ExportRow): Promise<void>;
  /** Exports of an account and region, oldest first. */
  exports(account: string, region: string, tx?: Tx): Promise<ExportRow[]>;
  /** Exports still IN_PROGRESS, of every account (to resume after a restart), oldest first. */
  exportsInProgress(tx?: Tx): Promise<ExportRow[]>;
  saveImport(tx: Tx, i: ImportRow): Promise<void>;
  /** Imports of an account and region, in the order made. */
  imports(account: string, region: string, tx?: Tx): Promise<ImportRow[]>;
  /** Imports still IN_PROGRESS, of every account (to resume after a restart), in the order made. */
  importsInProgress(tx?: Tx): Promise<ImportRow[]>;

  idempotentResult(key: string, now: number, tx?: Tx): Promise<{ hash: string; result: string } | undefined>;
  saveIdempotentResult(tx: Tx, key: string, hash: string, result: string, expiresAt: number): Promise<void>;
}
