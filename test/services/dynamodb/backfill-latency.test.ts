/**
 * A GSI backfill over a large table (200,000 items) runs in bounded chunks with the default
 * chunk size, so PutItem on another table keeps answering quickly meanwhile: its slowest call
 * while the backfill runs stays under 50 ms.
 *
 * On a machine already oversubscribed (load average above its core count, as when the whole
 * suite runs on a shared machine) the process is descheduled for tens of milliseconds now and
 * then whatever it runs; there the bound applies to the median instead of the maximum (the
 * diagnostic line shows both). A backfill in one write, or in a few large ones, still fails
 * that: PutItem would run only a few times while it lasts, each waiting for a whole chunk.
 */
import assert from 'node:assert/strict';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { putItem } from '../../../src/services/dynamodb/engine/item-ops.js';
import { encodeKey } from '../../../src/services/dynamodb/engine/keys.js';
import { createTable, describeTableOp, updateTable } from '../../../src/services/dynamodb/engine/table-ops.js';
import { itemSize } from '../../../src/services/dynamodb/engine/values.js';
import { openEngine, SCOPE } from './engine-harness.js';

const ITEMS = 200_000;
const MAX_LATENCY_MS = 50;

const table = (name: string) => ({
  TableName: name,
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
});

test(`a GSI backfill of ${ITEMS} items does not hold up PutItem on another table for more than ${MAX_LATENCY_MS} ms`, { timeout: 120_000 }, async (t) => {
  const { engine, store, close } = await openEngine();
  try {
    await createTable(engine, SCOPE, table('Big'));
    await createTable(engine, SCOPE, table('Other'));
    const big = engine.tables.find(SCOPE, 'Big')!;
    // Fill the table straight through the repo, 20,000 items per write.
    const loadStart = performance.now();
    for (let from = 0; from < ITEMS; from += 20_000) {
      await store.write(async (tx) => {
        for (let i = from; i < from + 20_000; i++) {
          const item = { pk: { S: `item-${i}` }, g: { S: `group-${i % 1000}` }, n: { N: String(i) }, payload: { S: 'x'.repeat(40) } };
          const key = encodeKey(big.key, item);
          await engine.repo.putItem(tx, { tableId: big.id, pk: key.pk, sk: key.sk, hash: key.hash, item: JSON.stringify(item), size: itemSize(item), expiresAt: null });
        }
      });
    }
    t.diagnostic(`loaded ${ITEMS} items in ${Math.round(performance.now() - loadStart)} ms`);

    const fillStart = performance.now();
    const answer = await updateTable(engine, SCOPE, {
      TableName: 'Big',
      AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
    });
    const gsi = (answer.TableDescription.GlobalSecondaryIndexes as Array<Record<string, unknown>>)[0]!;
    assert.equal(gsi.IndexStatus, 'CREATING');
    assert.equal(gsi.Backfilling, true);

    const latencies: number[] = [];
    const building = () => engine.tables.current(big.id)!.indexes[0]!.status === 'CREATING';
    for (let n = 0; building(); n++) {
      const start = performance.now();
      await putItem(engine, SCOPE, { TableName: 'Other', Item: { pk: { S: `o${n}` }, v: { N: String(n) } } });
      latencies.push(performance.now() - start);
    }
    const fillMs = performance.now() - fillStart;
    await engine.jobs.idle();

    latencies.sort((a, b) => a - b);
    const max = latencies[latencies.length - 1]!;
    const p50 = latencies[Math.floor(latencies.length / 2)]!;
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    const slow = latencies.filter((l) => l >= MAX_LATENCY_MS).map((l) => l.toFixed(0));
    t.diagnostic(`backfill ${Math.round(fillMs)} ms; ${latencies.length} PutItem calls meanwhile: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; slow: [${slow.join(', ')}]`);
    assert.ok(latencies.length >= 20, `PutItem ran all along the backfill (${latencies.length} calls)`);
    const load = loadavg()[0]!;
    if (load <= cpus().length) assert.ok(max < MAX_LATENCY_MS, `slowest PutItem during the backfill: ${max.toFixed(1)} ms`);
    else {
      t.diagnostic(`load average ${load.toFixed(1)} on ${cpus().length} cores: bounding the median`);
      assert.ok(p50 < MAX_LATENCY_MS, `median PutItem during the backfill: ${p50.toFixed(1)} ms`);
    }

    const described = (await describeTableOp(engine, SCOPE, { TableName: 'Big' })).Table as Record<string, unknown>;
    const done = (described.GlobalSecondaryIndexes as Array<Record<string, unknown>>)[0]!;
    assert.equal(done.IndexStatus, 'ACTIVE');
    assert.equal(done.ItemCount, ITEMS);
  } finally {
    await close();
  }
});
