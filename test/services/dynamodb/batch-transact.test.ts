import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';

describe('DynamoDB batches and transactions', () => {
  test('BatchWriteItem and BatchGetItem, with their limits', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Bat', { range: false });
      await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: { Bat: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `k${i}` }, n: { N: String(i) } } } })) },
        }),
      );
      const batch = await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: { Bat: [{ DeleteRequest: { Key: { pk: { S: 'k0' } } } }, { PutRequest: { Item: { pk: { S: 'k1' }, n: { N: '100' } } } }] },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      assert.deepEqual(batch.UnprocessedItems, {});
      assert.equal(batch.ConsumedCapacity?.[0]?.CapacityUnits, 2);
      const got = await ddb.send(
        new BatchGetItemCommand({ RequestItems: { Bat: { Keys: [{ pk: { S: 'k0' } }, { pk: { S: 'k1' } }, { pk: { S: 'k2' } }], ProjectionExpression: 'n' } } }),
      );
      assert.deepEqual(got.Responses?.Bat?.map((i) => i.n!.N).sort(), ['100', '2']);
      assert.deepEqual(got.UnprocessedKeys, {});

      // More than 100 keys for one table break that member's constraint; over 100 in all, the call's limit.
      const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: { S: `x${i}` } }));
      await assert.rejects(ddb.send(new BatchGetItemCommand({ RequestItems: { Bat: { Keys: keys(101) } } })), (e: Error) =>
        /^1 validation error detected: Value '\[\{pk=\{S=x0\}\}, .*\]' at 'requestItems\.Bat\.member\.keys' failed to satisfy constraint: Member must have length less than or equal to 100$/.test(e.message),
      );
      await rejectsWith(
        ddb.send(new BatchGetItemCommand({ RequestItems: { Bat: { Keys: keys(60) }, Other: { Keys: keys(41) } } })),
        'ValidationException',
        'Too many items requested for the BatchGetItem call',
      );
      await rejectsWith(
        ddb.send(new BatchGetItemCommand({ RequestItems: { Bat: { Keys: [{ pk: { S: 'a' } }, { pk: { S: 'a' } }] } } })),
        'ValidationException',
        'Provided list of item keys contains duplicates',
      );
      await assert.rejects(
        ddb.send(new BatchWriteItemCommand({ RequestItems: { Bat: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `z${i}` } } } })) } })),
        (e: Error) => e.name === 'ValidationException' && e.message.includes('Member must have length less than or equal to 25'),
      );
    }));

  test('TransactWriteItems is all or nothing, with one reason per action', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Acct', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'Acct', Item: { pk: { S: 'alice' }, balance: { N: '100' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'Acct', Item: { pk: { S: 'bob' }, balance: { N: '0' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'Acct', Item: { pk: { S: 'bank' }, open: { BOOL: true } } }));
      const transfer = (amount: string) =>
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: 'Acct',
                Key: { pk: { S: 'alice' } },
                UpdateExpression: 'SET balance = balance - :a',
                ConditionExpression: 'balance >= :a',
                ExpressionAttributeValues: { ':a': { N: amount } },
              },
            },
            { Update: { TableName: 'Acct', Key: { pk: { S: 'bob' } }, UpdateExpression: 'SET balance = balance + :a', ExpressionAttributeValues: { ':a': { N: amount } } } },
            { ConditionCheck: { TableName: 'Acct', Key: { pk: { S: 'bank' } }, ConditionExpression: '#o = :t', ExpressionAttributeNames: { '#o': 'open' }, ExpressionAttributeValues: { ':t': { BOOL: true } } } },
          ],
        });
      await ddb.send(transfer('60'));
      await assert.rejects(ddb.send(transfer('60')), (e: unknown) => {
        assert.ok(e instanceof TransactionCanceledException);
        assert.equal(e.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]');
        assert.deepEqual(e.CancellationReasons?.map((r) => r.Code), ['ConditionalCheckFailed', 'None', 'None']);
        return true;
      });
      const balances = await ddb.send(
        new TransactGetItemsCommand({
          TransactItems: [{ Get: { TableName: 'Acct', Key: { pk: { S: 'alice' } } } }, { Get: { TableName: 'Acct', Key: { pk: { S: 'bob' } } } }],
        }),
      );
      assert.deepEqual(balances.Responses?.map((r) => r.Item?.balance?.N), ['40', '60']);
      await rejectsWith(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: 'Acct', Item: { pk: { S: 'x' } } } },
              { Delete: { TableName: 'Acct', Key: { pk: { S: 'x' } } } },
            ],
          }),
        ),
        'ValidationException',
        'Transaction request cannot include multiple operations on one item',
      );
    }));

  test('ClientRequestToken makes a transaction idempotent', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Ctr', { range: false });
      const inc = (token: string, by = '1') =>
        new TransactWriteItemsCommand({
          ClientRequestToken: token,
          TransactItems: [{ Update: { TableName: 'Ctr', Key: { pk: { S: 'c' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: by } } } }],
        });
      await ddb.send(inc('token-1'));
      await ddb.send(inc('token-1'));
      const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Ctr', Key: { pk: { S: 'c' } } }));
      assert.equal(Item?.n?.N, '1');
      await rejectsWith(ddb.send(inc('token-1', '2')), 'IdempotentParameterMismatchException');
      await ddb.send(inc('token-2'));
      const after = await ddb.send(new GetItemCommand({ TableName: 'Ctr', Key: { pk: { S: 'c' } } }));
      assert.equal(after.Item?.n?.N, '2');
    }));
});
