/**
 * Rewrites of a whole table's items, done in bounded chunks: filling a GSI that UpdateTable
 * added (the index is CREATING, Backfilling, until its last chunk) and recomputing every
 * item's expiry time when TTL is enabled or disabled. Each chunk is one store write of at
 * most `chunk` items, and the next chunk waits for a later turn of the event loop, so a large
 * table never holds up other writes for long. Progress is kept in the table's metadata,
 * committed with each chunk, so a restart resumes where the last commit left off.
 *
 * Writes made meanwhile stay right on their own: every write maintains every index of its
 * table (a backfilling one included) and sets its item's expiry by the current TTL setting.
 */
import type { Tx } from '../../../store/store.js';
import type { ItemCursor } from '../repo.js';
import type { DynamoEngine } from './index.js';
import type { IndexMeta, RestoreJob, StoredCursor, TableMeta } from './table-meta.js';
import type { Item } from './types.js';
import { itemSize } from './values.js';

export class TableJobs {
  private active = false;
  private stopped = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: DynamoEngine,
    /** Items per write. */
    readonly chunk: number,
  ) {}

  /** Starts working through the pending rewrites, unless already at it. */
  kick(): void {
    if (this.active || this.stopped) return;
    this.active = true;
    this.done = this.run();
  }

  /** Resolves once the chunk in flight (if any) is committed; no further chunk starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  /** Resolves once no rewrite is pending (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.active) await this.done;
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) break;
        const meta = [...this.engine.tables.all()].find(pending);
        if (!meta) break;
        await this.engine.write((tx) => this.step(tx, meta.id));
        // Let requests (and the writes they queue) in before the next chunk.
        await new Promise((r) => setImmediate(r));
      }
    } catch (e) {
      this.engine.log.error('table rewrite failed; it resumes at the next restart or table change', { error: e instanceof Error ? e.stack : String(e) });
    } finally {
      this.active = false;
    }
  }

  /** One chunk of the first pending rewrite of a table, inside a write. */
  private async step(tx: Tx, tableId: number): Promise<void> {
    const live = this.engine.tables.current(tableId);
    if (!live || !pending(live)) return;
    const next = structuredClone(live);
    // A restore fills the items first; its indexes (CREATING) are backfilled after.
    if (next.restore) {
      await this.restoreStep(tx, next, next.restore);
      await this.engine.tables.put(tx, next);
      return;
    }
    const ix = next.indexes.find((i) => i.status === 'CREATING');
    if (ix) await this.backfill(tx, next, ix, ix.backfilled);
    else await this.rewriteExpiry(tx, next, next.expiryRewrite?.after);
    await this.engine.tables.put(tx, next);
  }

  /** Indexes one chunk of items after `from` into ix; marks ix ACTIVE after the last. Call inside a write, then save meta. */
  async backfill(tx: Tx, meta: TableMeta, ix: IndexMeta, from: StoredCursor | undefined): Promise<void> {
    const after = await this.engine.items.backfill(tx, meta, ix, decodeCursor(from), this.chunk);
    if (after) {
      ix.status = 'CREATING';
      ix.backfilled = encodeCursor(after);
    } else {
      ix.status = 'ACTIVE';
      delete ix.backfilled;
    }
  }

  /**
   * One chunk of a restore: items of the backup or base snapshot, then (point in time) the
   * source's changes up to the time restored to, each applied as the change it was.
   */
  private async restoreStep(tx: Tx, meta: TableMeta, job: RestoreJob): Promise<void> {
    if (job.from >= 0) {
      const after = await this.engine.repo.copyItems(tx, job.from, meta.id, decodeCursor(job.after), this.chunk);
      if (after) {
        job.after = encodeCursor(after);
        return;
      }
      if (job.dropFrom) await this.engine.repo.dropItems(tx, job.from);
      job.from = -1;
      delete job.after;
      if (job.changes) return;
    }
    if (job.changes) {
      const changes = await this.engine.repo.readChanges(job.changes.tableId, job.changes.afterSeq, job.changes.until, this.chunk, tx);
      for (const c of changes) {
        if (c.item === null) await this.engine.repo.deleteItem(tx, meta.id, c.pk, c.sk);
        else await this.engine.repo.putItem(tx, { tableId: meta.id, pk: c.pk, sk: c.sk, hash: c.hash, item: c.item, size: itemSize(JSON.parse(c.item) as Item), expiresAt: null });
        job.changes.afterSeq = c.seq;
      }
      if (changes.length === this.chunk) return;
    }
    delete meta.restore;
  }

  /** Recomputes the expiry of one chunk of items after `from` by meta's TTL setting. Call inside a write, then save meta. */
  async rewriteExpiry(tx: Tx, meta: TableMeta, from: StoredCursor | undefined): Promise<void> {
    const after = await this.engine.repo.setExpiry(tx, meta.id, meta.ttlAttribute, decodeCursor(from), this.chunk);
    if (after) meta.expiryRewrite = { after: encodeCursor(after) };
    else delete meta.expiryRewrite;
  }
}

function pending(meta: TableMeta): boolean {
  return meta.restore !== undefined || meta.expiryRewrite !== undefined || meta.indexes.some((ix) => ix.status === 'CREATING');
}

function encodeCursor(c: ItemCursor): StoredCursor {
  return [c[0].toString('base64'), c[1].toString('base64')];
}

function decodeCursor(c: StoredCursor | undefined): ItemCursor | undefined {
  return c && [Buffer.from(c[0], 'base64'), Buffer.from(c[1], 'base64')];
}
