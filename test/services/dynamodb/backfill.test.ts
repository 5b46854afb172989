/**
 * Whole-table rewrites in bounded chunks (engine/table-jobs.ts), driven on the engine with a
 * small chunk size: a GSI added by UpdateTable is CREATING (Backfilling) and unreadable until
 * filled, then ACTIVE; writes made meanwhile leave it exactly right; a restart resumes the fill
 * from the stored progress; a TTL change recomputes expiries the same way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import type { DynamoEngine } from '../../../src/services/dynamodb/engine/index.js';
import { deleteItem, putItem, updateItem } from '../../../src/services/dynamodb/engine/item-ops.js';
import { query, scan } from '../../../src/services/dynamodb/engine/read-ops.js';
import { createTable, describeTableOp, describeTimeToLive, updateTable, updateTimeToLive } from '../../../src/services/dynamodb/engine/table-ops.js';
import type { Item } from '../../../src/services/dynamodb/engine/types.js';
import { sqliteDynamoRepo } from '../../../src/services/dynamodb/repo.sqlite.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { openEngine, SCOPE } from './engine-harness.js';
import { rejectsWith } from '../../helpers/dynamodb.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ADD_GSI = {
  TableName: 'Tbl',
  AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }],
  GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
};

async function makeTable(engine: DynamoEngine, items: number): Promise<void> {
  await createTable(engine, SCOPE, {
    TableName: 'Tbl',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  for (let i = 0; i < items; i++) {
    await putItem(engine, SCOPE, { TableName: 'Tbl', Item: { pk: { S: `k${i}` }, g: { S: `g${i % 4}` }, n: { N: String(i) } } });
  }
}

function gsiOf(described: { Table?: Record<string, unknown> } | { TableDescription?: Record<string, unknown> }) {
  const t = ('Table' in described ? described.Table : (described as { TableDescription: Record<string, unknown> }).TableDescription)!;
  return (t.GlobalSecondaryIndexes as Array<Record<string, unknown>>)[0]!;
}

/** Every index row, as `g/pk`, read through Query on each index partition. */
async function indexContents(engine: DynamoEngine): Promise<string[]> {
  const out: string[] = [];
  for (let g = 0; g < 6; g++) {
    const page = await query(engine, SCOPE, { TableName: 'Tbl', IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: `g${g}` } } });
    for (const it of (page.Items ?? []) as Record<string, any>[]) out.push(`${it.g.S}/${it.pk.S}/${it.n?.N}`);
  }
  return out.sort();
}

