/**
 * Dead-letter queues through the real SDK: RedrivePolicy moving messages after
 * maxReceiveCount receives (standard and FIFO), ListDeadLetterSourceQueues, and message move
 * tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask) on the clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
} from '@aws-sdk/client-sqs';
import { ACCOUNT, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { createQueue, receive, rejectsWith, totalCount, withWatchedClock } from '../../helpers/sqs.js';

// ---- helpers ---------------------------------------------------------------------------

interface TestQueue {
  url: string;
  arn: string;
}

/** Creates a queue and answers its URL and ARN. */
async function createQueueWithArn(t: TestNimbus, name: string, attributes: Record<string, string> = {}): Promise<TestQueue> {
  const QueueUrl = await createQueue(t, name, attributes);
  const { Attributes } = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes!.QueueArn! };
}

const redrive = (dlq: TestQueue, maxReceiveCount: number) => ({
  RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
});

async function listTasks(t: TestNimbus, source: TestQueue, MaxResults?: number): Promise<ListMessageMoveTasksResultEntry[]> {
  return (await t.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: source.arn, MaxResults }))).Results ?? [];
}

/** Waits (a bounded number of round trips, no sleeping) until the newest task leaves RUNNING. */
async function settledTask(t: TestNimbus, source: TestQueue): Promise<ListMessageMoveTasksResultEntry> {
  for (let i = 0; i < 100; i++) {
    const [task] = await listTasks(t, source);
    if (task && task.Status !== 'RUNNING') return task;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail('the move task did not finish');
}

const taskHandle = (taskId: string, sourceArn: string) => Buffer.from(JSON.stringify({ taskId, sourceArn })).toString('base64');

const OTHER_ACCOUNT = '111111111111';
const OTHER = { accessKeyId: 'other', secretAccessKey: 'other' };
/** A Nimbus that knows two accounts: the default client's, and OTHER's. */
const TWO_ACCOUNTS = { credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] };

