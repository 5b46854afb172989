/**
 * Reading and writing items together with everything that follows from a write: the rows of
 * every secondary index (projected, sparse) and the table's stream record. Every change to a
 * table's items goes through {@link ItemStore.apply}, inside a store write.
 */
import { setOwn } from '../../../lib/own.js';
import type { DynamoRepo } from '../repo.js';
import { indexKey, type EncodedKey } from './keys.js';
import type { ChangeCause, StreamLog } from './stream-log.js';
import type { IndexMeta, TableMeta } from './table-meta.js';
import type { Item } from './types.js';
import { itemSize } from './values.js';

export class ItemStore {
  constructor(
    private readonly repo: DynamoRepo,
    private readonly streams: StreamLog,
  ) {}

  /** The stored JSON text of an item (its wire form), without parsing it. */
  getText(meta: TableMeta, key: EncodedKey): string | undefined {
    return this.repo.getItem(meta.id, key.pk, key.sk);
  }

  get(meta: TableMeta, key: EncodedKey): Item | undefined {
    const text = this.repo.getItem(meta.id, key.pk, key.sk);
    return text === undefined ? undefined : (JSON.parse(text) as Item);
  }

  /**
   * Replaces `old` (undefined: no item, or one the caller chose not to read because nothing
   * depends on it) by `next` (undefined: delete). `size` is next's itemSize when known.
   */
  apply(meta: TableMeta, key: EncodedKey, old: Item | undefined, next: Item | undefined, cause: ChangeCause = 'user', size?: number): void {
    if (next) {
      this.repo.putItem({
        tableId: meta.id,
        pk: key.pk,
        sk: key.sk,
        hash: key.hash,
        item: JSON.stringify(next),
        size: size ?? itemSize(next),
        expiresAt: expiryOf(meta, next),
      });
    } else if (old) {
      this.repo.deleteItem(meta.id, key.pk, key.sk);
    }
    for (const ix of meta.indexes) this.updateIndex(ix, meta, key, old, next);
    this.streams.record(meta, old, next, cause);
  }

  private updateIndex(ix: IndexMeta, meta: TableMeta, key: EncodedKey, old: Item | undefined, next: Item | undefined): void {
    const before = old && indexKey(ix, old);
    const after = next && indexKey(ix, next);
    if (before && !(after && before.pk.equals(after.pk) && before.sk.equals(after.sk))) {
      this.repo.deleteIndexRow(ix.id, before.pk, before.sk, key.pk, key.sk);
    }
    if (after) {
      const projected = projectForIndex(meta, ix, next!);
      this.repo.putIndexRow({
        indexId: ix.id,
        pk: after.pk,
        sk: after.sk,
        tpk: key.pk,
        tsk: key.sk,
        hash: after.hash,
        item: JSON.stringify(projected),
        size: itemSize(projected),
      });
    }
  }

  /** Fills a new index with the table's current items (UpdateTable adding a GSI). */
  backfill(meta: TableMeta, ix: IndexMeta): void {
    let after: [number, ...Buffer[]] | undefined;
    for (;;) {
      const rows = this.repo.scan({ source: meta.id, index: false, hashFrom: 0, hashTo: 2 ** 32, after, limit: 1000 });
      for (const row of rows) this.updateIndex(ix, meta, { pk: row.pk, sk: row.sk, hash: row.hash }, undefined, JSON.parse(row.item) as Item);
      if (rows.length < 1000) return;
      const last = rows[rows.length - 1]!;
      after = [last.hash, last.pk, last.sk];
    }
  }
}

/** The attributes an index keeps of an item: its keys, the table's keys, and what the projection adds. */
export function projectForIndex(meta: TableMeta, ix: IndexMeta, item: Item): Item {
  if (ix.projection.type === 'ALL') return item;
  const keep = new Set<string>([meta.key.hash.name, ix.key.hash.name]);
  if (meta.key.range) keep.add(meta.key.range.name);
  if (ix.key.range) keep.add(ix.key.range.name);
  if (ix.projection.type === 'INCLUDE') for (const a of ix.projection.nonKeyAttributes ?? []) keep.add(a);
  const out: Item = {};
  for (const name of keep) if (Object.hasOwn(item, name)) setOwn(out, name, item[name]!);
  return out;
}

/** Epoch seconds the item expires at by the table's TTL attribute, or null. */
export function expiryOf(meta: TableMeta, item: Item): number | null {
  if (!meta.ttlAttribute) return null;
  const v = item[meta.ttlAttribute];
  if (!v || !('N' in v)) return null;
  const n = Math.floor(Number(v.N));
  return Number.isFinite(n) ? n : null;
}
