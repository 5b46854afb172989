import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchWriteItemCommand, CreateTableCommand, PutItemCommand, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';

async function fill(ddb: Parameters<Parameters<typeof withDynamo>[0]>[0]['ddb'], table: string, items: Record<string, AttributeValue>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

describe('DynamoDB Query and Scan', () => {
  test('numeric sort keys order numerically, both directions, with conditions', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Num', { range: 'N' });
      const values = ['-10', '-2.5', '0', '1', '2', '10', '100', '1e3', '0.001'];
      await fill(ddb, 'Num', values.map((v) => ({ pk: { S: 'p' }, sk: { N: v } })));
      const q = (expr: string, vals: Record<string, AttributeValue>, forward = true) =>
        ddb
          .send(new QueryCommand({ TableName: 'Num', KeyConditionExpression: expr, ExpressionAttributeValues: vals, ScanIndexForward: forward }))
          .then((r) => r.Items!.map((i) => i.sk!.N));
      assert.deepEqual(await q('pk = :p', { ':p': { S: 'p' } }), ['-10', '-2.5', '0', '0.001', '1', '2', '10', '100', '1000']);
      assert.deepEqual(await q('pk = :p', { ':p': { S: 'p' } }, false), ['1000', '100', '10', '2', '1', '0.001', '0', '-2.5', '-10']);
      assert.deepEqual(await q('pk = :p AND sk BETWEEN :a AND :b', { ':p': { S: 'p' }, ':a': { N: '-3' }, ':b': { N: '2' } }), ['-2.5', '0', '0.001', '1', '2']);
      assert.deepEqual(await q('pk = :p AND sk > :a', { ':p': { S: 'p' }, ':a': { N: '10' } }), ['100', '1000']);
    }));

  test('begins_with, filters, projection, Select COUNT and pagination with Limit', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Str');
      const items = Array.from({ length: 30 }, (_, i) => ({
        pk: { S: 'user' },
        sk: { S: `order#${String(i).padStart(3, '0')}` },
        total: { N: String(i * 10) },
      }));
      items.push({ pk: { S: 'user' }, sk: { S: 'profile' }, total: { N: '0' } });
      await fill(ddb, 'Str', items);
      const base = { TableName: 'Str', KeyConditionExpression: 'pk = :p AND begins_with(sk, :o)', ExpressionAttributeValues: { ':p': { S: 'user' }, ':o': { S: 'order#' } } };
      const all = await ddb.send(new QueryCommand(base));
      assert.equal(all.Count, 30);
      const filtered = await ddb.send(
        new QueryCommand({ ...base, FilterExpression: '#t >= :min', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ':min': { N: '250' } } }),
      );
      assert.equal(filtered.Count, 5);
      assert.equal(filtered.ScannedCount, 30);
      const counted = await ddb.send(new QueryCommand({ ...base, Select: 'COUNT' }));
      assert.equal(counted.Count, 30);
      assert.equal(counted.Items, undefined);
      const projected = await ddb.send(new QueryCommand({ ...base, ProjectionExpression: 'sk', Limit: 2 }));
      assert.deepEqual(projected.Items, [{ sk: { S: 'order#000' } }, { sk: { S: 'order#001' } }]);
      assert.deepEqual(projected.LastEvaluatedKey, { pk: { S: 'user' }, sk: { S: 'order#001' } });

      const seen: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await ddb.send(new QueryCommand({ ...base, Limit: 7, ExclusiveStartKey: start }));
        seen.push(...page.Items!.map((i) => i.sk!.S!));
        start = page.LastEvaluatedKey;
      } while (start);
      assert.equal(seen.length, 30);
      assert.equal(new Set(seen).size, 30);

      await rejectsWith(
        ddb.send(new QueryCommand({ TableName: 'Str', KeyConditionExpression: 'sk = :s', ExpressionAttributeValues: { ':s': { S: 'x' } } })),
        'ValidationException',
        'Query condition missed key schema element: pk',
      );
      await rejectsWith(
        ddb.send(new QueryCommand({ TableName: 'Str', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'user' } }, Select: 'ALL_ATTRIBUTES', ProjectionExpression: 'sk' })),
        'ValidationException',
        'Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES',
      );
    }));

  test('a page stops at 1 MB read', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Big');
      const blob = 'x'.repeat(100 * 1024);
      for (let i = 0; i < 15; i++) await ddb.send(new PutItemCommand({ TableName: 'Big', Item: { pk: { S: 'p' }, sk: { S: `k${String(i).padStart(2, '0')}` }, blob: { S: blob } } }));
      const first = await ddb.send(new QueryCommand({ TableName: 'Big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }));
      // Ten items of 100 KB stay under 1 MB as stored; the page ends with the eleventh, which crosses it.
      assert.equal(first.Count, 11);
      assert.ok(first.LastEvaluatedKey);
      const rest = await ddb.send(
        new QueryCommand({ TableName: 'Big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, ExclusiveStartKey: first.LastEvaluatedKey }),
      );
      assert.equal(first.Count! + rest.Count!, 15);
      assert.equal(rest.LastEvaluatedKey, undefined);
    }));

  test('parallel Scan segments cover the table exactly once', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Par', { range: false });
      await fill(ddb, 'Par', Array.from({ length: 200 }, (_, i) => ({ pk: { S: `item-${i}` }, n: { N: String(i) } })));
      const seen: string[] = [];
      for (let segment = 0; segment < 4; segment++) {
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await ddb.send(new ScanCommand({ TableName: 'Par', Segment: segment, TotalSegments: 4, Limit: 13, ExclusiveStartKey: start }));
          seen.push(...page.Items!.map((i) => i.pk!.S!));
          start = page.LastEvaluatedKey;
        } while (start);
      }
      assert.equal(seen.length, 200);
      assert.equal(new Set(seen).size, 200);
      const filtered = await ddb.send(new ScanCommand({ TableName: 'Par', FilterExpression: 'n < :ten', ExpressionAttributeValues: { ':ten': { N: '10' } } }));
      assert.equal(filtered.Count, 10);
      await rejectsWith(
        ddb.send(new ScanCommand({ TableName: 'Par', Segment: 4, TotalSegments: 4 })),
        'ValidationException',
        'The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4',
      );
    }));

  test('local and global secondary indexes with projections', () =>
    withDynamo(async ({ ddb }) => {
      await ddb.send(
        new CreateTableCommand({
          TableName: 'Orders',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: 'customer', KeyType: 'HASH' },
            { AttributeName: 'orderId', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'customer', AttributeType: 'S' },
            { AttributeName: 'orderId', AttributeType: 'S' },
            { AttributeName: 'placed', AttributeType: 'N' },
            { AttributeName: 'status', AttributeType: 'S' },
          ],
          LocalSecondaryIndexes: [
            { IndexName: 'byPlaced', KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'placed', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byStatus',
              KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'placed', KeyType: 'RANGE' }],
              Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] },
            },
          ],
        }),
      );
      const orders = [
        { customer: 'c1', orderId: 'o1', placed: 30, status: 'open', total: 5, note: 'n1' },
        { customer: 'c1', orderId: 'o2', placed: 10, status: 'open', total: 7, note: 'n2' },
        { customer: 'c1', orderId: 'o3', placed: 20, status: 'shipped', total: 9, note: 'n3' },
        { customer: 'c2', orderId: 'o4', placed: 5, status: 'open', total: 1, note: 'n4' },
      ];
      for (const o of orders) {
        await ddb.send(
          new PutItemCommand({
            TableName: 'Orders',
            Item: { customer: { S: o.customer }, orderId: { S: o.orderId }, placed: { N: String(o.placed) }, status: { S: o.status }, total: { N: String(o.total) }, note: { S: o.note } },
          }),
        );
      }
      const put = await ddb.send(
        new PutItemCommand({ TableName: 'Orders', Item: { customer: { S: 'c9' }, orderId: { S: 'o9' } }, ReturnItemCollectionMetrics: 'SIZE' }),
      );
      assert.deepEqual(put.ItemCollectionMetrics?.ItemCollectionKey, { customer: { S: 'c9' } }, 'a table with an LSI reports its item collection');
      await rejectsWith(
        ddb.send(new QueryCommand({ TableName: 'Orders', KeyConditionExpression: 'customer = :c', FilterExpression: 'orderId <> :o', ExpressionAttributeValues: { ':c': { S: 'c1' }, ':o': { S: 'o1' } } })),
        'ValidationException',
        'Filter Expression can only contain non-primary key attributes: Primary key attribute: orderId',
      );
      const lsi = await ddb.send(new QueryCommand({ TableName: 'Orders', IndexName: 'byPlaced', KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } } }));
      assert.deepEqual(lsi.Items?.map((i) => i.orderId!.S), ['o2', 'o3', 'o1']);
      assert.deepEqual(Object.keys(lsi.Items![0]!).sort(), ['customer', 'orderId', 'placed']);
      const lsiAll = await ddb.send(
        new QueryCommand({ TableName: 'Orders', IndexName: 'byPlaced', KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } }, Select: 'ALL_ATTRIBUTES' }),
      );
      assert.equal(lsiAll.Items![0]!.note!.S, 'n2', 'an LSI read fetches unprojected attributes from the table');

      const gsi = await ddb.send(new QueryCommand({ TableName: 'Orders', IndexName: 'byStatus', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'open' } } }));
      assert.deepEqual(gsi.Items?.map((i) => i.orderId!.S), ['o4', 'o2', 'o1']);
      assert.deepEqual(Object.keys(gsi.Items![0]!).sort(), ['customer', 'orderId', 'placed', 'status', 'total']);
      await rejectsWith(
        ddb.send(new QueryCommand({ TableName: 'Orders', IndexName: 'byStatus', ConsistentRead: true, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'open' } } })),
        'ValidationException',
        'Consistent reads are not supported on global secondary indexes',
      );
      await rejectsWith(
        ddb.send(new QueryCommand({ TableName: 'Orders', IndexName: 'byStatus', Select: 'ALL_ATTRIBUTES', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'open' } } })),
        'ValidationException',
        'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byStatus because its projection type is not ALL',
      );
      // Moving an item between index partitions and out of the (sparse) index.
      await ddb.send(new PutItemCommand({ TableName: 'Orders', Item: { customer: { S: 'c1' }, orderId: { S: 'o1' }, placed: { N: '30' }, status: { S: 'shipped' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'Orders', Item: { customer: { S: 'c1' }, orderId: { S: 'o2' }, placed: { N: '10' } } }));
      const open = await ddb.send(new ScanCommand({ TableName: 'Orders', IndexName: 'byStatus', FilterExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'open' } } }));
      assert.deepEqual(open.Items?.map((i) => i.orderId!.S), ['o4']);
      const paged = await ddb.send(new QueryCommand({ TableName: 'Orders', IndexName: 'byStatus', Limit: 1, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'shipped' } } }));
      assert.deepEqual(paged.LastEvaluatedKey, { customer: { S: 'c1' }, orderId: { S: 'o3' }, status: { S: 'shipped' }, placed: { N: '20' } });
      const rest = await ddb.send(new QueryCommand({ TableName: 'Orders', IndexName: 'byStatus', ExclusiveStartKey: paged.LastEvaluatedKey, KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'shipped' } } }));
      assert.deepEqual(rest.Items?.map((i) => i.orderId!.S), ['o1']);
    }));
});
