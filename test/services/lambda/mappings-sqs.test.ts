import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  PutFunctionConcurrencyCommand,
  UpdateEventSourceMappingCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { lambdaClient } from '../../helpers/lambda.js';
import { collect, counts, eventually, queue, recordsOf, reporter, sleep } from './mappings-helpers.js';

describe('Lambda event source mappings: SQS', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  let observer: { url: string; arn: string };
  before(async () => {
    t = await startTestNimbus();
    lambda = lambdaClient(t.endpoint);
    observer = await queue(t.sqs, 'observer');
  });
  after(() => t.stop());

  it('delivers batches in the SQS event shape and deletes what the function handled', async () => {
    const q = await queue(t.sqs, 'orders');
    await t.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: [
          { Id: 'a', MessageBody: 'one', MessageAttributes: { color: { DataType: 'String', StringValue: 'red' }, raw: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2]) } } },
          { Id: 'b', MessageBody: 'two' },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    const fn = await reporter(lambda, 'orders-fn', observer.url);
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'orders-fn', EventSourceArn: q.arn }));
    assert.equal(created.$metadata.httpStatusCode, 202);
    assert.equal(created.State, 'Creating');
    const seen = await collect(t.sqs, observer.url, (s) => recordsOf(s).length >= 3);
    const records = recordsOf(seen);
    assert.deepEqual(records.map((r) => r.body).sort(), ['one', 'three', 'two']);
    const one = records.find((r) => r.body === 'one')!;
    assert.deepEqual(Object.keys(one), ['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfMessageAttributes', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion']);
    assert.deepEqual(Object.keys(one.attributes), ['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp']);
    assert.equal(one.attributes.ApproximateReceiveCount, '1');
    assert.deepEqual(one.messageAttributes, {
      color: { stringValue: 'red', stringListValues: [], binaryListValues: [], dataType: 'String' },
      raw: { binaryValue: 'AQI=', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    assert.match(one.md5OfMessageAttributes, /^[0-9a-f]{32}$/);
    assert.equal(one.md5OfBody, 'f97c5d29941bfb1b2fdab0874906ab82');
    assert.equal(one.eventSource, 'aws:sqs');
    assert.equal(one.eventSourceARN, q.arn);
    assert.equal(one.awsRegion, 'us-east-1');
    const two = records.find((r) => r.body === 'two')!;
    assert.deepEqual(two.messageAttributes, {});
    assert.equal('md5OfMessageAttributes' in two, false);
    await eventually(async () => (await counts(t.sqs, q.url)).inFlight === 0);
    assert.deepEqual(await counts(t.sqs, q.url), { visible: 0, inFlight: 0 });
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    assert.equal(got.State, 'Enabled');
    assert.equal(got.FunctionArn, fn);
  });

  it('leaves reported failures to the visibility timeout, and the redrive policy moves them to the DLQ', async () => {
    const dlq = await queue(t.sqs, 'partial-dlq');
    const q = await queue(t.sqs, 'partial', { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    await reporter(lambda, 'partial-fn', observer.url, { MODE: 'partial' });
    await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: ['ok-1', 'fail-1', 'ok-2'].map((b, i) => ({ Id: String(i), MessageBody: b })) }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'partial-fn', EventSourceArn: q.arn, FunctionResponseTypes: ['ReportBatchItemFailures'] }));
    const first = await collect(t.sqs, observer.url, (s) => recordsOf(s).length >= 3);
    assert.deepEqual(recordsOf(first).map((r) => r.body).sort(), ['fail-1', 'ok-1', 'ok-2']);
    await eventually(async () => (await counts(t.sqs, q.url)).inFlight === 1);
    // Past the visibility timeout the failed message comes back once more, then goes to the DLQ.
    const again = await collect(t.sqs, observer.url, (s) => recordsOf(s).length >= 1, { tick: () => t.clock.advance(1000) });
    assert.deepEqual(recordsOf(again).map((r) => [r.body, r.attributes.ApproximateReceiveCount]), [['fail-1', '2']]);
    await eventually(
      async () => {
        const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 0 }));
        return got.Messages?.[0]?.Body === 'fail-1';
      },
      10_000,
      () => t.clock.advance(1000),
    );
    assert.deepEqual(await counts(t.sqs, q.url), { visible: 0, inFlight: 0 });
  });

  it('fails the whole batch on an invalid partial response', async () => {
    const q = await queue(t.sqs, 'invalid-partial', { VisibilityTimeout: '30' });
    await reporter(lambda, 'invalid-fn', observer.url, { MODE: 'invalid' });
    await t.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'x' }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'invalid-fn', EventSourceArn: q.arn, FunctionResponseTypes: ['ReportBatchItemFailures'] }));
    await collect(t.sqs, observer.url, (s) => s.length >= 1);
    await sleep(100);
    assert.deepEqual(await counts(t.sqs, q.url), { visible: 0, inFlight: 1 }, 'the message is left for the visibility timeout');
  });

  it('keeps FIFO order per message group with several batches in flight', async () => {
    const q = await queue(t.sqs, 'ordered.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    await reporter(lambda, 'fifo-fn', observer.url);
    const entries = [];
    for (let i = 1; i <= 6; i++) for (const g of ['g1', 'g2', 'g3']) entries.push({ Id: `${g}-${i}`, MessageBody: `${g}:${i}`, MessageGroupId: g });
    for (let i = 0; i < entries.length; i += 10) await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: entries.slice(i, i + 10) }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'fifo-fn', EventSourceArn: q.arn, BatchSize: 2, ScalingConfig: { MaximumConcurrency: 3 } }));
    const seen = await collect(t.sqs, observer.url, (s) => recordsOf(s).length >= 18);
    const records = recordsOf(seen);
    assert.equal(records.length, 18, 'each message once');
    for (const g of ['g1', 'g2', 'g3']) {
      const order = records.filter((r) => r.attributes.MessageGroupId === g).map((r) => Number(r.body.split(':')[1]));
      assert.deepEqual(order, [1, 2, 3, 4, 5, 6], `order of ${g}`);
    }
    const r = records[0]!;
    assert.deepEqual(Object.keys(r.attributes), ['ApproximateReceiveCount', 'SentTimestamp', 'SequenceNumber', 'MessageGroupId', 'SenderId', 'MessageDeduplicationId', 'ApproximateFirstReceiveTimestamp']);
  });

  it('gathers a batch until the batching window ends', async () => {
    const q = await queue(t.sqs, 'windowed');
    await reporter(lambda, 'window-fn', observer.url);
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'window-fn', EventSourceArn: q.arn, BatchSize: 50, MaximumBatchingWindowInSeconds: 2 }));
    for (const body of ['w1', 'w2', 'w3']) await t.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: body }));
    await sleep(100);
    assert.equal((await collect(t.sqs, observer.url, () => true)).length, 0, 'nothing before the window ends');
    const seen = await collect(t.sqs, observer.url, (s) => s.length >= 1, { tick: () => t.clock.advance(500) });
    assert.deepEqual(seen.map((s) => s.event.Records.map((r) => r.body)), [['w1', 'w2', 'w3']]);
  });

  it('passes only messages that match the filter criteria and deletes the rest', async () => {
    const q = await queue(t.sqs, 'filtered');
    await reporter(lambda, 'filter-fn', observer.url);
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'filter-fn',
        EventSourceArn: q.arn,
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ['keep'], n: [{ numeric: ['>', 0] }] } }) }, { Pattern: JSON.stringify({ body: [{ prefix: 'urgent:' }] }) }] },
      }),
    );
    const bodies = [JSON.stringify({ kind: 'keep', n: 1 }), JSON.stringify({ kind: 'drop', n: 1 }), 'plain text', JSON.stringify({ kind: 'keep', n: 0 }), 'urgent: now', JSON.stringify({ kind: 'keep', n: 2 })];
    await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })) }));
    const seen = await collect(t.sqs, observer.url, (s) => recordsOf(s).length >= 3);
    assert.deepEqual(recordsOf(seen).map((r) => r.body).sort(), [JSON.stringify({ kind: 'keep', n: 1 }), JSON.stringify({ kind: 'keep', n: 2 }), 'urgent: now'].sort());
    await eventually(async () => {
      const c = await counts(t.sqs, q.url);
      return c.visible === 0 && c.inFlight === 0;
    });
  });

  it('stops polling when disabled, resumes when enabled, and stops for good when deleted', async () => {
    const q = await queue(t.sqs, 'switched');
    await reporter(lambda, 'switch-fn', observer.url);
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'switch-fn', EventSourceArn: q.arn, Enabled: false }));
    assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State, 'Disabled');
    const enabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
    assert.equal(enabled.State, 'Enabling');
    const disabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: false }));
    assert.equal(disabled.State, 'Disabling');
    assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State, 'Disabled');
    await t.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'while disabled' }));
    await sleep(300);
    assert.deepEqual(await counts(t.sqs, q.url), { visible: 1, inFlight: 0 });
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
    const seen = await collect(t.sqs, observer.url, (s) => s.length >= 1);
    assert.equal(recordsOf(seen)[0]!.body, 'while disabled');
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
    assert.equal(deleted.State, 'Deleting');
    await assert.rejects(lambda.send(new GetEventSourceMappingCommand({ UUID })), { name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' });
    await t.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'after delete' }));
    await sleep(300);
    assert.deepEqual(await counts(t.sqs, q.url), { visible: 1, inFlight: 0 });
  });

  it('runs at most MaximumConcurrency batches at once and retries throttled ones without losing messages', async () => {
    const q = await queue(t.sqs, 'parallel');
    await reporter(lambda, 'slow-fn', observer.url, { SLEEP_MS: '250' });
    await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: q.url, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: String(i), MessageBody: `p${i}` })) }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'slow-fn', EventSourceArn: q.arn, BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } }));
    const seen = await collect(t.sqs, observer.url, (s) => s.length >= 6);
    assert.deepEqual(recordsOf(seen).map((r) => r.body).sort(), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    // The most invocations running at one instant (ends before starts at equal times).
    const edges = seen.flatMap((s) => [[s.started, 1] as const, [s.ended, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    let most = 0;
    for (const [, step] of edges) most = Math.max(most, (running += step));
    assert.equal(most, 2, 'two at a time, never more');

    // Reserved concurrency 1 under MaximumConcurrency 3: the extra invocations are throttled and retried.
    const q2 = await queue(t.sqs, 'throttled');
    await reporter(lambda, 'reserved-fn', observer.url, { SLEEP_MS: '100' });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved-fn', ReservedConcurrentExecutions: 1 }));
    await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: q2.url, Entries: Array.from({ length: 4 }, (_, i) => ({ Id: String(i), MessageBody: `r${i}` })) }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'reserved-fn', EventSourceArn: q2.arn, BatchSize: 1, ScalingConfig: { MaximumConcurrency: 3 } }));
    const throttled = await collect(t.sqs, observer.url, (s) => s.length >= 4);
    assert.deepEqual(recordsOf(throttled).map((r) => r.body).sort(), ['r0', 'r1', 'r2', 'r3']);
    await eventually(async () => (await counts(t.sqs, q2.url)).inFlight === 0);
    assert.deepEqual(await counts(t.sqs, q2.url), { visible: 0, inFlight: 0 });
  });
});
