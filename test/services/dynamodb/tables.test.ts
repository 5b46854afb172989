import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  GetItemCommand,
  waitUntilTableExists,
  DescribeEndpointsCommand,
  DescribeLimitsCommand,
} from '@aws-sdk/client-dynamodb';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';

describe('DynamoDB tables', () => {
  test('create, describe, wait, list, delete', () =>
    withDynamo(async ({ ddb }) => {
      const created = await ddb.send(
        new CreateTableCommand({
          TableName: 'Music',
          KeySchema: [
            { AttributeName: 'Artist', KeyType: 'HASH' },
            { AttributeName: 'Song', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'Artist', AttributeType: 'S' },
            { AttributeName: 'Song', AttributeType: 'S' },
          ],
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        }),
      );
      assert.equal(created.TableDescription?.TableStatus, 'CREATING');
      assert.equal(created.TableDescription?.TableArn, 'arn:aws:dynamodb:us-east-1:000000000000:table/Music');
      await waitUntilTableExists({ client: ddb, maxWaitTime: 5, minDelay: 1 }, { TableName: 'Music' });
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'Music' }));
      assert.equal(Table?.TableStatus, 'ACTIVE');
      assert.equal(Table?.ItemCount, 0);
      assert.deepEqual(Table?.ProvisionedThroughput?.ReadCapacityUnits, 5);
      assert.ok(Table?.CreationDateTime instanceof Date);

      await createTable(ddb, 'Alpha');
      const listed = await ddb.send(new ListTablesCommand({}));
      assert.deepEqual(listed.TableNames, ['Alpha', 'Music']);
      const page = await ddb.send(new ListTablesCommand({ Limit: 1 }));
      assert.deepEqual(page.TableNames, ['Alpha']);
      assert.equal(page.LastEvaluatedTableName, 'Alpha');
      const next = await ddb.send(new ListTablesCommand({ ExclusiveStartTableName: 'Alpha' }));
      assert.deepEqual(next.TableNames, ['Music']);

      await rejectsWith(ddb.send(new CreateTableCommand({
        TableName: 'Music',
        KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      })), 'ResourceInUseException', 'Table already exists: Music');

      const deleted = await ddb.send(new DeleteTableCommand({ TableName: 'Music' }));
      assert.equal(deleted.TableDescription?.TableStatus, 'DELETING');
      await rejectsWith(ddb.send(new DescribeTableCommand({ TableName: 'Music' })), 'ResourceNotFoundException', 'Requested resource not found: Table: Music not found');
      await rejectsWith(ddb.send(new GetItemCommand({ TableName: 'Music', Key: { Artist: { S: 'a' }, Song: { S: 'b' } } })), 'ResourceNotFoundException', 'Requested resource not found');
    }));

  test('a re-created table starts empty', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Tb1', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'Tb1', Item: { pk: { S: 'a' } } }));
      await ddb.send(new DeleteTableCommand({ TableName: 'Tb1' }));
      await createTable(ddb, 'Tb1', { range: false });
      const got = await ddb.send(new GetItemCommand({ TableName: 'Tb1', Key: { pk: { S: 'a' } } }));
      assert.equal(got.Item, undefined);
    }));

  test('missing members and bad names are refused with DynamoDB messages', () =>
    withDynamo(async ({ ddb }) => {
      await rejectsWith(
        ddb.send(new DescribeTableCommand({ TableName: undefined as unknown as string })),
        'ValidationException',
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
      );
      await rejectsWith(
        ddb.send(new DescribeTableCommand({ TableName: 'ab' })),
        'ValidationException',
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
      );
    }));

  test('UpdateTable adds a GSI that is backfilled and queryable, then removes it', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Users', { range: false });
      for (const [pk, email] of [['u1', 'a@x'], ['u2', 'b@x'], ['u3', undefined]] as const) {
        await ddb.send(new PutItemCommand({ TableName: 'Users', Item: { pk: { S: pk }, ...(email ? { email: { S: email } } : {}) } }));
      }
      const updated = await ddb.send(
        new UpdateTableCommand({
          TableName: 'Users',
          AttributeDefinitions: [{ AttributeName: 'email', AttributeType: 'S' }],
          GlobalSecondaryIndexUpdates: [
            { Create: { IndexName: 'byEmail', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } },
          ],
        }),
      );
      assert.equal(updated.TableDescription?.GlobalSecondaryIndexes?.[0]?.IndexName, 'byEmail');
      const q = await ddb.send(
        new QueryCommand({ TableName: 'Users', IndexName: 'byEmail', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: 'b@x' } } }),
      );
      assert.deepEqual(q.Items, [{ pk: { S: 'u2' }, email: { S: 'b@x' } }]);
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'Users' }));
      assert.equal(Table?.GlobalSecondaryIndexes?.[0]?.ItemCount, 2, 'sparse: the item without email is not indexed');
      await ddb.send(new UpdateTableCommand({ TableName: 'Users', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byEmail' } }] }));
      await rejectsWith(
        ddb.send(new QueryCommand({ TableName: 'Users', IndexName: 'byEmail', KeyConditionExpression: 'email = :e', ExpressionAttributeValues: { ':e': { S: 'b@x' } } })),
        'ValidationException',
        'The table does not have the specified index: byEmail',
      );
    }));

  test('TTL settings, tags, endpoints and limits', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Sessions', { range: false });
      const before = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'Sessions' }));
      assert.equal(before.TimeToLiveDescription?.TimeToLiveStatus, 'DISABLED');
      await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'Sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
      const after = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'Sessions' }));
      assert.deepEqual(after.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
      await rejectsWith(
        ddb.send(new UpdateTimeToLiveCommand({ TableName: 'Sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } })),
        'ValidationException',
        'TimeToLive is already enabled',
      );

      const arn = 'arn:aws:dynamodb:us-east-1:000000000000:table/Sessions';
      await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }] }));
      await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['env'] }));
      const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
      assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'a' }]);

      const endpoints = await ddb.send(new DescribeEndpointsCommand({}));
      assert.equal(endpoints.Endpoints?.[0]?.CachePeriodInMinutes, 1440);
      const limits = await ddb.send(new DescribeLimitsCommand({}));
      assert.equal(limits.TableMaxWriteCapacityUnits, 40000);
    }));
});
