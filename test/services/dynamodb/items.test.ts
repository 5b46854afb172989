import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createTable, rejectsWith, withDynamo } from '../../helpers/dynamodb.js';

describe('DynamoDB items', () => {
  test('put, get, overwrite with ALL_OLD, delete', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Tbl');
      const item = {
        pk: { S: 'p' },
        sk: { S: 's' },
        n: { N: '0012.500' },
        big: { N: '12345678901234567890123456789012345678' },
        b: { B: Buffer.from([0, 1, 255]) },
        flag: { BOOL: true },
        nil: { NULL: true },
        m: { M: { inner: { L: [{ S: 'x' }, { N: '1e3' }] } } },
        ss: { SS: ['b', 'a'] },
        ns: { NS: ['1', '2.50'] },
        bs: { BS: [Buffer.from('q')] },
      };
      await ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: item }));
      const got = await ddb.send(new GetItemCommand({ TableName: 'Tbl', Key: { pk: { S: 'p' }, sk: { S: 's' } }, ConsistentRead: true }));
      assert.equal(got.Item?.n?.N, '12.5', 'numbers come back normalized');
      assert.equal(got.Item?.big?.N, '12345678901234567890123456789012345678', 'all 38 digits are kept');
      assert.deepEqual(got.Item?.b?.B, new Uint8Array([0, 1, 255]));
      assert.deepEqual(got.Item?.m, { M: { inner: { L: [{ S: 'x' }, { N: '1000' }] } } });
      assert.deepEqual(got.Item?.ns?.NS?.sort(), ['1', '2.5']);

      const put = await ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'p' }, sk: { S: 's' }, v: { N: '2' } }, ReturnValues: 'ALL_OLD' }));
      assert.equal(put.Attributes?.n?.N, '12.5');
      const del = await ddb.send(new DeleteItemCommand({ TableName: 'Tbl', Key: { pk: { S: 'p' }, sk: { S: 's' } }, ReturnValues: 'ALL_OLD' }));
      assert.deepEqual(del.Attributes, { pk: { S: 'p' }, sk: { S: 's' }, v: { N: '2' } });
      const gone = await ddb.send(new GetItemCommand({ TableName: 'Tbl', Key: { pk: { S: 'p' }, sk: { S: 's' } } }));
      assert.equal(gone.Item, undefined);
    }));

  test('key validation messages', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Tbl');
      await rejectsWith(
        ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'p' } } })),
        'ValidationException',
        'One or more parameter values were invalid: Missing the key sk in the item',
      );
      await rejectsWith(
        ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { N: '1' }, sk: { S: 's' } } })),
        'ValidationException',
        'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N',
      );
      await rejectsWith(
        ddb.send(new GetItemCommand({ TableName: 'Tbl', Key: { pk: { S: 'p' } } })),
        'ValidationException',
        'The provided key element does not match the schema',
      );
      await rejectsWith(
        ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: '' }, sk: { S: 's' } } })),
        'ValidationException',
        'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk',
      );
      await rejectsWith(
        ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'p' }, sk: { S: 's' }, e: { SS: [] } } })),
        'ValidationException',
        'One or more parameter values were invalid: An string set  may not be empty',
      );
      await rejectsWith(
        ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'p' }, sk: { S: 's' }, big: { S: 'x'.repeat(400 * 1024) } } })),
        'ValidationException',
        'Item size has exceeded the maximum allowed size',
      );
    }));

  test('conditional writes and ReturnValuesOnConditionCheckFailure', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Tbl', { range: false });
      await ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'a' }, v: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
      await assert.rejects(
        ddb.send(
          new PutItemCommand({
            TableName: 'Tbl',
            Item: { pk: { S: 'a' }, v: { N: '2' } },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
        (e: Error & { Item?: unknown }) => {
          assert.equal(e.name, 'ConditionalCheckFailedException');
          assert.equal(e.message, 'The conditional request failed');
          assert.deepEqual(e.Item, { pk: { S: 'a' }, v: { N: '1' } });
          return true;
        },
      );
      await ddb.send(
        new DeleteItemCommand({ TableName: 'Tbl', Key: { pk: { S: 'a' } }, ConditionExpression: 'v = :one', ExpressionAttributeValues: { ':one': { N: '1.0' } } }),
      );
      // Legacy Expected
      await ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'b' } }, Expected: { pk: { Exists: false } } }));
      await rejectsWith(
        ddb.send(new PutItemCommand({ TableName: 'Tbl', Item: { pk: { S: 'b' } }, Expected: { pk: { Exists: false } } })),
        'ConditionalCheckFailedException',
      );
    }));

  test('UpdateItem: SET arithmetic, if_not_exists, list_append, REMOVE, ADD, DELETE and ReturnValues', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Tbl', { range: false });
      const key = { pk: { S: 'c' } };
      const first = await ddb.send(
        new UpdateItemCommand({
          TableName: 'Tbl',
          Key: key,
          UpdateExpression: 'SET #c = if_not_exists(#c, :zero) + :one, tags = :tags, l = :l ADD visits :one',
          ExpressionAttributeNames: { '#c': 'count' },
          ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':tags': { SS: ['a', 'b'] }, ':l': { L: [{ S: 'x' }] } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      assert.equal(first.Attributes?.count?.N, '1');
      assert.equal(first.Attributes?.visits?.N, '1');
      const second = await ddb.send(
        new UpdateItemCommand({
          TableName: 'Tbl',
          Key: key,
          UpdateExpression: 'SET #c = #c + :big, l = list_append(l, :more) REMOVE gone DELETE tags :a',
          ExpressionAttributeNames: { '#c': 'count' },
          ExpressionAttributeValues: { ':big': { N: '0.1' }, ':more': { L: [{ S: 'y' }] }, ':a': { SS: ['a'] } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      assert.deepEqual(second.Attributes?.count, { N: '1.1' });
      assert.equal(second.Attributes?.gone, undefined, 'a REMOVEd attribute is not among the new values');
      assert.deepEqual(second.Attributes?.l, { L: [{ S: 'x' }, { S: 'y' }] });
      const got = await ddb.send(new GetItemCommand({ TableName: 'Tbl', Key: key }));
      assert.deepEqual(got.Item?.tags, { SS: ['b'] });
      // UPDATED_* return the nested fragment written, not the whole top-level attribute.
      await ddb.send(new UpdateItemCommand({ TableName: 'Tbl', Key: key, UpdateExpression: 'SET m = :m', ExpressionAttributeValues: { ':m': { M: { a: { N: '1' }, b: { N: '2' } } } } }));
      const nested = await ddb.send(
        new UpdateItemCommand({ TableName: 'Tbl', Key: key, UpdateExpression: 'SET m.a = :v', ExpressionAttributeValues: { ':v': { N: '5' } }, ReturnValues: 'UPDATED_OLD' }),
      );
      assert.deepEqual(nested.Attributes, { m: { M: { a: { N: '1' } } } });
      await rejectsWith(
        ddb.send(new UpdateItemCommand({ TableName: 'Tbl', Key: key, UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': { S: 'z' } } })),
        'ValidationException',
        'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key',
      );
      await rejectsWith(
        ddb.send(new UpdateItemCommand({ TableName: 'Tbl', Key: key, UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': { S: 'z' }, ':w': { S: 'y' } } })),
        'ValidationException',
        'Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}',
      );
      await rejectsWith(
        ddb.send(new UpdateItemCommand({ TableName: 'Tbl', Key: key, UpdateExpression: 'SET a = :v' })),
        'ValidationException',
        'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v',
      );
    }));

  test('an update that only removes does not create a missing item; any other update does', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Upsert', { range: false });
      await ddb.send(new UpdateItemCommand({ TableName: 'Upsert', Key: { pk: { S: 'r' } }, UpdateExpression: 'REMOVE a, b.c' }));
      await ddb.send(new UpdateItemCommand({ TableName: 'Upsert', Key: { pk: { S: 'd' } }, AttributeUpdates: { a: { Action: 'DELETE' } } }));
      for (const pk of ['r', 'd']) {
        const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Upsert', Key: { pk: { S: pk } } }));
        assert.equal(Item, undefined, `${pk} was not created`);
      }
      await ddb.send(new UpdateItemCommand({ TableName: 'Upsert', Key: { pk: { S: 'e' } } }));
      const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Upsert', Key: { pk: { S: 'e' } } }));
      assert.deepEqual(Item, { pk: { S: 'e' } }, 'an empty update creates the item');
    }));

  test('the document client round-trips JavaScript values', () =>
    withDynamo(async ({ ddb, doc }) => {
      await createTable(ddb, 'Docs', { range: false });
      await doc.send(new PutCommand({ TableName: 'Docs', Item: { pk: 'd1', name: 'Ada', age: 36, tags: new Set(['x']), nested: { a: [1, 'two', null] } } }));
      await doc.send(new UpdateCommand({ TableName: 'Docs', Key: { pk: 'd1' }, UpdateExpression: 'SET age = age + :n', ExpressionAttributeValues: { ':n': 1 } }));
      const { Item } = await doc.send(new GetCommand({ TableName: 'Docs', Key: { pk: 'd1' }, ProjectionExpression: '#n, age, nested.a[1]', ExpressionAttributeNames: { '#n': 'name' } }));
      assert.deepEqual(Item, { name: 'Ada', age: 37, nested: { a: ['two'] } });
    }));
});
