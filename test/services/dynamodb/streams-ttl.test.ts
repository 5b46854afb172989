import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, UpdateTableCommand, UpdateTimeToLiveCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { createTable, withDynamo, type DynamoTest } from '../../helpers/dynamodb.js';

async function shardIterator(d: DynamoTest, table: string, type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON') {
  const { Streams } = await d.streams.send(new ListStreamsCommand({ TableName: table }));
  const arn = Streams![0]!.StreamArn!;
  const { StreamDescription } = await d.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const shard = StreamDescription!.Shards![0]!;
  const { ShardIterator } = await d.streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: type }));
  return { arn, iterator: ShardIterator!, description: StreamDescription! };
}

describe('DynamoDB Streams and TTL', () => {
  test('every change is recorded in order with the chosen view type', () =>
    withDynamo(async (d) => {
      const { ddb, streams } = d;
      await createTable(ddb, 'Str', { range: false, extra: { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } });
      await ddb.send(new PutItemCommand({ TableName: 'Str', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
      await ddb.send(new UpdateItemCommand({ TableName: 'Str', Key: { pk: { S: 'a' } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '2' } } }));
      await ddb.send(new PutItemCommand({ TableName: 'Str', Item: { pk: { S: 'a' }, v: { N: '2' } } })); // no change: no record
      await ddb.send(new DeleteItemCommand({ TableName: 'Str', Key: { pk: { S: 'a' } } }));
      const { iterator, description } = await shardIterator(d, 'Str');
      assert.equal(description.StreamStatus, 'ENABLED');
      assert.equal(description.StreamViewType, 'NEW_AND_OLD_IMAGES');
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      assert.deepEqual(page.Records?.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
      const [insert, modify, remove] = page.Records!;
      assert.deepEqual(insert!.dynamodb?.NewImage, { pk: { S: 'a' }, v: { N: '1' } });
      assert.equal(insert!.dynamodb?.OldImage, undefined);
      assert.deepEqual(modify!.dynamodb?.OldImage?.v, { N: '1' });
      assert.deepEqual(modify!.dynamodb?.NewImage?.v, { N: '2' });
      assert.deepEqual(remove!.dynamodb?.Keys, { pk: { S: 'a' } });
      const seqs = page.Records!.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
      assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!);
      // Reading on from the next iterator gives only what came after.
      await ddb.send(new PutItemCommand({ TableName: 'Str', Item: { pk: { S: 'b' } } }));
      const more = await streams.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator }));
      assert.deepEqual(more.Records?.map((r) => r.dynamodb?.Keys?.pk?.S), ['b']);
    }));

  test('KEYS_ONLY streams carry keys only; LATEST starts after existing records', () =>
    withDynamo(async (d) => {
      const { ddb, streams } = d;
      await createTable(ddb, 'Kso', { range: false });
      await ddb.send(new UpdateTableCommand({ TableName: 'Kso', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));
      await ddb.send(new PutItemCommand({ TableName: 'Kso', Item: { pk: { S: 'old' }, v: { S: 'x' } } }));
      const { iterator } = await shardIterator(d, 'Kso', 'LATEST');
      await ddb.send(new PutItemCommand({ TableName: 'Kso', Item: { pk: { S: 'new' }, v: { S: 'y' } } }));
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      assert.equal(page.Records?.length, 1);
      assert.deepEqual(page.Records![0]!.dynamodb?.Keys, { pk: { S: 'new' } });
      assert.equal(page.Records![0]!.dynamodb?.NewImage, undefined);
    }));

  test('TTL deletes expired items on the clock and records them as service REMOVEs', () =>
    withDynamo(async (d) => {
      const { ddb, streams, t } = d;
      await createTable(ddb, 'Sessions', { range: false, extra: { StreamSpecification: { StreamEnabled: true, StreamViewType: 'OLD_IMAGE' } } });
      await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'Sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } }));
      const nowS = Math.floor(t.clock.now() / 1000);
      await ddb.send(new PutItemCommand({ TableName: 'Sessions', Item: { pk: { S: 'soon' }, exp: { N: String(nowS + 60) } } }));
      await ddb.send(new PutItemCommand({ TableName: 'Sessions', Item: { pk: { S: 'later' }, exp: { N: String(nowS + 3600) } } }));
      await ddb.send(new PutItemCommand({ TableName: 'Sessions', Item: { pk: { S: 'ancient' }, exp: { N: String(nowS - 6 * 365 * 86400) } } }));
      await ddb.send(new PutItemCommand({ TableName: 'Sessions', Item: { pk: { S: 'text' }, exp: { S: 'not a number' } } }));
      const { iterator } = await shardIterator(d, 'Sessions', 'LATEST');

      t.clock.advance(61_000);
      await waitFor(async () => !(await ddb.send(new GetItemCommand({ TableName: 'Sessions', Key: { pk: { S: 'soon' } } }))).Item);
      for (const pk of ['later', 'ancient', 'text']) {
        const { Item } = await ddb.send(new GetItemCommand({ TableName: 'Sessions', Key: { pk: { S: pk } } }));
        assert.ok(Item, `${pk} is kept`);
      }
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      assert.equal(page.Records?.length, 1);
      const rec = page.Records![0]!;
      assert.equal(rec.eventName, 'REMOVE');
      assert.deepEqual(rec.userIdentity, { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
      assert.deepEqual(rec.dynamodb?.OldImage?.pk, { S: 'soon' });
    }));
});

/** Polls a condition on real time (the sweep runs asynchronously after the clock moves). */
async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('condition not reached in time');
}
