/**
 * The in-process `logs.append` call (what the Lambda runtime uses for function output),
 * driven through the plugin factory with a real Store: groups and streams created on demand,
 * call order kept per stream, bursts stored in one commit, malformed input dropped without
 * an error, and events durable across a restart. Reads go through the plugin's own
 * operation handlers, as the HTTP layer would call them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { EventBus } from '../../../src/lib/event-bus.js';
import { randomIds } from '../../../src/lib/ids.js';
import { InternalApi, type InternalCalls } from '../../../src/lib/internal.js';
import { createLogger } from '../../../src/lib/log.js';
import { createLogsService } from '../../../src/services/logs/index.js';
import type { RequestContext, ServiceEnv, ServicePlugin } from '../../../src/services/service.js';
import { SqliteStore as Store } from '../../../src/store/sqlite.js';
import { ACCOUNT } from './helpers.js';

interface Harness {
  plugin: ServicePlugin;
  store: Store;
  clock: ManualClock;
  append: InternalCalls['logs.append'];
  call(op: string, input: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

const ctx = { requestId: 'r', accountId: ACCOUNT, accessKeyId: 'test', region: 'us-east-1', endpoint: 'http://localhost', path: '/' } as RequestContext;

async function start(opts: { dataDir?: string; clock?: ManualClock } = {}): Promise<Harness> {
  const log = createLogger('silent');
  const store = new Store(opts.dataDir ? { dataDir: opts.dataDir, log } : { memory: true, log });
  const clock = opts.clock ?? new ManualClock(Date.now());
  const internal = new InternalApi();
  const env = { store, clock, ids: randomIds, log, region: 'us-east-1', bus: new EventBus(log), internal } as unknown as ServiceEnv;
  const plugin = await createLogsService(env);
  const append = internal.get('logs.append');
  assert.ok(append, 'the plugin registers logs.append');
  return {
    plugin,
    store,
    clock,
    append,
    call: async (op, input) => plugin.operations[op]!.handler(structuredClone(input), ctx),
    async close() {
      await plugin.stop?.();
      await store.close();
    },
  };
}

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await start();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const lines = async (h: Harness, group: string, stream: string) =>
  ((await h.call('GetLogEvents', { logGroupName: group, logStreamName: stream, startFromHead: true })).events as { message: string }[]).map((e) => e.message);

const GROUP = '/aws/lambda/fn';

describe('logs.append', () => {
  test('creates the group and stream on first use and stores the events', () =>
    withHarness(async (h) => {
      const now = h.clock.now();
      await h.append({ accountId: ACCOUNT, region: 'us-east-1', group: GROUP, stream: '2026/01/01/[$LATEST]abc', events: [{ timestamp: now, message: 'START' }] });
      const { logGroups } = await h.call('DescribeLogGroups', {});
      assert.deepEqual(
        logGroups.map((g: { logGroupName: string }) => g.logGroupName),
        [GROUP],
      );
      const { logStreams } = await h.call('DescribeLogStreams', { logGroupName: GROUP });
      assert.equal(logStreams[0].logStreamName, '2026/01/01/[$LATEST]abc');
      assert.equal(logStreams[0].lastIngestionTime, now);
      assert.deepEqual(await lines(h, GROUP, '2026/01/01/[$LATEST]abc'), ['START']);
    }));

  test('a burst of calls, not awaited one by one, is stored in one commit in call order per stream', () =>
    withHarness(async (h) => {
      const now = h.clock.now();
      const before = h.store.commits;
      const pending: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        pending.push(h.append({ accountId: ACCOUNT, region: 'us-east-1', group: GROUP, stream: i % 2 ? 'odd' : 'even', events: [{ timestamp: now, message: `line ${i}` }] }));
      }
      await Promise.all(pending);
      assert.equal(h.store.commits - before, 1, 'one group commit for the whole burst');
      const even = await lines(h, GROUP, 'even');
      assert.deepEqual(
        even,
        Array.from({ length: 100 }, (_, i) => `line ${i * 2}`),
      );
      assert.equal((await lines(h, GROUP, 'odd')).length, 100);
    }));

  test('calls made while a round commits go into the next round, still in order', () =>
    withHarness(async (h) => {
      const now = h.clock.now();
      const pending: Promise<void>[] = [];
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 3; i++) pending.push(h.append({ accountId: ACCOUNT, region: 'us-east-1', group: GROUP, stream: 's', events: [{ timestamp: now, message: `${round}.${i}` }] }));
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(pending);
      assert.deepEqual(await lines(h, GROUP, 's'), ['0.0', '0.1', '0.2', '1.0', '1.1', '1.2', '2.0', '2.1', '2.2', '3.0', '3.1', '3.2', '4.0', '4.1', '4.2']);
    }));

  test('appends to a group created through the API, under its retention', () =>
    withHarness(async (h) => {
      await h.call('CreateLogGroup', { logGroupName: GROUP });
      await h.call('PutRetentionPolicy', { logGroupName: GROUP, retentionInDays: 1 });
      const now = h.clock.now();
      await h.append({
        accountId: ACCOUNT,
        region: 'us-east-1',
        group: GROUP,
        stream: 's',
        events: [
          { timestamp: now - 2 * 86_400_000, message: 'already expired' },
          { timestamp: now, message: 'kept' },
        ],
      });
      assert.deepEqual(await lines(h, GROUP, 's'), ['kept']);
      assert.equal((await h.call('DescribeLogGroups', {})).logGroups.length, 1);
    }));

  test('malformed input is dropped, never thrown; over-long lines are cut to 256 KiB', () =>
    withHarness(async (h) => {
      const now = h.clock.now();
      const base = { accountId: ACCOUNT, region: 'us-east-1' };
      await h.append({ ...base, group: 'bad group name', stream: 's', events: [{ timestamp: now, message: 'x' }] });
      await h.append({ ...base, group: GROUP, stream: 'a:b', events: [{ timestamp: now, message: 'x' }] });
      assert.deepEqual((await h.call('DescribeLogGroups', {})).logGroups, []);
      const huge = 'é'.repeat(200_000); // 400,000 bytes
      await h.append({
        ...base,
        group: GROUP,
        stream: 's',
        events: [
          { timestamp: now, message: '' },
          { timestamp: Number.NaN, message: 'no time' },
          { timestamp: now, message: huge },
          { timestamp: now, message: 'fine' },
        ],
      });
      const got = await lines(h, GROUP, 's');
      assert.equal(got.length, 2);
      assert.equal(Buffer.byteLength(got[0]!), 262_118);
      assert.ok(huge.startsWith(got[0]!));
      assert.equal(got[1], 'fine');
    }));

  test('resolves (without storing) once the store is closed', async () => {
    const h = await start();
    await h.close();
    await h.append({ accountId: ACCOUNT, region: 'us-east-1', group: GROUP, stream: 's', events: [{ timestamp: Date.now(), message: 'late' }] });
  });

  test('appended events are durable across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-logs-'));
    try {
      const clock = new ManualClock(Date.now());
      const first = await start({ dataDir: dir, clock });
      await first.append({ accountId: ACCOUNT, region: 'us-east-1', group: GROUP, stream: 's', events: [{ timestamp: clock.now(), message: 'persisted' }] });
      await first.close();
      const second = await start({ dataDir: dir, clock });
      try {
        assert.deepEqual(await lines(second, GROUP, 's'), ['persisted']);
        const [s] = (await second.call('DescribeLogStreams', { logGroupName: GROUP })).logStreams;
        assert.equal(s.storedBytes, 'persisted'.length, 'the stream statistics were stored too');
        assert.equal(s.lastEventTimestamp, clock.now());
        await second.append({ accountId: ACCOUNT, region: 'us-east-1', group: GROUP, stream: 's', events: [{ timestamp: clock.now(), message: 'more' }] });
        assert.deepEqual(await lines(second, GROUP, 's'), ['persisted', 'more']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
