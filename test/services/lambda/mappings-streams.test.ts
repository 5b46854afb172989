import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTableCommand, DeleteItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { lambdaClient } from '../../helpers/lambda.js';
import { dynamoClient } from '../../helpers/dynamodb.js';
import { collect, eventually, queue, recordsOf, reporter, sleep } from './mappings-helpers.js';

async function streamTable(ddb: DynamoDBClient, name: string): Promise<string> {
  const out = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  return out.TableDescription!.LatestStreamArn!;
}

const put = (ddb: DynamoDBClient, table: string, pk: string, extra: Record<string, unknown> = {}) =>
  ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, ...(extra as Record<string, never>) } }));

const keysOf = (records: Array<Record<string, any>>) => records.map((r) => r.dynamodb.Keys.pk.S as string);

describe('Lambda event source mappings: DynamoDB streams', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  let ddb: DynamoDBClient;
  let observer: { url: string; arn: string };
  before(async () => {
    t = await startTestNimbus();
    lambda = lambdaClient(t.endpoint);
    ddb = dynamoClient(t.endpoint);
    observer = await queue(t.sqs, 'observer');
  });
  after(async () => {
    ddb.destroy();
    await t.stop();
  });

  it('delivers changes in order in the stream event shape; LATEST skips what came before, TRIM_HORIZON does not', async () => {
    const stream = await streamTable(ddb, 'people');
    await put(ddb, 'people', 'before');
    await reporter(lambda, 'people-latest', observer.url);
    await reporter(lambda, 'people-all', observer.url);
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'people-latest', EventSourceArn: stream, StartingPosition: 'LATEST' }));
    await put(ddb, 'people', 'p1', { name: { S: 'Ann' } });
    await ddb.send(new UpdateItemCommand({ TableName: 'people', Key: { pk: { S: 'p1' } }, UpdateExpression: 'SET age = :a', ExpressionAttributeValues: { ':a': { N: '42' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: 'people', Key: { pk: { S: 'p1' } } }));
    const seen = await collect(t.sqs, observer.url, (s) => recordsOf(s).length >= 3);
    const records = recordsOf(seen);
    assert.deepEqual(records.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
    assert.deepEqual(keysOf(records), ['p1', 'p1', 'p1']);
    const modify = records[1]!;
    assert.deepEqual(Object.keys(modify), ['eventID', 'eventName', 'eventVersion', 'eventSource', 'awsRegion', 'dynamodb', 'eventSourceARN']);
    assert.equal(modify.eventVersion, '1.1');
    assert.equal(modify.eventSource, 'aws:dynamodb');
    assert.equal(modify.eventSourceARN, stream);
    assert.deepEqual(Object.keys(modify.dynamodb), ['ApproximateCreationDateTime', 'Keys', 'NewImage', 'OldImage', 'SequenceNumber', 'SizeBytes', 'StreamViewType']);
    assert.deepEqual(modify.dynamodb.NewImage, { pk: { S: 'p1' }, name: { S: 'Ann' }, age: { N: '42' } });
    assert.deepEqual(modify.dynamodb.OldImage, { pk: { S: 'p1' }, name: { S: 'Ann' } });
    assert.equal(modify.dynamodb.StreamViewType, 'NEW_AND_OLD_IMAGES');
    const seqs = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    assert.ok(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!);

    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'people-all', EventSourceArn: stream, StartingPosition: 'TRIM_HORIZON', BatchSize: 10 }));
    const all = await collect(t.sqs, observer.url, (s) => recordsOf(s).length >= 4);
    assert.deepEqual(keysOf(recordsOf(all)), ['before', 'p1', 'p1', 'p1']);
  });

  it('retries a failing batch, then sends it to the on-failure destination and moves on', async () => {
    const stream = await streamTable(ddb, 'retried');
    const dest = await queue(t.sqs, 'stream-failures');
    const fn = await reporter(lambda, 'retried-fn', observer.url, { MODE: 'throw' });
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'retried-fn',
        EventSourceArn: stream,
        StartingPosition: 'LATEST',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: dest.arn } },
      }),
    );
    await put(ddb, 'retried', 'poison', { bad: { BOOL: true } });
    const attempts = await collect(t.sqs, observer.url, (s) => s.length >= 3, { tick: () => t.clock.advance(1000) });
    assert.deepEqual(attempts.map((a) => keysOf(a.event.Records)), [['poison'], ['poison'], ['poison']]);
    let failure: any;
    await eventually(async () => {
      const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: dest.url, WaitTimeSeconds: 0 }));
      failure = got.Messages?.[0] && JSON.parse(got.Messages[0].Body!);
      return failure !== undefined;
    });
    const seq = attempts[0]!.event.Records[0]!.dynamodb.SequenceNumber;
    assert.deepEqual(Object.keys(failure), ['requestContext', 'responseContext', 'version', 'timestamp', 'DDBStreamBatchInfo']);
    assert.equal(failure.requestContext.functionArn, fn);
    assert.equal(failure.requestContext.condition, 'RetryAttemptsExhausted');
    assert.equal(failure.requestContext.approximateInvokeCount, 3);
    assert.deepEqual(failure.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    assert.equal(failure.version, '1.0');
    const info = failure.DDBStreamBatchInfo;
    assert.match(info.shardId, /^shardId-/);
    assert.equal(info.startSequenceNumber, seq);
    assert.equal(info.endSequenceNumber, seq);
    assert.equal(info.batchSize, 1);
    assert.equal(info.streamArn, stream);
    assert.match(info.approximateArrivalOfFirstRecord, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).LastProcessingResult, 'PROBLEM: Function call failed');

    await put(ddb, 'retried', 'fine');
    const next = await collect(t.sqs, observer.url, (s) => s.length >= 1);
    assert.deepEqual(keysOf(recordsOf(next)), ['fine']);
    await eventually(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).LastProcessingResult === 'OK');
  });

  it('bisects a failing batch until the bad record is alone', async () => {
    const stream = await streamTable(ddb, 'bisected');
    const dest = await queue(t.sqs, 'bisect-failures');
    await reporter(lambda, 'bisect-fn', observer.url, { MODE: 'throw' });
    for (const pk of ['b1', 'b2', 'b3', 'b4']) await put(ddb, 'bisected', pk, pk === 'b3' ? { bad: { BOOL: true } } : {});
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'bisect-fn',
        EventSourceArn: stream,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 4,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: dest.arn } },
      }),
    );
    const seen = await collect(t.sqs, observer.url, (s) => s.length >= 5);
    assert.deepEqual(
      seen.map((s) => keysOf(s.event.Records)),
      [['b1', 'b2', 'b3', 'b4'], ['b1', 'b2'], ['b3', 'b4'], ['b3'], ['b4']],
    );
    let failure: any;
    await eventually(async () => {
      const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: dest.url, WaitTimeSeconds: 0 }));
      failure = got.Messages?.[0] && JSON.parse(got.Messages[0].Body!);
      return failure !== undefined;
    });
    assert.equal(failure.DDBStreamBatchInfo.batchSize, 1);
    assert.equal(failure.DDBStreamBatchInfo.startSequenceNumber, seen[3]!.event.Records[0]!.dynamodb.SequenceNumber);
    assert.equal(failure.requestContext.approximateInvokeCount, 3);
  });

  it('resumes from the first failed record of a partial batch response', async () => {
    const stream = await streamTable(ddb, 'partial');
    await reporter(lambda, 'partial-stream-fn', observer.url, { MODE: 'partial-once' });
    for (const pk of ['x1', 'x2', 'x3']) await put(ddb, 'partial', pk, pk === 'x2' ? { bad: { BOOL: true } } : {});
    await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'partial-stream-fn', EventSourceArn: stream, StartingPosition: 'TRIM_HORIZON', FunctionResponseTypes: ['ReportBatchItemFailures'] }),
    );
    const seen = await collect(t.sqs, observer.url, (s) => s.length >= 2, { tick: () => t.clock.advance(1000) });
    assert.deepEqual(seen.map((s) => keysOf(s.event.Records)), [['x1', 'x2', 'x3'], ['x2', 'x3']]);
    await sleep(200);
    assert.equal((await collect(t.sqs, observer.url, () => true, { tick: () => t.clock.advance(1000) })).length, 0, 'done once it succeeded');
  });

  it('invokes at once with a full batch, and with a partial one when the batching window ends', async () => {
    const stream = await streamTable(ddb, 'windowed');
    await reporter(lambda, 'windowed-fn', observer.url);
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'windowed-fn', EventSourceArn: stream, StartingPosition: 'LATEST', BatchSize: 2, MaximumBatchingWindowInSeconds: 2 }));
    for (const pk of ['k1', 'k2', 'k3']) await put(ddb, 'windowed', pk);
    const full = await collect(t.sqs, observer.url, (s) => s.length >= 1);
    assert.deepEqual(full.map((s) => keysOf(s.event.Records)), [['k1', 'k2']]);
    await sleep(200);
    assert.equal((await collect(t.sqs, observer.url, () => true)).length, 0, 'the rest waits for the window');
    const rest = await collect(t.sqs, observer.url, (s) => s.length >= 1, { tick: () => t.clock.advance(500) });
    assert.deepEqual(rest.map((s) => keysOf(s.event.Records)), [['k3']]);
  });

  it('filters stream records on their fields', async () => {
    const stream = await streamTable(ddb, 'filtered');
    await reporter(lambda, 'filtered-fn', observer.url);
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'filtered-fn',
        EventSourceArn: stream,
        StartingPosition: 'LATEST',
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['user'] } } } }) }] },
      }),
    );
    await put(ddb, 'filtered', 'f1', { kind: { S: 'user' } });
    await put(ddb, 'filtered', 'f2', { kind: { S: 'admin' } });
    await put(ddb, 'filtered', 'f1', { kind: { S: 'user' }, v: { N: '2' } });
    await put(ddb, 'filtered', 'f3', { kind: { S: 'user' } });
    const seen = await collect(t.sqs, observer.url, (s) => keysOf(recordsOf(s)).includes('f3'));
    assert.deepEqual(keysOf(recordsOf(seen)), ['f1', 'f3']);
  });
});

