/**
 * The point-in-time recovery change log, kept to the recovery window. A table with recovery
 * on has a base snapshot (its items when recovery was turned on) and a log of every change
 * since. A restore or export to time T reads the base, then the changes up to T. Changes older
 * than the window (now minus RecoveryPeriodInDays, on the injected clock) can never be asked
 * for again, so the trim folds them into the base, a chunk per write, and drops them: the
 * base then holds the table as it was at the end of the folded changes, and the log only the
 * window's changes.
 *
 * A fold rewrites the base and the head of the log under readers that go through them in
 * several steps (an export in the background, a point-in-time restore filling its table), so
 * a table being read that way is left for the next trim.
 */
import type { Tx } from '../../../store/store.js';
import type { DynamoEngine } from './index.js';
import type { TableMeta } from './table-meta.js';
import type { Item } from './types.js';
import { itemSize } from './values.js';

export const DAY_MS = 86_400_000;

/** The seconds a table can be restored or exported to: [earliest, latest] in epoch ms. */
export function recoveryWindow(meta: TableMeta, now: number): { earliest: number; latest: number } {
  const pitr = meta.pitr!;
  return { earliest: Math.max(pitr.since, now - pitr.days * DAY_MS), latest: now };
}

export class RecoveryLog {
  /** Tables whose base and log someone is reading in several steps (table id → readers). */
  private readonly readers = new Map<number, number>();

  constructor(
    private readonly engine: DynamoEngine,
    /** Changes folded per write. */
    private readonly chunk: number,
  ) {}

  /** Marks the table's base and log as being read until the returned release is called. */
  pin(tableId: number): () => void {
    this.readers.set(tableId, (this.readers.get(tableId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.readers.get(tableId) ?? 1) - 1;
      if (n > 0) this.readers.set(tableId, n);
      else this.readers.delete(tableId);
    };
  }

  private busy(meta: TableMeta): boolean {
    if (this.readers.has(meta.id)) return true;
    // A point-in-time restore replays this table's log into its own.
    for (const t of this.engine.tables.all()) if (t.restore?.changes?.tableId === meta.id) return true;
    return false;
  }

  /** Folds every table's changes older than its window into its base; resolves when done (or stopped). */
  async trim(stopped: () => boolean): Promise<void> {
    const now = this.engine.clock.now();
    for (const meta of [...this.engine.tables.all()]) {
      if (!meta.pitr || this.busy(meta)) continue;
      const cutoff = now - meta.pitr.days * DAY_MS;
      while (!stopped()) {
        const folded = await this.engine.write((tx) => this.foldStep(tx, meta.id, cutoff));
        if (folded < this.chunk) break;
        await new Promise((r) => setImmediate(r));
      }
    }
  }

  /** Folds up to `chunk` changes made before `cutoff` into the base; returns how many. */
  private async foldStep(tx: Tx, tableId: number, cutoff: number): Promise<number> {
    const meta = this.engine.tables.current(tableId);
    if (!meta?.pitr || this.busy(meta)) return 0;
    // readChanges takes an inclusive bound; the change at exactly the cutoff stays.
    const changes = await this.engine.repo.readChanges(meta.id, 0, cutoff - 1, this.chunk, tx);
    if (changes.length === 0) return 0;
    const base = meta.pitr.baseId;
    for (const c of changes) {
      if (c.item === null) await this.engine.repo.deleteItem(tx, base, c.pk, c.sk);
      else await this.engine.repo.putItem(tx, { tableId: base, pk: c.pk, sk: c.sk, hash: c.hash, item: c.item, size: itemSize(JSON.parse(c.item) as Item), expiresAt: null });
    }
    await this.engine.repo.dropChangesThrough(tx, meta.id, changes[changes.length - 1]!.seq);
    return changes.length;
  }
}
