/**
 * Scan order and parallel-scan segments as DynamoDB has them (engine/scan-order.ts). The
 * expected orders and segments are DynamoDB's answers as dynalite's tests (written against
 * DynamoDB) record them; a data directory written with the earlier hash is rehashed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchWriteItemCommand, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { centesimalBytes, numberByteSize } from '../../../src/services/dynamodb/engine/numbers.js';
import { partitionHash, segmentRange, tableKeyHash } from '../../../src/services/dynamodb/engine/scan-order.js';
import { DYNAMODB_MIGRATIONS } from '../../../src/services/dynamodb/repo.sqlite.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { createTable, withDynamo } from '../../helpers/dynamodb.js';

const put = (table: string, items: Record<string, AttributeValue>[]) =>
  new BatchWriteItemCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } });

describe('DynamoDB scan order', () => {
  test('a Scan walks string and number partition keys in DynamoDB order', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Str', { range: false });
      await createTable(ddb, 'Num', { range: false, hash: 'N' });
      const strings = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'aardman', 'hello', 'zapf', 'äáöü'];
      const numbers = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-0.09', '999.9', '0.012345', '-999.9'];
      await ddb.send(put('Str', strings.map((s) => ({ pk: { S: s } }))));
      await ddb.send(put('Num', numbers.map((n) => ({ pk: { N: n } }))));
      const s = await ddb.send(new ScanCommand({ TableName: 'Str' }));
      assert.deepEqual(
        s.Items!.map((i) => i.pk!.S),
        ['2', '8', '9', '1', '6', 'hello', '0', '5', '4', 'äáöü', 'aardman', '7', '3', 'zapf'],
      );
      const n = await ddb.send(new ScanCommand({ TableName: 'Num' }));
      assert.deepEqual(
        n.Items!.map((i) => i.pk!.N),
        ['7', '999.9', '8', '3', '2', '-999.9', '9', '4', '-0.09', '6', '1', '0', '0.012345', '5'],
      );
      // Pages continue in the same order.
      const first = await ddb.send(new ScanCommand({ TableName: 'Str', Limit: 5 }));
      const rest = await ddb.send(new ScanCommand({ TableName: 'Str', ExclusiveStartKey: first.LastEvaluatedKey }));
      assert.deepEqual([...first.Items!, ...rest.Items!], s.Items);
    }));

  test('segments hold the keys DynamoDB puts in them', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Str', { range: false });
      await createTable(ddb, 'Num', { range: false, hash: 'N' });
      await ddb.send(put('Str', ['3635', '228', '1668', '3435'].map((s) => ({ pk: { S: s } }))));
      await ddb.send(put('Num', ['251', '2388'].map((n) => ({ pk: { N: n } }))));
      const segment = async (table: string, Segment: number) =>
        (await ddb.send(new ScanCommand({ TableName: table, Segment, TotalSegments: 4096 }))).Items!.map((i) => i.pk!.S ?? i.pk!.N);
      assert.deepEqual((await segment('Str', 0)).sort(), ['228', '3635']);
      assert.deepEqual(await segment('Str', 1), ['1668']);
      assert.deepEqual(await segment('Str', 4), ['3435']);
      assert.deepEqual(await segment('Num', 1), ['251']);
      assert.deepEqual(await segment('Num', 4095), ['2388']);
    }));

  test('a GSI query returns items with equal index keys in DynamoDB order, both ways and across pages', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Gsi', {
        extra: {
          AttributeDefinitions: [{ AttributeName: 'c', AttributeType: 'S' }],
          GlobalSecondaryIndexes: [{ IndexName: 'byC', KeySchema: [{ AttributeName: 'c', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        },
      });
      const keys = [['a', 'a'], ['b', 'b'], ['c', 'e'], ['c', 'd'], ['d', 'a'], ['e', 'a']];
      await ddb.send(put('Gsi', keys.map(([pk, sk]) => ({ pk: { S: pk! }, sk: { S: sk! }, c: { S: 'same' } }))));
      const query = async (forward: boolean, ExclusiveStartKey?: Record<string, AttributeValue>) => {
        const page = await ddb.send(
          new QueryCommand({ TableName: 'Gsi', IndexName: 'byC', KeyConditionExpression: 'c = :c', ExpressionAttributeValues: { ':c': { S: 'same' } }, ScanIndexForward: forward, Limit: 4, ExclusiveStartKey }),
        );
        return { keys: page.Items!.map((i) => i.pk!.S! + i.sk!.S!), next: page.LastEvaluatedKey };
      };
      // DynamoDB's answer in dynalite's test: bb, aa, ce, ea first (then da and cd).
      const first = await query(true);
      assert.deepEqual(first.keys, ['bb', 'aa', 'ce', 'ea']);
      assert.deepEqual((await query(true, first.next)).keys, ['da', 'cd']);
      const back = await query(false);
      assert.deepEqual(back.keys, ['cd', 'da', 'ea', 'ce']);
      assert.deepEqual((await query(false, back.next)).keys, ['aa', 'bb']);
    }));

  test('segment ranges split the hash space exactly, segment = floor(hash * total / 2^32)', () => {
    for (const total of [1, 2, 3, 7, 4096, 1_000_000]) {
      let from = 0;
      for (const s of [0, 1, total - 1]) {
        if (s >= total) continue;
        const r = segmentRange(s, total);
        if (s === 0) assert.equal(r.from, 0);
        if (s === total - 1) assert.equal(r.to, 2 ** 32);
        for (const h of [r.from, r.to - 1]) assert.equal(Math.floor((h * total) / 2 ** 32), s);
        from = r.to;
      }
      assert.ok(from <= 2 ** 32);
    }
    // A multi-attribute partition key hashes its attributes one after another.
    assert.equal(partitionHash([{ S: 'ab' }]), partitionHash([{ S: 'a' }, { S: 'b' }]));
  });

  test("DynamoDB's number serialization: the bytes the item size counts", () => {
    assert.deepEqual([...centesimalBytes('0')], [0x80]);
    assert.deepEqual([...centesimalBytes('1')], [0xc1, 2]);
    assert.deepEqual([...centesimalBytes('1.5')], [0xc1, 2, 51]);
    assert.deepEqual([...centesimalBytes('-1')], [0x3e, 100, 102]);
    for (const n of ['0', '7', '15', '1.5', '-1', '-999.9', '0.012345', '123456789012345678901234567890', '-1e-130', '9.9e125', '-12345678901234567890123456789012345678']) {
      assert.equal(centesimalBytes(n).length, numberByteSize(n), n);
    }
  });

  test('a data directory written with the earlier hash is rehashed when opened, its index rows ordered by table key', async () => {
    const store = new SqliteStore({ memory: true });
    store.migrate('dynamodb', DYNAMODB_MIGRATIONS.slice(0, 4));
    const key = { hash: { name: 'pk', type: 'N' }, range: { name: 'sk', type: 'S' } };
    const gsi = { hash: { name: 'g1', type: 'S' }, moreHash: [{ name: 'g2', type: 'N' }] };
    const meta = { id: 1, key, indexes: [{ id: 2, key: gsi }], pitr: { since: 0, baseId: 3, days: 35 } };
    store.db.prepare("INSERT INTO ddb_tables (id, account, region, name, meta) VALUES (1, 'a', 'r', 't', ?)").run(JSON.stringify(meta));
    store.db
      .prepare("INSERT INTO ddb_backups VALUES ('arn', 'a', 'r', 'b', 't', 'arn:t', 'uuid', 4, ?, 0, 0, 0)")
      .run(JSON.stringify({ key: { hash: { name: 'pk', type: 'S' } } }));
    const { encodeKeyValue } = await import('../../../src/services/dynamodb/engine/values.js');
    const { encodePart } = await import('../../../src/services/dynamodb/engine/keys.js');
    const item = store.db.prepare("INSERT INTO ddb_items (table_id, pk, sk, hash, size, item) VALUES (?, ?, x'', 12345, 0, '{}')");
    for (const id of [1, 3]) item.run(id, encodeKeyValue({ N: '-999.9' }));
    item.run(4, encodeKeyValue({ S: 'hello' }));
    item.run(99, encodeKeyValue({ S: 'gone' })); // a dropped table's row, waiting for the purge
    const gsiPk = encodePart([{ S: 'a\u0000b' }, { N: '42' }]);
    store.db.prepare("INSERT INTO ddb_index_rows VALUES (2, ?, x'', ?, ?, 7, 0, '{}')").run(gsiPk, encodeKeyValue({ N: '5' }), encodeKeyValue({ S: 's' }));
    store.db.prepare("INSERT INTO ddb_changes VALUES (1, 1, 0, ?, x'', 9, NULL)").run(encodeKeyValue({ N: '-999.9' }));
    store.migrate('dynamodb', DYNAMODB_MIGRATIONS);
    const hashes = (sql: string) => (store.db.prepare(sql).all() as Array<{ hash: number }>).map((r) => r.hash);
    const n = partitionHash([{ N: '-999.9' }]);
    assert.deepEqual(hashes('SELECT hash FROM ddb_items ORDER BY table_id'), [n, n, partitionHash([{ S: 'hello' }]), 12345]);
    assert.deepEqual(hashes('SELECT hash FROM ddb_index_rows'), [partitionHash([{ S: 'a\u0000b' }, { N: '42' }])]);
    // Index rows learn their table key's hash, which orders rows with equal index keys.
    assert.deepEqual(hashes('SELECT th AS hash FROM ddb_index_rows'), [tableKeyHash({ N: '5' }, { S: 's' })]);
    assert.deepEqual(hashes('SELECT hash FROM ddb_changes'), [n]);
    await store.close();
  });
});