/** What the index must hold: every table item with a string g. */
async function expectedContents(engine: DynamoEngine): Promise<string[]> {
  const page = await scan(engine, SCOPE, { TableName: 'Tbl' });
  return (page.Items ?? [])
    .filter((it: Item) => it.g && 'S' in it.g)
    .map((it: Record<string, any>) => `${it.g.S}/${it.pk.S}/${it.n?.N}`)
    .sort();
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('GSI backfill in bounded chunks', () => {
  test('a small table is filled in the UpdateTable commit: ACTIVE at once', async () => {
    const { engine, close } = await openEngine({ rewriteChunk: 50 });
    try {
      await makeTable(engine, 10);
      const gsi = gsiOf(await updateTable(engine, SCOPE, ADD_GSI));
      assert.equal(gsi.IndexStatus, 'ACTIVE');
      assert.equal('Backfilling' in gsi, false);
      assert.deepEqual(await indexContents(engine), await expectedContents(engine));
    } finally {
      await close();
    }
  });

  test('CREATING with Backfilling until filled, refused to reads meanwhile, then ACTIVE; writes during the fill end up right', async () => {
    const { engine, close } = await openEngine({ rewriteChunk: 3 });
    try {
      await makeTable(engine, 40);
      const gsi = gsiOf(await updateTable(engine, SCOPE, ADD_GSI));
      assert.equal(gsi.IndexStatus, 'CREATING');
      assert.equal(gsi.Backfilling, true);
      const described = gsiOf(await describeTableOp(engine, SCOPE, { TableName: 'Tbl' }));
      assert.equal(described.IndexStatus, 'CREATING');
      assert.equal(described.Backfilling, true);
      const refusal = 'Cannot read from backfilling global secondary index: byG';
      await rejectsWith(query(engine, SCOPE, { TableName: 'Tbl', IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'g1' } } }), 'ValidationException', refusal);
      await rejectsWith(scan(engine, SCOPE, { TableName: 'Tbl', IndexName: 'byG' }), 'ValidationException', refusal);
      // Writes between chunks, on both sides of the backfill's position: new items, deletions,
      // index key changes, an item leaving the index (g removed) and new ones joining it.
      let turns = 0;
      let i = 0;
      while ([...engine.tables.all()][0]!.indexes[0]!.status === 'CREATING') {
        const k = `k${(i * 7) % 50}`;
        switch (i % 5) {
          case 0:
            await putItem(engine, SCOPE, { TableName: 'Tbl', Item: { pk: { S: k }, g: { S: `g${i % 6}` }, n: { N: String(1000 + i) } } });
            break;
          case 1:
            await deleteItem(engine, SCOPE, { TableName: 'Tbl', Key: { pk: { S: k } } });
            break;
          case 2:
            await updateItem(engine, SCOPE, { TableName: 'Tbl', Key: { pk: { S: k } }, UpdateExpression: 'SET g = :g, n = :n', ExpressionAttributeValues: { ':g': { S: `g${(i + 1) % 6}` }, ':n': { N: String(2000 + i) } } });
            break;
          case 3:
            await updateItem(engine, SCOPE, { TableName: 'Tbl', Key: { pk: { S: k } }, UpdateExpression: 'REMOVE g' });
            break;
          default:
            await putItem(engine, SCOPE, { TableName: 'Tbl', Item: { pk: { S: `new${i}` }, g: { S: 'g5' }, n: { N: String(i) } } });
        }
        i++;
        turns++;
        await nextTurn();
      }
      assert.ok(turns >= 5, `the fill took several chunks with writes between them (${turns})`);
      await engine.jobs.idle();
      const done = gsiOf(await describeTableOp(engine, SCOPE, { TableName: 'Tbl' }));
      assert.equal(done.IndexStatus, 'ACTIVE');
      assert.equal('Backfilling' in done, false);
      const expected = await expectedContents(engine);
      assert.deepEqual(await indexContents(engine), expected);
      assert.equal(done.ItemCount, expected.length);
    } finally {
      await close();
    }
  });

  test('a restart in the middle resumes the fill from the stored progress', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-backfill-'));
    dirs.push(dataDir);
    const first = await openEngine({ dataDir, rewriteChunk: 4 });
    await makeTable(first.engine, 30);
    await updateTable(first.engine, SCOPE, ADD_GSI);
    // Stopping waits for the chunk in flight and starts no other.
    await first.close();

    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const store = new SqliteStore({ dataDir });
    const repo = await store.repo({ sqlite: sqliteDynamoRepo });
    const metas = await repo.loadTables();
    const ix = metas[0]!.indexes[0]!;
    assert.equal(ix.status, 'CREATING');
    assert.ok(ix.backfilled, 'the position is stored');
    const partial = (await repo.stats(ix.id, true)).count;
    assert.ok(partial > 0 && partial < 30, `partly filled (${partial})`);
    await store.close();

    const second = await openEngine({ dataDir, rewriteChunk: 4, clock });
    try {
      await second.engine.jobs.idle();
      const gsi = gsiOf(await describeTableOp(second.engine, SCOPE, { TableName: 'Tbl' }));
      assert.equal(gsi.IndexStatus, 'ACTIVE');
      assert.equal(gsi.ItemCount, 30);
      assert.deepEqual(await indexContents(second.engine), await expectedContents(second.engine));
    } finally {
      await second.close();
    }
  });

  test('deleting the index while it backfills stops the fill', async () => {
    const { engine, close } = await openEngine({ rewriteChunk: 2 });
    try {
      await makeTable(engine, 20);
      await updateTable(engine, SCOPE, ADD_GSI);
      await updateTable(engine, SCOPE, { TableName: 'Tbl', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byG' } }] });
      await engine.jobs.idle();
      const t = (await describeTableOp(engine, SCOPE, { TableName: 'Tbl' })).Table as Record<string, unknown>;
      assert.equal(t.GlobalSecondaryIndexes, undefined);
    } finally {
      await close();
    }
  });
});

describe('TTL expiry recomputed in bounded chunks', () => {
  test('enabling TTL on a table larger than a chunk: every item gets its expiry, and the sweep deletes the expired', async () => {
    const { engine, clock, close } = await openEngine({ rewriteChunk: 3 });
    try {
      await makeTable(engine, 0);
      const now = Math.floor(clock.now() / 1000);
      for (let i = 0; i < 20; i++) {
        await putItem(engine, SCOPE, { TableName: 'Tbl', Item: { pk: { S: `k${i}` }, exp: { N: String(i % 2 ? now - 10 : now + 3600) } } });
      }
      await updateTimeToLive(engine, SCOPE, { TableName: 'Tbl', TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } });
      assert.equal([...engine.tables.all()][0]!.expiryRewrite !== undefined, true, 'more than one chunk: the rest runs in the background');
      assert.deepEqual((describeTimeToLive(engine, SCOPE, { TableName: 'Tbl' })).TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' });
      await engine.jobs.idle();
      assert.equal([...engine.tables.all()][0]!.expiryRewrite, undefined);
      assert.equal(await engine.ttl.sweep(), 10);
      const left = await scan(engine, SCOPE, { TableName: 'Tbl' });
      assert.equal(left.Count, 10);
      // Disabling clears every expiry the same way.
      await updateTimeToLive(engine, SCOPE, { TableName: 'Tbl', TimeToLiveSpecification: { Enabled: false, AttributeName: 'exp' } });
      await engine.jobs.idle();
      assert.deepEqual(await engine.repo.expired([...engine.tables.all()][0]!.id, 0, now + 7200, 100), []);
    } finally {
      await close();
    }
  });
});
