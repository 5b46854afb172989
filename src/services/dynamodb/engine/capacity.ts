/**
 * Consumed capacity as DynamoDB computes it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html):
 * a read unit covers 4 KB read strongly (half a unit eventually consistent), a write unit
 * 1 KB; sizes round up per item for single-item operations and over the whole read for
 * Query/Scan; transactions cost double. Writes to a secondary index cost the index's own
 * units: a put of the projected item, a delete of the old one, or both when its key changed.
 */
import { ValidationException } from '../errors.js';
import { indexKey } from './keys.js';
import { projectForIndex } from './item-store.js';
import type { TableMeta } from './table-meta.js';
import type { Item } from './types.js';
import { itemSize } from './values.js';

export type CapacityMode = 'NONE' | 'TOTAL' | 'INDEXES';

export function capacityMode(v: unknown): CapacityMode {
  if (v === undefined) return 'NONE';
  if (v === 'NONE' || v === 'TOTAL' || v === 'INDEXES') return v;
  throw new ValidationException(
    `1 validation error detected: Value '${String(v)}' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]`,
  );
}

export const readUnits = (bytes: number, consistent: boolean): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
/** Units of a Query or Scan: the bytes of every item read, summed, then rounded up to 4 KB once (0 bytes cost 0). */
export const rangeReadUnits = (bytes: number, consistent: boolean): number => Math.ceil(bytes / 4096) * (consistent ? 1 : 0.5);
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Capacity spent by one request on one table, by table and index. */
export class Consumption {
  table = 0;
  readonly indexes = new Map<string, { global: boolean; units: number }>();

  constructor(
    readonly meta: TableMeta,
    readonly kind: 'read' | 'write',
  ) {}

  addIndex(name: string, global: boolean, units: number): void {
    const e = this.indexes.get(name);
    if (e) e.units += units;
    else this.indexes.set(name, { global, units });
  }

  /** A write of one item: the table's units plus each index row touched. */
  addWrite(old: Item | undefined, next: Item | undefined, factor = 1): void {
    this.table += writeUnits(Math.max(old ? itemSize(old) : 0, next ? itemSize(next) : 0)) * factor;
    for (const ix of this.meta.indexes) {
      const before = old && indexKey(ix, old) ? projectForIndex(this.meta, ix, old) : undefined;
      const after = next && indexKey(ix, next) ? projectForIndex(this.meta, ix, next) : undefined;
      if (!before && !after) continue;
      const keyChanged = before && after && !sameIndexKey(this.meta, ix.name, old!, next!);
      let units: number;
      if (keyChanged) units = writeUnits(itemSize(before)) + writeUnits(itemSize(after));
      else units = writeUnits(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0));
      this.addIndex(ix.name, ix.kind === 'GSI', units * factor);
    }
  }

  /**
   * The ConsumedCapacity member, or undefined when not asked for. DynamoDB names the read or
   * write units apart (`ReadCapacityUnits`, `WriteCapacityUnits`) only in transactions' answers;
   * the single-item, batch, Query and Scan answers carry `CapacityUnits` alone.
   */
  report(mode: CapacityMode, split = false): Record<string, unknown> | undefined {
    if (mode === 'NONE') return undefined;
    const units = (n: number) => (split ? { CapacityUnits: n, [this.kind === 'read' ? 'ReadCapacityUnits' : 'WriteCapacityUnits']: n } : { CapacityUnits: n });
    let total = this.table;
    for (const e of this.indexes.values()) total += e.units;
    const out: Record<string, unknown> = { TableName: this.meta.name, ...units(total) };
    if (mode === 'INDEXES') {
      out.Table = units(this.table);
      const gsi: Record<string, unknown> = {};
      const lsi: Record<string, unknown> = {};
      for (const [name, e] of this.indexes) (e.global ? gsi : lsi)[name] = units(e.units);
      if (Object.keys(gsi).length) out.GlobalSecondaryIndexes = gsi;
      if (Object.keys(lsi).length) out.LocalSecondaryIndexes = lsi;
    }
    return out;
  }
}

function sameIndexKey(meta: TableMeta, name: string, a: Item, b: Item): boolean {
  const ix = meta.indexes.find((i) => i.name === name)!;
  const ka = indexKey(ix, a)!;
  const kb = indexKey(ix, b)!;
  return ka.pk.equals(kb.pk) && ka.sk.equals(kb.sk);
}

/** ConsumedCapacity of a single-item write, computed only when the caller asked for it. */
export function writeCapacity(meta: TableMeta, mode: CapacityMode, old: Item | undefined, next: Item | undefined): Record<string, unknown> | undefined {
  if (mode === 'NONE') return undefined;
  const used = new Consumption(meta, 'write');
  used.addWrite(old, next);
  return used.report(mode);
}

/** ConsumedCapacity of a single-item read, computed only when the caller asked for it. */
export function readCapacity(meta: TableMeta, mode: CapacityMode, item: Item | undefined, consistent: boolean): Record<string, unknown> | undefined {
  if (mode === 'NONE') return undefined;
  const used = new Consumption(meta, 'read');
  used.table = readUnits(item ? itemSize(item) : 0, consistent);
  return used.report(mode);
}
