/**
 * Reading and writing items together with everything that follows from a write: the rows of
 * every secondary index (projected, sparse) and the table's stream record. Every change to a
 * table's items goes through {@link ItemStore.apply}, inside a store write.
 */
import { setOwn } from '../../../lib/own.js';
import type { Tx } from '../../../store/store.js';
import type { DynamoRepo, IndexRowWrite, ItemCursor } from '../repo.js';
import { indexKey, type EncodedKey } from './keys.js';
import { tableKeyHash } from './scan-order.js';
import type { ChangeCause, StreamLog } from './stream-log.js';
import { keyDefs, type IndexMeta, type TableMeta } from './table-meta.js';
import type { Item } from './types.js';
import { itemSize } from './values.js';

export class ItemStore {
  constructor(
    private readonly repo: DynamoRepo,
    private readonly streams: StreamLog,
    private readonly clock: { now(): number },
  ) {}

  /** The stored JSON text of an item (its wire form), without parsing it. */
  getText(meta: TableMeta, key: EncodedKey): Promise<string | undefined> {
    return this.repo.getItem(meta.id, key.pk, key.sk);
  }

  /** The item; pass tx inside a write. */
  async get(meta: TableMeta, key: EncodedKey, tx?: Tx): Promise<Item | undefined> {
    const text = await this.repo.getItem(meta.id, key.pk, key.sk, tx);
    return text === undefined ? undefined : (JSON.parse(text) as Item);
  }

  /**
   * Replaces `old` (undefined: no item, or one the caller chose not to read because nothing
   * depends on it) by `next` (undefined: delete). `size` is next's itemSize when known.
   */
  async apply(tx: Tx, meta: TableMeta, key: EncodedKey, old: Item | undefined, next: Item | undefined, cause: ChangeCause = 'user', size?: number): Promise<void> {
    if (next) {
      await this.repo.putItem(tx, {
        tableId: meta.id,
        pk: key.pk,
        sk: key.sk,
        hash: key.hash,
        item: JSON.stringify(next),
        size: size ?? itemSize(next),
        expiresAt: expiryOf(meta, next),
      });
    } else if (old) {
      await this.repo.deleteItem(tx, meta.id, key.pk, key.sk);
    }
    // Every index is kept, those still backfilling included: an item the backfill has passed
    // stays right, and one it has not reached yet is written again as it is when reached.
    for (const ix of meta.indexes) await this.updateIndex(tx, ix, meta, key, old, next);
    await this.streams.record(tx, meta, old, next, cause);
    // Point-in-time recovery: every change after the base snapshot, in commit order.
    if (meta.pitr && (next || old)) {
      await this.repo.appendChange(tx, meta.id, { at: this.clock.now(), pk: key.pk, sk: key.sk, hash: key.hash, item: next ? JSON.stringify(next) : null });
    }
  }

  private async updateIndex(tx: Tx, ix: IndexMeta, meta: TableMeta, key: EncodedKey, old: Item | undefined, next: Item | undefined): Promise<void> {
    const before = old && indexKey(ix, old);
    const after = next && indexKey(ix, next);
    if (before && !(after && before.pk.equals(after.pk) && before.sk.equals(after.sk))) {
      await this.repo.deleteIndexRow(tx, ix.id, before.pk, before.sk, key.pk, key.sk);
    }
    if (after) await this.repo.putIndexRow(tx, indexRow(meta, ix, key, next!, after));
  }

  /**
   * One chunk of filling a new index with the table's items (UpdateTable adding a GSI): up to
   * `limit` items after `after`, in key order. Returns the last item done, or undefined once
   * the table's end was reached.
   */
  async backfill(tx: Tx, meta: TableMeta, ix: IndexMeta, after: ItemCursor | undefined, limit: number): Promise<ItemCursor | undefined> {
    const rows = await this.repo.readItems(meta.id, after, limit, tx);
    const out: IndexRowWrite[] = [];
    for (const row of rows) {
      const item = JSON.parse(row.item) as Item;
      const at = indexKey(ix, item);
      if (!at) continue;
      // An ALL projection stores the item as the table does: its text and size as they are.
      if (ix.projection.type === 'ALL' && row.size !== undefined) {
        out.push({ indexId: ix.id, pk: at.pk, sk: at.sk, tpk: row.pk, tsk: row.sk, th: tableKeyOrder(meta, item), hash: at.hash, item: row.item, size: row.size });
      } else out.push(indexRow(meta, ix, row, item, at));
    }
    await this.repo.putIndexRows(tx, out);
    if (rows.length < limit) return undefined;
    const last = rows[rows.length - 1]!;
    return [last.pk, last.sk];
  }
}

/** The index row of an item whose index key is `at`. */
function indexRow(meta: TableMeta, ix: IndexMeta, key: { pk: Buffer; sk: Buffer }, item: Item, at: EncodedKey): IndexRowWrite {
  const projected = projectForIndex(meta, ix, item);
  return { indexId: ix.id, pk: at.pk, sk: at.sk, tpk: key.pk, tsk: key.sk, th: tableKeyOrder(meta, item), hash: at.hash, item: JSON.stringify(projected), size: itemSize(projected) };
}

/** An item's place among index rows with equal index keys (scan-order.ts tableKeyHash). */
export function tableKeyOrder(meta: TableMeta, item: Item): number {
  return tableKeyHash(item[meta.key.hash.name]!, meta.key.range ? item[meta.key.range.name] : undefined);
}

/** The attributes an index keeps of an item: its keys, the table's keys, and what the projection adds. */
export function projectForIndex(meta: TableMeta, ix: IndexMeta, item: Item): Item {
  if (ix.projection.type === 'ALL') return item;
  const keep = new Set<string>([...keyDefs(meta.key), ...keyDefs(ix.key)].map((d) => d.name));
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
