/**
 * A DynamoDB engine on its own store, without HTTP: for tests of the engine's background work
 * (chunked rewrites) that need to reach the engine and its repo directly.
 */
import { ManualClock } from '../../../src/lib/clock.js';
import { EventBus } from '../../../src/lib/event-bus.js';
import { randomIds } from '../../../src/lib/ids.js';
import { createLogger } from '../../../src/lib/log.js';
import { DynamoEngine } from '../../../src/services/dynamodb/engine/index.js';
import { sqliteDynamoRepo } from '../../../src/services/dynamodb/repo.sqlite.js';
import { SqliteStore } from '../../../src/store/sqlite.js';

export const SCOPE = { accountId: '000000000000', region: 'us-east-1' };

export interface EngineUnderTest {
  engine: DynamoEngine;
  store: SqliteStore;
  clock: ManualClock;
  close(): Promise<void>;
}

/** A DynamoDB engine on its own store (in memory, or in dataDir), loaded and started as the plugin does it. */
export async function openEngine(opts: { dataDir?: string; rewriteChunk?: number; clock?: ManualClock } = {}): Promise<EngineUnderTest> {
  const store = new SqliteStore(opts.dataDir ? { dataDir: opts.dataDir } : { memory: true });
  const log = createLogger('silent');
  const clock = opts.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  const engine = new DynamoEngine({
    repo: await store.repo({ sqlite: sqliteDynamoRepo }),
    store,
    clock,
    ids: randomIds,
    bus: new EventBus(log),
    log,
    rewriteChunk: opts.rewriteChunk,
  });
  await store.caches.register('dynamodb.tables', () => engine.tables.reload());
  engine.start();
  return {
    engine,
    store,
    clock,
    close: async () => {
      await engine.stop();
      await store.close();
    },
  };
}

