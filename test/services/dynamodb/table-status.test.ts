/**
 * Tables passing through CREATING, as DynamoDB's do, when Nimbus is started with a table
 * status delay (--table-status-delay). By default a table is ACTIVE at once (tables.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../../../src/config.js';
import { rejectsWith, withDynamo } from '../../helpers/dynamodb.js';

describe('DynamoDB table status delay', () => {
  test('is off unless asked for, by flag or environment, in milliseconds', () => {
    assert.equal(loadConfig(['--memory'], {}).tableStatusDelayMs, undefined);
    assert.equal(loadConfig(['--memory', '--table-status-delay', '500'], {}).tableStatusDelayMs, 500);
    assert.equal(loadConfig(['--memory'], { NIMBUS_TABLE_STATUS_DELAY: '20' }).tableStatusDelayMs, 20);
    assert.throws(() => loadConfig(['--memory', '--table-status-delay', '-1'], {}), /table status delay/);
  });

  test('a new table is CREATING for the delay: item operations do not find it and it cannot be deleted yet', () =>
    withDynamo(
      async ({ t, ddb }) => {
        const created = await ddb.send(
          new CreateTableCommand({
            TableName: 'Slow',
            BillingMode: 'PAY_PER_REQUEST',
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'g', AttributeType: 'S' },
            ],
            GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
          }),
        );
        assert.equal(created.TableDescription!.TableStatus, 'CREATING');
        const described = await ddb.send(new DescribeTableCommand({ TableName: 'Slow' }));
        assert.equal(described.Table!.TableStatus, 'CREATING');
        assert.equal(described.Table!.GlobalSecondaryIndexes![0]!.IndexStatus, 'CREATING');
        const notFound = (p: Promise<unknown>) => rejectsWith(p, 'ResourceNotFoundException', 'Requested resource not found');
        await notFound(ddb.send(new PutItemCommand({ TableName: 'Slow', Item: { pk: { S: 'a' } } })));
        await notFound(ddb.send(new GetItemCommand({ TableName: 'Slow', Key: { pk: { S: 'a' } } })));
        await notFound(ddb.send(new QueryCommand({ TableName: 'Slow', KeyConditionExpression: 'pk = :a', ExpressionAttributeValues: { ':a': { S: 'a' } } })));
        await notFound(ddb.send(new ScanCommand({ TableName: 'Slow' })));
        await notFound(ddb.send(new BatchWriteItemCommand({ RequestItems: { Slow: [{ PutRequest: { Item: { pk: { S: 'a' } } } }] } })));
        await rejectsWith(
          ddb.send(new DeleteTableCommand({ TableName: 'Slow' })),
          'ResourceInUseException',
          'Attempt to change a resource which is still in use: Table is being created: Slow',
        );

        t.clock.advance(499);
        assert.equal((await ddb.send(new DescribeTableCommand({ TableName: 'Slow' }))).Table!.TableStatus, 'CREATING');
        t.clock.advance(1);
        const active = await ddb.send(new DescribeTableCommand({ TableName: 'Slow' }));
        assert.equal(active.Table!.TableStatus, 'ACTIVE');
        assert.equal(active.Table!.GlobalSecondaryIndexes![0]!.IndexStatus, 'ACTIVE');
        await ddb.send(new PutItemCommand({ TableName: 'Slow', Item: { pk: { S: 'a' } } }));
        assert.deepEqual((await ddb.send(new GetItemCommand({ TableName: 'Slow', Key: { pk: { S: 'a' } } }))).Item, { pk: { S: 'a' } });
        assert.equal((await ddb.send(new DeleteTableCommand({ TableName: 'Slow' }))).TableDescription!.TableStatus, 'DELETING');
      },
      { tableStatusDelayMs: 500 },
    ));
});