describe('Lambda event source mappings across a restart', () => {
  it('keep running, and a stream mapping neither loses nor repeats records', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-mappings-'));
    let t = await startTestNimbus({ memory: false, dataDir });
    try {
      let lambda = lambdaClient(t.endpoint);
      let ddb = dynamoClient(t.endpoint);
      const observer = await queue(t.sqs, 'observer');
      const input = await queue(t.sqs, 'restart-in');
      const stream = await streamTable(ddb, 'durable');
      await reporter(lambda, 'durable-fn', observer.url);
      await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'durable-fn', EventSourceArn: stream, StartingPosition: 'LATEST' }));
      const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'durable-fn', EventSourceArn: input.arn }));
      await put(ddb, 'durable', 'd1');
      assert.deepEqual(keysOf(recordsOf(await collect(t.sqs, observer.url, (s) => s.length >= 1))), ['d1']);
      await sleep(100); // the position commits after the invocation returns
      ddb.destroy();
      await t.stop();

      t = await startTestNimbus({ memory: false, dataDir });
      lambda = lambdaClient(t.endpoint);
      ddb = dynamoClient(t.endpoint);
      assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State, 'Enabled');
      await put(ddb, 'durable', 'd2');
      const seen = await collect(t.sqs, observer.url, (s) => s.length >= 1);
      assert.deepEqual(keysOf(recordsOf(seen)), ['d2']);
      const { url } = await queue(t.sqs, 'restart-in');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after restart' }));
      const fromQueue = await collect(t.sqs, observer.url, (s) => s.length >= 1);
      assert.equal(recordsOf(fromQueue)[0]!.body, 'after restart');
      ddb.destroy();
    } finally {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
