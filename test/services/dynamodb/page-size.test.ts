/**
 * Where a Query or Scan page ends (engine/page-size.ts): at the item whose stored size takes
 * the page to 1 MB, that item included. The item sizes are those of dynalite's tests, which
 * record DynamoDB's answers just under and just over the boundary.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchWriteItemCommand, QueryCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { storedItemSize } from '../../../src/services/dynamodb/engine/page-size.js';
import { createTable, withDynamo } from '../../helpers/dynamodb.js';

const LONG_NAME = 'e'.repeat(255);

function items(pk: string, sizes: number[], name = LONG_NAME): Record<string, AttributeValue>[] {
  return sizes.map((n, i) => ({ pk: { S: pk }, sk: { S: String(i).padStart(2, '0') }, [name]: { S: 'e'.repeat(n) } }));
}

describe('DynamoDB page boundary', () => {
  test('stored sizes: one byte per name, length prefixes, the sort key once per 3 KB block', () => {
    const item = { a: { S: 'AAAA123456' }, b: { S: '01' }, [LONG_NAME]: { S: 'e'.repeat(41645) } };
    assert.equal(storedItemSize(item, 'b'), 41943);
    assert.equal(storedItemSize({ a: { S: 'x' } }, undefined), 2 + 3 + 18);
    assert.equal(storedItemSize({ a: { N: '15' }, l: { L: [{ NULL: true }, { BOOL: true }] }, m: { M: { k: { SS: ['a', 'bc'] } } } }, undefined), 2 + 4 + 7 + 12 + 18);
  });

  test('a page just under 1 MB ends with the table; one just over ends at the item that crossed', () =>
    withDynamo(async ({ ddb }) => {
      await createTable(ddb, 'Big');
      const put = async (rows: Record<string, AttributeValue>[]) => {
        for (let i = 0; i < rows.length; i += 5) {
          await ddb.send(new BatchWriteItemCommand({ RequestItems: { Big: rows.slice(i, i + 5).map((Item) => ({ PutRequest: { Item } })) } }));
        }
      };
      // 25 items of 41943 stored bytes: 1048575, one byte short of 1 MB.
      await put(items('AAAA123456', Array(25).fill(41645)));
      const under = await ddb.send(new QueryCommand({ TableName: 'Big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'AAAA123456' } }, Select: 'COUNT', Limit: 26 }));
      assert.equal(under.Count, 25);
      assert.equal(under.LastEvaluatedKey, undefined);
      // One byte more on the last item: the page reaches 1 MB there and says so, though nothing follows.
      await put(items('BBBB123456', [...Array(24).fill(41645), 41646]));
      const over = await ddb.send(new QueryCommand({ TableName: 'Big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'BBBB123456' } }, Select: 'COUNT' }));
      assert.equal(over.Count, 25);
      assert.deepEqual(over.LastEvaluatedKey, { pk: { S: 'BBBB123456' }, sk: { S: '24' } });
      // A Scan pages by the same rule: every page but the last reaches 1 MB, and none is short of an item.
      let start: Record<string, AttributeValue> | undefined;
      const counts: number[] = [];
      do {
        const page = await ddb.send(new ScanCommand({ TableName: 'Big', Select: 'COUNT', ExclusiveStartKey: start }));
        counts.push(page.Count!);
        start = page.LastEvaluatedKey;
      } while (start);
      assert.equal(counts.reduce((a, b) => a + b, 0), 50);
      assert.ok(counts.slice(0, -1).every((c) => c === 25 || c === 26), counts.join());
    }));
});
