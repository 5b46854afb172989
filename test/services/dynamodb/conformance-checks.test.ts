/**
 * Checks DynamoDB makes that Nimbus missed, and results it got wrong (issue 15, second part):
 * index key sizes and empty index keys (on writes and in a backfill), UPDATED_NEW after
 * removing a list element, a key of the wrong type inside a transaction, DeleteTable's answer,
 * declared constraints (empty AttributesToGet, unknown ConditionalOperator, table names), and
 * the Streams API's ARN and iterator checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  type TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';
import { ACCOUNT } from '../../helpers/nimbus.js';

const INVALID = 'One or more parameter values were invalid: ';

describe('DynamoDB checks and results', () => {
  it('holds index keys to 2048/1024 bytes on writes, and leaves oversized or empty values out of a backfilled index', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'ixsize', {
        extra: {
          AttributeDefinitions: [
            { AttributeName: 'g', AttributeType: 'S' },
            { AttributeName: 'r', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexes: [
            { IndexName: 'byg', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }, { AttributeName: 'r', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
          ],
        },
      });
      const put = (Item: Record<string, { S: string }>) => ddb.send(new PutItemCommand({ TableName: 'ixsize', Item: { pk: { S: 'p' }, sk: { S: 's' }, ...Item } }));
      await rejectsWith(put({ g: { S: 'x'.repeat(2049) } }), 'ValidationException', `${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`);
      await rejectsWith(put({ g: { S: 'a' }, r: { S: 'x'.repeat(1025) } }), 'ValidationException', `${INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes`);
      await put({ g: { S: 'x'.repeat(2048) }, r: { S: 'y'.repeat(1024) } });
      const back = await ddb.send(new QueryCommand({ TableName: 'ixsize', IndexName: 'byg', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': { S: 'x'.repeat(2048) } } }));
      assert.equal(back.Count, 1);

      // Items written before an index exists are backfilled; those its keys refuse stay out.
      await createTable(ddb, 'ixfill', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'ixfill', Item: { pk: { S: 'ok' }, h: { S: 'v' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'ixfill', Item: { pk: { S: 'empty' }, h: { S: '' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'ixfill', Item: { pk: { S: 'big' }, h: { S: 'z'.repeat(2049) } } }));
      await ddb.send(
        new UpdateTableCommand({
          TableName: 'ixfill',
          AttributeDefinitions: [{ AttributeName: 'h', AttributeType: 'S' }],
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byh', KeySchema: [{ AttributeName: 'h', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } } }],
        }),
      );
      for (let i = 0; i < 50; i++) {
        const d = await ddb.send(new DescribeTableCommand({ TableName: 'ixfill' }));
        if (d.Table?.GlobalSecondaryIndexes?.[0]?.IndexStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const indexed = await ddb.send(new ScanCommand({ TableName: 'ixfill', IndexName: 'byh' }));
      assert.deepEqual(indexed.Items, [{ pk: { S: 'ok' }, h: { S: 'v' } }]);
    }));

  it('answers UPDATED_NEW after REMOVE of a list element with that position as it is after the update', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'lists', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'lists', Item: { pk: { S: 'a' }, a: { M: { c: { L: [{ S: '0' }, { S: '1' }, { S: '2' }] } } } } }));
      const res = await ddb.send(new UpdateItemCommand({ TableName: 'lists', Key: { pk: { S: 'a' } }, UpdateExpression: 'REMOVE a.c[1]', ReturnValues: 'UPDATED_NEW' }));
      assert.deepEqual(res.Attributes, { a: { M: { c: { L: [{ S: '2' }] } } } });
      const removed = await ddb.send(new UpdateItemCommand({ TableName: 'lists', Key: { pk: { S: 'a' } }, UpdateExpression: 'REMOVE a.c', ReturnValues: 'UPDATED_NEW' }));
      assert.equal(removed.Attributes, undefined);
    }));

  it('cancels a transaction with a key of the wrong type, the reason on that action', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'txk', { range: false });
      const err = await ddb
        .send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: 'txk', Item: { pk: { S: 'fine' } } } },
              { Put: { TableName: 'txk', Item: { pk: { N: '1' } } } },
              { Delete: { TableName: 'txk', Key: { pk: { B: new Uint8Array([1]) } } } },
            ],
          }),
        )
        .then(
          () => assert.fail('the transaction went through'),
          (e: TransactionCanceledException) => e,
        );
      assert.equal(err.name, 'TransactionCanceledException');
      assert.deepEqual(
        err.CancellationReasons?.map((r) => [r.Code, r.Message]),
        [
          ['None', undefined],
          ['ValidationError', `${INVALID}Type mismatch for key pk expected: S actual: N`],
          ['ValidationError', 'The provided key element does not match the schema'],
        ],
      );
      assert.equal((await ddb.send(new GetItemCommand({ TableName: 'txk', Key: { pk: { S: 'fine' } } }))).Item, undefined);
    }));

  it('refuses an ExclusiveStartKey outside the key condition\'s range, and pages normally within it', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'ranged');
      for (const sk of ['a', 'c', 'n', 'p', 'z']) await ddb.send(new PutItemCommand({ TableName: 'ranged', Item: { pk: { S: 'p' }, sk: { S: sk } } }));
      const q = (ExclusiveStartKey?: Record<string, { S: string }>) =>
        ddb.send(
          new QueryCommand({
            TableName: 'ranged',
            KeyConditionExpression: 'pk = :p AND sk > :s',
            ExpressionAttributeValues: { ':p': { S: 'p' }, ':s': { S: 'm' } },
            Limit: 1,
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        );
      // DynamoDB's words (as dynalite's suite captured them): the sort key outside the condition,
      // then another partition under a sort key condition.
      const predicate = 'The provided starting key does not match the range key predicate';
      await rejectsWith(q({ pk: { S: 'p' }, sk: { S: 'c' } }), 'ValidationException', predicate);
      await rejectsWith(q({ pk: { S: 'p' }, sk: { S: 'm' } }), 'ValidationException', predicate);
      await rejectsWith(q({ pk: { S: 'other' }, sk: { S: 'n' } }), 'ValidationException', 'The query can return at most one row and cannot be restarted');
      const first = await q();
      assert.deepEqual(first.Items?.map((i) => i.sk!.S), ['n']);
      const second = await q(first.LastEvaluatedKey as Record<string, { S: string }>);
      assert.deepEqual(second.Items?.map((i) => i.sk!.S), ['p']);
    }));

  it('answers DeleteTable without the key schema, definitions, creation time or indexes', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'gone');
      const d = await ddb.send(new DeleteTableCommand({ TableName: 'gone' }));
      const t = d.TableDescription!;
      assert.equal(t.TableStatus, 'DELETING');
      assert.equal(t.TableName, 'gone');
      for (const absent of ['KeySchema', 'AttributeDefinitions', 'CreationDateTime', 'LocalSecondaryIndexes', 'GlobalSecondaryIndexes'] as const) assert.equal(t[absent], undefined, absent);
    }));

  it('checks declared members before the table: empty AttributesToGet, unknown ConditionalOperator, table names', () =>
    withDynamo(async ({ ddb }) => {
      await rejectsWith(
        ddb.send(new GetItemCommand({ TableName: 'nothere', Key: { pk: { S: 'a' } }, AttributesToGet: [] })),
        'ValidationException',
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      await rejectsWith(
        ddb.send(new PutItemCommand({ TableName: 'nothere', Item: { pk: { S: 'a' } }, ConditionalOperator: 'XOR' as 'AND' })),
        'ValidationException',
        "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [OR, AND]",
      );
      await rejectsWith(
        ddb.send(new CreateTableCommand({ TableName: 'bad name!', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] })),
        'ValidationException',
        "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
      );
    }));

  it('checks stream ARNs and shard iterator requests as DynamoDB Streams does', () =>
    withDynamo(async ({ ddb, streams }) => {
      await createTable(ddb, 'streamed', { range: false, extra: { StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } } });
      const arn = (await ddb.send(new DescribeTableCommand({ TableName: 'streamed' }))).Table!.LatestStreamArn!;
      await rejectsWith(streams.send(new DescribeStreamCommand({ StreamArn: 'x'.repeat(40) })), 'ValidationException', 'Invalid StreamArn');
      await rejectsWith(
        streams.send(new DescribeStreamCommand({ StreamArn: 'short' })),
        'ValidationException',
        "1 validation error detected: Value 'short' at 'streamArn' failed to satisfy constraint: Member must have length greater than or equal to 37",
      );
      await rejectsWith(
        streams.send(new DescribeStreamCommand({ StreamArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/streamed/stream/nope` })),
        'ResourceNotFoundException',
      );
      const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards![0]!.ShardId!;
      await rejectsWith(
        streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'LATEST', SequenceNumber: '1'.repeat(21) })),
        'ValidationException',
        'Invalid Request: SequenceNumber must not be provided for ShardIteratorType LATEST',
      );
      await rejectsWith(
        streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'AT_SEQUENCE_NUMBER' })),
        'ValidationException',
        'Invalid Request: SequenceNumber must be provided for ShardIteratorType AT_SEQUENCE_NUMBER',
      );
      await rejectsWith(
        streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: 'short', ShardIteratorType: 'BOGUS' as 'LATEST' })),
        'ValidationException',
        "2 validation errors detected: Value 'short' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 28; " +
          "Value 'BOGUS' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]",
      );
      const it = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }));
      assert.ok(it.ShardIterator);
    }));
});
