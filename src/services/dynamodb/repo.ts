/**
 * DynamoDB's storage interface. Keys arrive already encoded as order-preserving bytes
 * (engine/values.ts encodeKeyValue), so every backend orders them with a plain byte compare;
 * items travel as their JSON text.
 */
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
  /** Exclusive start: [sk] for a table, [sk, tablePk, tableSk] for an index. */
  after?: Buffer[];
  limit: number;
}

export interface ScanRead {
  source: number;
  index: boolean;
  /** Half-open range of key hashes: a Scan segment. */
  hashFrom: number;
  hashTo: number;
  /** Exclusive start: [hash, pk, sk] (+ [tablePk, tableSk] for an index). */
  after?: [number, ...Buffer[]];
  limit: number;
}

export interface StoredRow {
  pk: Buffer;
  sk: Buffer;
  /** For index rows, the table key of the item. */
  tpk?: Buffer;
  tsk?: Buffer;
  hash: number;
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

export interface DynamoRepo {
  loadTables(): TableMeta[];
  nextId(counter: 'table' | 'index' | 'stream'): number;
  saveTable(meta: TableMeta): void;
  /** Removes the table; its items and index rows are purged later in small steps. */
  dropTable(meta: TableMeta): void;
  /** Deletes up to `limit` rows of dropped tables and indexes; returns how many went. */
  purgeStep(limit: number): number;
  dropIndex(indexId: number): void;

  getItem(tableId: number, pk: Buffer, sk: Buffer): string | undefined;
  putItem(w: ItemWrite): void;
  deleteItem(tableId: number, pk: Buffer, sk: Buffer): void;
  putIndexRow(w: IndexRowWrite): void;
  deleteIndexRow(indexId: number, pk: Buffer, sk: Buffer, tpk: Buffer, tsk: Buffer): void;
  readRange(r: RangeRead): StoredRow[];
  scan(r: ScanRead): StoredRow[];
  stats(tableId: number, index: boolean): { count: number; size: number };
  /** Items whose TTL (epoch seconds) lies in [fromSeconds, toSeconds], oldest first. */
  expired(tableId: number, fromSeconds: number, toSeconds: number, limit: number): StoredRow[];
  /** Recomputes expires_at for every item of a table (TTL enabled, disabled or renamed). */
  setExpiry(tableId: number, attribute: string | undefined): void;

  insertStream(s: StreamRow): void;
  disableStream(id: number, at: number): void;
  streams(): StreamRow[];
  appendRecord(streamId: number, r: StreamRecordRow): void;
  readRecords(streamId: number, afterSeq: number, limit: number): StreamRecordRow[];
  /** First and last sequence numbers a stream still holds. */
  streamBounds(streamId: number): { first: number | null; last: number | null };
  /** Highest sequence number ever used, to resume numbering after a restart. */
  maxSequence(): number;
  /** Drops records older than `before` (epoch ms) and streams disabled before it. */
  trimStreams(before: number): void;

  idempotentResult(key: string, now: number): { hash: string; result: string } | undefined;
  saveIdempotentResult(key: string, hash: string, result: string, expiresAt: number): void;
}
