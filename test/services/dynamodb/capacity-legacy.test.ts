import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';

describe('DynamoDB consumed capacity', () => {
  test('units are computed as DynamoDB computes them, by table and index', () =>
    withDynamo(async ({ ddb }) => {
      await ddb.send(
        new CreateTableCommand({
          TableName: 'Cap',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'N' },
            { AttributeName: 'g', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        }),
      );
      const small = await ddb.send(new PutItemCommand({ TableName: 'Cap', Item: { pk: { S: 'a' }, sk: { N: '1' } }, ReturnConsumedCapacity: 'TOTAL' }));
      assert.deepEqual(small.ConsumedCapacity, { TableName: 'Cap', CapacityUnits: 1 });
      // 3 KB item with a GSI key: 3 units on the table, 1 on the (keys-only) index.
      const big = await ddb.send(
        new PutItemCommand({ TableName: 'Cap', Item: { pk: { S: 'a' }, sk: { N: '2' }, g: { S: 'x' }, pad: { S: 'p'.repeat(3000) } }, ReturnConsumedCapacity: 'INDEXES' }),
      );
      assert.deepEqual(big.ConsumedCapacity, {
        TableName: 'Cap',
        CapacityUnits: 4,
        Table: { CapacityUnits: 3 },
        GlobalSecondaryIndexes: { byG: { CapacityUnits: 1 } },
      });
      // Changing the index key costs a delete and a put on the index.
      const moved = await ddb.send(
        new UpdateItemCommand({ TableName: 'Cap', Key: { pk: { S: 'a' }, sk: { N: '2' } }, UpdateExpression: 'SET g = :y', ExpressionAttributeValues: { ':y': { S: 'y' } }, ReturnConsumedCapacity: 'INDEXES' }),
      );
      assert.equal(moved.ConsumedCapacity?.GlobalSecondaryIndexes?.byG?.CapacityUnits, 2);

      const eventual = await ddb.send(new GetItemCommand({ TableName: 'Cap', Key: { pk: { S: 'a' }, sk: { N: '2' } }, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(eventual.ConsumedCapacity?.CapacityUnits, 0.5);
      const strong = await ddb.send(new GetItemCommand({ TableName: 'Cap', Key: { pk: { S: 'a' }, sk: { N: '2' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(strong.ConsumedCapacity?.CapacityUnits, 1);
      const missing = await ddb.send(new GetItemCommand({ TableName: 'Cap', Key: { pk: { S: 'zz' }, sk: { N: '2' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(missing.ConsumedCapacity?.CapacityUnits, 1, 'a miss still costs a read');

      for (let i = 10; i < 20; i++) await ddb.send(new PutItemCommand({ TableName: 'Cap', Item: { pk: { S: 'q' }, sk: { N: String(i) }, pad: { S: 'p'.repeat(1000) } } }));
      // 10 items of about 1 KB each read together: 10 KB → 3 units strongly, 1.5 eventually.
      const q = await ddb.send(new QueryCommand({ TableName: 'Cap', KeyConditionExpression: 'pk = :q', ExpressionAttributeValues: { ':q': { S: 'q' } }, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(q.ConsumedCapacity?.CapacityUnits, 1.5);

      const tx = await ddb.send(
        new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'Cap', Item: { pk: { S: 't' }, sk: { N: '1' } } } }], ReturnConsumedCapacity: 'TOTAL' }),
      );
      // Only a transaction's answer names the kind of units as well.
      assert.deepEqual(tx.ConsumedCapacity, [{ TableName: 'Cap', CapacityUnits: 2, WriteCapacityUnits: 2 }], 'transactions cost double');
    }));
});

describe('DynamoDB Query and Scan capacity', () => {
  test('reads are charged on the bytes read, summed and rounded up to 4 KB once, per table and index', () =>
    withDynamo(async ({ ddb }) => {
      await ddb.send(
        new CreateTableCommand({
          TableName: 'Reads',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
            { AttributeName: 'l', AttributeType: 'S' },
            { AttributeName: 'g', AttributeType: 'S' },
          ],
          LocalSecondaryIndexes: [
            { IndexName: 'byL', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          ],
          GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        }),
      );
      // Six items of exactly 3,000 bytes (names and values): 18,000 bytes read → 5 units of 4 KB.
      const pad = 'p'.repeat(3000 - 'pk'.length - 1 - 'sk'.length - 1 - 'l'.length - 1 - 'g'.length - 1 - 'pad'.length);
      for (let i = 0; i < 6; i++) {
        await ddb.send(new PutItemCommand({ TableName: 'Reads', Item: { pk: { S: 'a' }, sk: { S: String(i) }, l: { S: String(i) }, g: { S: 'x' }, pad: { S: pad } } }));
      }
      const scan = (extra: Partial<ConstructorParameters<typeof ScanCommand>[0]>) => ddb.send(new ScanCommand({ TableName: 'Reads', ...extra }));
      assert.deepEqual((await scan({ ReturnConsumedCapacity: 'TOTAL' })).ConsumedCapacity, { TableName: 'Reads', CapacityUnits: 2.5 }, 'eventually consistent: half');
      assert.deepEqual((await scan({ ReturnConsumedCapacity: 'INDEXES', ConsistentRead: true })).ConsumedCapacity, {
        TableName: 'Reads',
        CapacityUnits: 5,
        Table: { CapacityUnits: 5 },
      });
      // Limit stops the read: what was not read is not charged (2 items, 6,000 bytes → 2 units).
      assert.equal((await scan({ ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true, Limit: 2 })).ConsumedCapacity?.CapacityUnits, 2);
      // A filter does not lower the cost: every item read is charged.
      const filtered = await scan({ ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true, FilterExpression: 'sk = :s', ExpressionAttributeValues: { ':s': { S: '1' } } });
      assert.equal(filtered.Count, 1);
      assert.equal(filtered.ConsumedCapacity?.CapacityUnits, 5);
      // An empty read costs a read's minimum.
      const none = await ddb.send(new QueryCommand({ TableName: 'Reads', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'none' } }, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(none.ConsumedCapacity?.CapacityUnits, 0.5);

      // A GSI read is charged to the index, on the index's (keys-only) items; the table reads nothing.
      const gsi = await ddb.send(
        new QueryCommand({ TableName: 'Reads', IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'x' } }, ReturnConsumedCapacity: 'INDEXES' }),
      );
      assert.equal(gsi.Count, 6);
      assert.deepEqual(gsi.ConsumedCapacity, { TableName: 'Reads', CapacityUnits: 0.5, Table: { CapacityUnits: 0 }, GlobalSecondaryIndexes: { byG: { CapacityUnits: 0.5 } } });
      // An LSI read asking for attributes the index does not hold reads the table for them too.
      const lsi = await ddb.send(
        new QueryCommand({
          TableName: 'Reads',
          IndexName: 'byL',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'a' } },
          Select: 'ALL_ATTRIBUTES',
          ConsistentRead: true,
          ReturnConsumedCapacity: 'INDEXES',
        }),
      );
      assert.equal(lsi.Items?.[0]?.pad?.S, pad);
      assert.deepEqual(lsi.ConsumedCapacity, { TableName: 'Reads', CapacityUnits: 6, Table: { CapacityUnits: 5 }, LocalSecondaryIndexes: { byL: { CapacityUnits: 1 } } });
    }));
});

describe('DynamoDB legacy parameters', () => {
  test('Expected, AttributeUpdates, KeyConditions, QueryFilter, ScanFilter and AttributesToGet', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Old', { range: 'N' });
      for (let i = 1; i <= 5; i++) {
        await ddb.send(new PutItemCommand({ TableName: 'Old', Item: { pk: { S: 'p' }, sk: { N: String(i) }, color: { S: i % 2 ? 'red' : 'blue' }, n: { N: String(i * 10) } } }));
      }
      await ddb.send(
        new UpdateItemCommand({
          TableName: 'Old',
          Key: { pk: { S: 'p' }, sk: { N: '1' } },
          AttributeUpdates: { n: { Action: 'ADD', Value: { N: '5' } }, color: { Action: 'DELETE' }, tags: { Action: 'PUT', Value: { SS: ['x'] } } },
          Expected: { n: { Value: { N: '10' } } },
        }),
      );
      const one = await ddb.send(new GetItemCommand({ TableName: 'Old', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributesToGet: ['n', 'color', 'tags'] }));
      assert.deepEqual(one.Item, { n: { N: '15' }, tags: { SS: ['x'] } });
      await rejectsWith(
        ddb.send(new UpdateItemCommand({ TableName: 'Old', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { n: { Action: 'ADD', Value: { N: '1' } } }, Expected: { n: { Value: { N: '10' } } } })),
        'ConditionalCheckFailedException',
      );
      const q = await ddb.send(
        new QueryCommand({
          TableName: 'Old',
          KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'p' }] }, sk: { ComparisonOperator: 'GE', AttributeValueList: [{ N: '2' }] } },
          QueryFilter: { color: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'red' }] } },
        }),
      );
      assert.deepEqual(q.Items?.map((i) => i.sk!.N), ['3', '5']);
      const s = await ddb.send(
        new ScanCommand({
          TableName: 'Old',
          ScanFilter: { n: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '20' }, { N: '40' }] }, color: { ComparisonOperator: 'NOT_NULL' } },
          ConditionalOperator: 'AND',
        }),
      );
      assert.deepEqual(s.Items?.map((i) => i.sk!.N).sort(), ['2', '3', '4']);
      await rejectsWith(
        ddb.send(new QueryCommand({ TableName: 'Old', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, QueryFilter: { color: { ComparisonOperator: 'NOT_NULL' } } })),
        'ValidationException',
        'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}',
      );
    }));
});