/** Receives each of `bodies` `times` times from q (visibility 0), moving them towards the DLQ. */
async function receiveTimes(t: TestNimbus, q: TestQueue, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await receive(t, q.url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
}

// ---- tests -----------------------------------------------------------------------------

describe('SQS dead-letter queues', () => {
  it('moves a message to the DLQ on the receive after maxReceiveCount', () =>
    withWatchedClock(async (t, clock) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const source = await createQueueWithArn(t, 'source', { ...redrive(dlq, 2), VisibilityTimeout: '10' });
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      const sentAt = clock.now();
      const sent = await t.sqs.send(
        new SendMessageCommand({
          QueueUrl: source.url,
          MessageBody: 'poison',
          MessageAttributes: { MyAttribute: { DataType: 'String', StringValue: 'foobar' } },
          MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } },
        }),
      );
      await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'healthy' }));

      const firstAt = clock.now();
      for (const n of ['1', '2']) {
        const got = await receive(t, source.url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
        const poison = got.find((m) => m.Body === 'poison')!;
        assert.equal(poison.Attributes!.ApproximateReceiveCount, n);
        // healthy is deleted on its first receive.
        const healthy = got.find((m) => m.Body === 'healthy');
        if (healthy) await t.sqs.send(new DeleteMessageCommand({ QueueUrl: source.url, ReceiptHandle: healthy.ReceiptHandle }));
        clock.advance(10_000);
      }
      assert.equal(await totalCount(t, dlq.url), 0, 'still in the source after two receives');

      // The third receive moves it instead of delivering it.
      assert.deepEqual(await receive(t, source.url, { MaxNumberOfMessages: 10 }), []);
      assert.equal(await totalCount(t, source.url), 0);
      assert.equal(await totalCount(t, dlq.url), 1);

      const [dead] = await receive(t, dlq.url, { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] });
      assert.equal(dead!.MessageId, sent.MessageId);
      assert.equal(dead!.Body, 'poison');
      assert.equal(dead!.MD5OfMessageAttributes, 'adb59cd4678ea5a855436b949cd07ab6');
      assert.deepEqual(dead!.MessageAttributes, { MyAttribute: { DataType: 'String', StringValue: 'foobar' } });
      assert.equal(dead!.Attributes!.DeadLetterQueueSourceArn, source.arn);
      assert.equal(dead!.Attributes!.AWSTraceHeader, trace);
      assert.equal(dead!.Attributes!.SentTimestamp, String(sentAt));
      // The receive count and first receive carry over (AWS: 2 in the source + 1 here).
      assert.equal(dead!.Attributes!.ApproximateReceiveCount, '3');
      assert.equal(dead!.Attributes!.ApproximateFirstReceiveTimestamp, String(firstAt));
    }));

  it('leaves a message deleted before maxReceiveCount alone', () =>
    withWatchedClock(async (t) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'fine' }));
      const [m] = await receive(t, source.url);
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: source.url, ReceiptHandle: m!.ReceiptHandle }));
      await receiveTimes(t, source, 2);
      assert.equal(await totalCount(t, dlq.url), 0);
    }));

  it('dead-letters a FIFO message and lets the rest of its group through, in order', () =>
    withWatchedClock(async (t) => {
      const dlq = await createQueueWithArn(t, 'dlq.fifo', { FifoQueue: 'true' });
      const source = await createQueueWithArn(t, 'source.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', ...redrive(dlq, 2) });
      for (const body of ['m1', 'm2', 'm3']) await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body, MessageGroupId: 'g' }));

      for (const n of ['1', '2']) {
        const [m] = await receive(t, source.url, { VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
        assert.equal(m!.Body, 'm1');
        assert.equal(m!.Attributes!.ApproximateReceiveCount, n);
      }
      // m1 goes to the DLQ; the group goes on with m2, m3.
      const next = await receive(t, source.url, { MaxNumberOfMessages: 10 });
      assert.deepEqual(next.map((m) => m.Body), ['m2', 'm3']);

      const [dead] = await receive(t, dlq.url, { MessageSystemAttributeNames: ['All'] });
      assert.equal(dead!.Body, 'm1');
      assert.equal(dead!.Attributes!.DeadLetterQueueSourceArn, source.arn);
      assert.equal(dead!.Attributes!.MessageGroupId, 'g');
      assert.match(dead!.Attributes!.SequenceNumber!, /^\d+$/);
      // AWS: moved to a FIFO DLQ, "the original message's deduplication ID will be replaced
      // with the original message's ID".
      assert.equal(dead!.Attributes!.MessageDeduplicationId, dead!.MessageId);
    }));

  it('wakes a long poll on the DLQ when a message is dead-lettered', () =>
    withWatchedClock(async (t, clock) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'to the dlq' }));
      await receive(t, source.url, { VisibilityTimeout: 0 });

      const waiting = clock.timersAt(clock.now() + 20_000);
      const poll = receive(t, dlq.url, { WaitTimeSeconds: 20 });
      await waiting;
      await receive(t, source.url);
      const [m] = await poll;
      assert.equal(m!.Body, 'to the dlq');
    }));

  it('lists the queues that use a queue as their dead-letter queue', () =>
    withWatchedClock(async (t) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const b = await createQueueWithArn(t, 'source-b', redrive(dlq, 3));
      const a = await createQueueWithArn(t, 'source-a', redrive(dlq, 5));
      await createQueueWithArn(t, 'unrelated');
      const out = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
      assert.deepEqual(out.queueUrls, [a.url, b.url]);
      const none = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: a.url }));
      assert.deepEqual(none.queueUrls ?? [], []);
    }));

  it('moves DLQ messages back to their source queues with StartMessageMoveTask', () =>
    withWatchedClock(async (t, clock) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const one = await createQueueWithArn(t, 'source-one', redrive(dlq, 1));
      const two = await createQueueWithArn(t, 'source-two', redrive(dlq, 1));
      const originalIds = new Set<string>();
      for (const q of [one, two]) {
        for (const i of [1, 2]) {
          const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: `${q === one ? 'one' : 'two'}-${i}` }));
          originalIds.add(sent.MessageId!);
        }
        await receiveTimes(t, q, 2);
      }
      assert.equal(await totalCount(t, dlq.url), 4);

      clock.advance(5_000);
      const startedAt = clock.now();
      const { TaskHandle } = await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
      const decoded = JSON.parse(Buffer.from(TaskHandle!, 'base64').toString('utf8'));
      assert.equal(decoded.sourceArn, dlq.arn);
      assert.match(decoded.taskId, /^[0-9a-f-]{36}$/);

      const task = await settledTask(t, dlq);
      assert.deepEqual(task, {
        Status: 'COMPLETED',
        SourceArn: dlq.arn,
        ApproximateNumberOfMessagesMoved: 4,
        ApproximateNumberOfMessagesToMove: 4,
        StartedTimestamp: startedAt,
      });
      assert.equal(await totalCount(t, dlq.url), 0);
      for (const [q, name] of [
        [one, 'one'],
        [two, 'two'],
      ] as const) {
        const got = await receive(t, q.url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] });
        assert.deepEqual(got.map((m) => m.Body).sort(), [`${name}-1`, `${name}-2`]);
        for (const m of got) {
          assert.equal(m.Attributes!.DeadLetterQueueSourceArn, undefined);
          // Redriven messages start their receives over (else they would be dead-lettered again at once).
          assert.equal(m.Attributes!.ApproximateReceiveCount, '1');
          // AWS: "All redriven messages are considered new messages with a new messageID and
          // enqueueTime" (and their retention starts over).
          assert.ok(!originalIds.has(m.MessageId!), 'a redriven message has a new MessageId');
          assert.equal(m.Attributes!.SentTimestamp, String(startedAt));
        }
      }
    }));

  it('moves DLQ messages to an explicit DestinationArn', () =>
    withWatchedClock(async (t) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
      const destination = await createQueueWithArn(t, 'destination');
      for (const i of [1, 2, 3]) await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: `m${i}` }));
      await receiveTimes(t, source, 2);
      assert.equal(await totalCount(t, dlq.url), 3);

      await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: destination.arn }));
      const task = await settledTask(t, dlq);
      assert.equal(task.Status, 'COMPLETED');
      assert.equal(task.DestinationArn, destination.arn);
      assert.equal(task.ApproximateNumberOfMessagesMoved, 3);
      assert.equal(task.TaskHandle, undefined, 'only running tasks show their handle');
      assert.equal(await totalCount(t, source.url), 0);
      const got = await receive(t, destination.url, { MaxNumberOfMessages: 10 });
      assert.deepEqual(got.map((m) => m.Body).sort(), ['m1', 'm2', 'm3']);
    }));

  it('cancels a running move task, which then moves nothing more', () =>
    withWatchedClock(async (t, clock) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
      for (let i = 0; i < 10; i++) await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: `m${i}` }));
      await receiveTimes(t, source, 2);
      assert.equal(await totalCount(t, dlq.url), 10);

      // One message a second: the first moves at once, the next when the clock passes a second.
      let nextTick = clock.timersAt(clock.now() + 1_000);
      const { TaskHandle } = await t.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: source.arn, MaxNumberOfMessagesPerSecond: 1 }),
      );
      await nextTick;
      assert.equal(await totalCount(t, source.url), 1);
      nextTick = clock.timersAt(clock.now() + 2_000);
      clock.advance(1_000);
      await nextTick;
      assert.equal(await totalCount(t, source.url), 2);

      const [running] = await listTasks(t, dlq);
      assert.deepEqual(running, {
        TaskHandle,
        Status: 'RUNNING',
        SourceArn: dlq.arn,
        DestinationArn: source.arn,
        MaxNumberOfMessagesPerSecond: 1,
        ApproximateNumberOfMessagesMoved: 2,
        ApproximateNumberOfMessagesToMove: 10,
        StartedTimestamp: running!.StartedTimestamp,
      });
      // Only one active task per source.
      await rejectsWith(
        t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn })),
        'InvalidParameterValue',
        'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
      );

      const cancelled = await t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      assert.equal(cancelled.ApproximateNumberOfMessagesMoved, 2);
      clock.advance(20_000);
      assert.equal(await totalCount(t, dlq.url), 8);
      assert.equal(await totalCount(t, source.url), 2);
      const [after] = await listTasks(t, dlq);
      assert.equal(after!.Status, 'CANCELLED');
      assert.equal(after!.ApproximateNumberOfMessagesMoved, 2);
      assert.equal(after!.TaskHandle, undefined);

      // A new task may start once the old one is no longer running; ListMessageMoveTasks shows the newest first.
      await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
      const done = await settledTask(t, dlq);
      assert.equal(done.Status, 'COMPLETED');
      assert.equal(done.ApproximateNumberOfMessagesMoved, 8);
      assert.deepEqual((await listTasks(t, dlq, 10)).map((r) => r.Status), ['COMPLETED', 'CANCELLED']);
      assert.equal(await totalCount(t, source.url), 10);
    }));

  it('answers move task errors as AWS does', () =>
    withWatchedClock(async (t) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
      const plain = await createQueueWithArn(t, 'plain');
      const missingArn = plain.arn.replace(/plain$/, 'does-not-exist');

      const noSource = "The resource that you specified for the SourceArn parameter doesn't exist.";
      const cases: [call: () => Promise<unknown>, name: string, message: string][] = [
        [() => t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn })), 'InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.'],
        [
          () => t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: source.arn, DestinationArn: dlq.arn })),
          'InvalidParameterValue',
          'Source queue must be configured as a Dead Letter Queue.',
        ],
        [() => t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: missingArn })), 'ResourceNotFoundException', noSource],
        [
          () => t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: missingArn })),
          'ResourceNotFoundException',
          "The resource that you specified for the DestinationArn parameter doesn't exist.",
        ],
        [() => t.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: missingArn })), 'ResourceNotFoundException', noSource],
        [() => t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'foobared' })), 'InvalidParameterValue', 'Value for parameter TaskHandle is invalid.'],
        [
          () => t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle('10f57157-fc38-4da9-a113-4de7e12d05dd', missingArn) })),
          'ResourceNotFoundException',
          noSource,
        ],
        [
          () => t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle('10f57157-fc38-4da9-a113-4de7e12d05aa', dlq.arn) })),
          'ResourceNotFoundException',
          'Task does not exist.',
        ],
      ];
      for (const [call, name, message] of cases) await rejectsWith(call(), name, message);
      // No task yet: an empty list.
      assert.deepEqual(await listTasks(t, dlq), []);
    }));
  it("keeps other accounts away from a queue's move tasks, and moves only into queues its owner may send to", () =>
    withWatchedClock(async (t, clock) => {
      const other = t.sqsClient({ credentials: OTHER });
      try {
        const dlq = await createQueueWithArn(t, 'dlq');
        const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
        for (const i of [1, 2]) await t.sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: `secret-${i}` }));
        const { QueueUrl: lootUrl } = await other.send(new CreateQueueCommand({ QueueName: 'loot' }));
        const lootArn = `arn:aws:sqs:us-east-1:${OTHER_ACCOUNT}:loot`;

        // To another account the queue's tasks are as if the queue did not exist.
        const noSource = "The resource that you specified for the SourceArn parameter doesn't exist.";
        await rejectsWith(other.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: lootArn })), 'ResourceNotFoundException', noSource);
        await rejectsWith(other.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn })), 'ResourceNotFoundException', noSource);
        await rejectsWith(other.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn })), 'ResourceNotFoundException', noSource);
        // Moving sends: not even the owner may move messages into a queue it cannot send to.
        await rejectsWith(
          t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: lootArn })),
          'AccessDenied',
          `Access to the resource ${lootArn} is denied.`,
        );
        assert.deepEqual(await listTasks(t, dlq), []);

        // The owner's running task (one message a second) cannot be cancelled by the other account.
        const nextTick = clock.timersAt(clock.now() + 1_000);
        const { TaskHandle } = await t.sqs.send(
          new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: source.arn, MaxNumberOfMessagesPerSecond: 1 }),
        );
        await nextTick;
        await rejectsWith(other.send(new CancelMessageMoveTaskCommand({ TaskHandle })), 'ResourceNotFoundException', noSource);
        assert.equal((await listTasks(t, dlq))[0]!.Status, 'RUNNING');
        assert.equal((await t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }))).ApproximateNumberOfMessagesMoved, 1);
        assert.deepEqual(await receive(other, lootUrl!), []);

        // Once the destination's owner lets the DLQ's owner send, the owner may move messages there.
        await other.send(new AddPermissionCommand({ QueueUrl: lootUrl, Label: 'dlq-owner', AWSAccountIds: [ACCOUNT], Actions: ['SendMessage'] }));
        await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: lootArn }));
        const done = await settledTask(t, dlq);
        assert.equal(done.Status, 'COMPLETED');
        assert.equal(done.ApproximateNumberOfMessagesMoved, 1);
        assert.deepEqual((await receive(other, lootUrl!)).map((m) => m.Body), ['secret-2']);
      } finally {
        other.destroy();
      }
    }, TWO_ACCOUNTS));

  it('starts the retention period over for a message dead-lettered from a FIFO queue, not from a standard one', () =>
    withWatchedClock(async (t, clock) => {
      // AWS: "For FIFO queues, the enqueue timestamp resets when the message is moved to a dead-letter queue."
      const fifoDlq = await createQueueWithArn(t, 'dlq.fifo', { FifoQueue: 'true', MessageRetentionPeriod: '60' });
      const fifoSource = await createQueueWithArn(t, 'source.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', ...redrive(fifoDlq, 1) });
      const dlq = await createQueueWithArn(t, 'dlq', { MessageRetentionPeriod: '60' });
      const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
      const sentAt = clock.now();
      await t.sqs.send(new SendMessageCommand({ QueueUrl: fifoSource.url, MessageBody: 'fifo', MessageGroupId: 'g' }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'standard' }));
      await receive(t, fifoSource.url, { VisibilityTimeout: 0 });
      await receive(t, source.url, { VisibilityTimeout: 0 });

      // 50 s later both are dead-lettered.
      clock.advance(50_000);
      const movedAt = clock.now();
      assert.deepEqual(await receive(t, fifoSource.url), []);
      assert.deepEqual(await receive(t, source.url), []);
      assert.equal(await totalCount(t, fifoDlq.url), 1);
      assert.equal(await totalCount(t, dlq.url), 1);

      // 80 s after sending: past the DLQs' 60 s retention counted from the send, not from the move.
      clock.advance(30_000);
      assert.deepEqual(await receive(t, dlq.url), [], 'the standard DLQ keeps the original sent time');
      const [dead] = await receive(t, fifoDlq.url, { MessageSystemAttributeNames: ['SentTimestamp'], VisibilityTimeout: 0 });
      assert.equal(dead!.Body, 'fifo');
      assert.equal(dead!.Attributes!.SentTimestamp, String(movedAt));
      assert.notEqual(dead!.Attributes!.SentTimestamp, String(sentAt));

      // 60 s after the move it expires.
      clock.advance(30_000);
      assert.deepEqual(await receive(t, fifoDlq.url), []);
      assert.equal(await totalCount(t, fifoDlq.url), 0);
    }));

  it('arms no further tick once the service has stopped, even for a tick in flight', () =>
    withWatchedClock(async (t, clock) => {
      const dlq = await createQueueWithArn(t, 'dlq');
      const source = await createQueueWithArn(t, 'source', redrive(dlq, 1));
      for (const i of [1, 2, 3]) await t.sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: `m${i}` }));
      const firstTick = clock.timersAt(clock.now() + 1_000);
      await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: source.arn, MaxNumberOfMessagesPerSecond: 1 }));
      await firstTick;

      const third = clock.now() + 2_000;
      // The second tick starts (its store write is pending) and the service stops meanwhile.
      clock.advance(1_000);
      const sqs = t.nimbus.services.find((s) => s.name === 'sqs')!;
      await sqs.stop!();
      await t.nimbus.store.flush();
      await new Promise((r) => setImmediate(r));
      assert.equal(clock.armedAt(third), 0, 'a timer was armed after stop');
    }));
});
