import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand, UpdateTableCommand, UpdateTimeToLiveCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { STREAM_TOPIC, type StreamAdvanced } from '../../../src/services/dynamodb/engine/stream-log.js';
import { createTable, dynamoClient, rejectsWith, streamsClient, withDynamo, type DynamoTest } from '../../helpers/dynamodb.js';

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

  test('records are offered on the event bus after commit, expire with their iterators, and are kept 24 hours', () =>
    withDynamo(async (d) => {
      const { ddb, t } = d;
      await createTable(ddb, 'Bus', { range: false, extra: { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } });
      const events: StreamAdvanced[] = [];
      const off = t.nimbus.bus.on<StreamAdvanced>(STREAM_TOPIC, (e) => events.push(e));
      await ddb.send(new PutItemCommand({ TableName: 'Bus', Item: { pk: { S: 'a' } } }));
      off();
      assert.equal(events.length, 1);
      assert.match(events[0]!.streamArn, /^arn:aws:dynamodb:us-east-1:000000000000:table\/Bus\/stream\//);
      assert.equal(events[0]!.tableArn, 'arn:aws:dynamodb:us-east-1:000000000000:table/Bus');

      const { iterator } = await shardIterator(d, 'Bus');
      // Iterators expire after 15 minutes.
      t.clock.advance(16 * 60_000);
      const at = { ...d, ddb: dynamoClient(t.endpoint, { clock: t.clock }), streams: streamsClient(t.endpoint, { clock: t.clock }) };
      await rejectsWith(at.streams.send(new GetRecordsCommand({ ShardIterator: iterator })), 'ExpiredIteratorException');
      const fresh = await shardIterator(at, 'Bus');
      assert.equal((await at.streams.send(new GetRecordsCommand({ ShardIterator: fresh.iterator }))).Records?.length, 1);
      // Records older than 24 hours are trimmed (the trim runs hourly on the clock).
      for (let h = 0; h < 25; h++) t.clock.advance(3600_000);
      await t.nimbus.store.flush();
      const later = { ...d, streams: streamsClient(t.endpoint, { clock: t.clock }) };
      const { Streams } = await later.streams.send(new ListStreamsCommand({ TableName: 'Bus' }));
      const arn = Streams![0]!.StreamArn!;
      const desc = await later.streams.send(new DescribeStreamCommand({ StreamArn: arn }));
      const it2 = await later.streams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: desc.StreamDescription!.Shards![0]!.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      assert.equal((await later.streams.send(new GetRecordsCommand({ ShardIterator: it2.ShardIterator }))).Records?.length, 0);
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
