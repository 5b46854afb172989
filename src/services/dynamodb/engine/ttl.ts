/**
 * Time to live: a background sweeper deletes items whose TTL attribute (epoch seconds) has
 * passed, as DynamoDB's does: each deletion is an ordinary delete recorded in the stream as a
 * REMOVE by the dynamodb service principal. Items whose TTL lies more than five years in the
 * past are never deleted (DynamoDB ignores them as not meant to be TTLs). It runs on the
 * injected clock every `intervalMs` while any table has TTL enabled.
 */
import type { Timer } from '../../../lib/clock.js';
import type { DynamoEngine } from './index.js';
import { expiryOf } from './item-store.js';
import type { Item } from './types.js';

const FIVE_YEARS_S = 5 * 365 * 24 * 3600;
const BATCH = 100;

export class TtlSweeper {
  private timer: Timer | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly engine: DynamoEngine,
    private readonly intervalMs: number,
  ) {}

  /** (Re)arms the sweep when some table has TTL on. */
  wake(): void {
    if (this.stopped || this.timer || this.running) return;
    if (![...this.engine.tables.all()].some((t) => t.ttlAttribute)) return;
    this.timer = this.engine.clock.at(this.engine.clock.now() + this.intervalMs, () => {
      this.timer = undefined;
      void this.sweep();
    });
  }

  /** One pass over every TTL table; resolves when the expired items found are deleted. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let deleted = 0;
    try {
      const engine = this.engine;
      for (const meta of [...engine.tables.all()]) {
        if (!meta.ttlAttribute) continue;
        for (;;) {
          const now = Math.floor(engine.clock.now() / 1000);
          const rows = await engine.repo.expired(meta.id, now - FIVE_YEARS_S, now, BATCH);
          if (!rows.length) break;
          const n = await engine.write(async (tx) => {
            const live = engine.tables.current(meta.id);
            if (!live?.ttlAttribute) return 0;
            let n = 0;
            for (const row of rows) {
              const key = { pk: row.pk, sk: row.sk, hash: row.hash };
              // Re-read inside the commit: the item may have been updated since it was found.
              const item: Item | undefined = await engine.items.get(live, key, tx);
              const at = item && expiryOf(live, item);
              if (!item || at === null || at === undefined || at > now || at < now - FIVE_YEARS_S) continue;
              await engine.items.apply(tx, live, key, item, undefined, 'ttl');
              n++;
            }
            return n;
          });
          deleted += n;
          if (rows.length < BATCH || n === 0) break;
        }
      }
    } catch (e) {
      this.engine.log.error('TTL sweep failed', { error: e instanceof Error ? e.stack : String(e) });
    } finally {
      this.running = false;
      this.wake();
    }
    return deleted;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }
}
