/**
 * Dead-letter queues through the real SDK: RedrivePolicy moving messages after
 * maxReceiveCount receives (standard and FIFO), ListDeadLetterSourceQueues, and message move
 * tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask) on the clock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type ReceiveMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { ManualClock, type Timer } from '../../../src/lib/clock.js';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';

// ---- helpers ---------------------------------------------------------------------------

/** A ManualClock that tells the test when Nimbus arms a timer for a given instant. */
class WatchedClock extends ManualClock {
  private armed = new Map<number, number>();
  private watchers: { at: number; count: number; resolve: () => void }[] = [];

  override at(at: number, fn: () => void): Timer {
    const timer = super.at(at, fn);
    this.armed.set(at, (this.armed.get(at) ?? 0) + 1);
    this.watchers = this.watchers.filter((w) => {
      if (w.at !== at || this.armed.get(at)! < w.count) return true;
      w.resolve();
      return false;
    });
    return timer;
  }

  /** Resolves once one more timer for exactly `at` has been armed. */
  timerAt(at: number): Promise<void> {
    const target = (this.armed.get(at) ?? 0) + 1;
    return new Promise((resolve) => this.watchers.push({ at, count: target, resolve }));
  }
}

async function withNimbus(fn: (t: TestNimbus, clock: WatchedClock) => Promise<void>): Promise<void> {
  const clock = new WatchedClock(Date.now());
  const t = await startTestNimbus({ clock });
  try {
    await fn(t, clock);
  } finally {
    await t.stop();
  }
}

interface TestQueue {
  url: string;
  arn: string;
}

async function createQueue(t: TestNimbus, name: string, attributes: Record<string, string> = {}): Promise<TestQueue> {
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

const redrive = (dlq: TestQueue, maxReceiveCount: number) => ({
  RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
});

async function receive(t: TestNimbus, q: TestQueue, extra: Partial<ReceiveMessageCommandInput> = {}): Promise<Message[]> {
  const out = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, ...extra }));
  return out.Messages ?? [];
}

async function count(t: TestNimbus, q: TestQueue): Promise<number> {
  const { Attributes: a } = await t.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: q.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Number(a!.ApproximateNumberOfMessages) + Number(a!.ApproximateNumberOfMessagesNotVisible) + Number(a!.ApproximateNumberOfMessagesDelayed);
}

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

async function rejectsWith(p: Promise<unknown>, name: string, message?: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `error name (message: ${e.message})`);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

const taskHandle = (taskId: string, sourceArn: string) => Buffer.from(JSON.stringify({ taskId, sourceArn })).toString('base64');

/** Receives each of `bodies` `times` times from q (visibility 0), moving them towards the DLQ. */
async function receiveTimes(t: TestNimbus, q: TestQueue, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await receive(t, q, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
}

// ---- tests -----------------------------------------------------------------------------

describe('SQS dead-letter queues', () => {
  it('moves a message to the DLQ on the receive after maxReceiveCount', () =>
    withNimbus(async (t, clock) => {
      const dlq = await createQueue(t, 'dlq');
      const source = await createQueue(t, 'source', { ...redrive(dlq, 2), VisibilityTimeout: '10' });
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
        const got = await receive(t, source, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
        const poison = got.find((m) => m.Body === 'poison')!;
        assert.equal(poison.Attributes!.ApproximateReceiveCount, n);
        // healthy is deleted on its first receive.
        const healthy = got.find((m) => m.Body === 'healthy');
        if (healthy) await t.sqs.send(new DeleteMessageCommand({ QueueUrl: source.url, ReceiptHandle: healthy.ReceiptHandle }));
        clock.advance(10_000);
      }
      assert.equal(await count(t, dlq), 0, 'still in the source after two receives');

      // The third receive moves it instead of delivering it.
      assert.deepEqual(await receive(t, source, { MaxNumberOfMessages: 10 }), []);
      assert.equal(await count(t, source), 0);
      assert.equal(await count(t, dlq), 1);

      const [dead] = await receive(t, dlq, { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] });
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
    withNimbus(async (t) => {
      const dlq = await createQueue(t, 'dlq');
      const source = await createQueue(t, 'source', redrive(dlq, 1));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'fine' }));
      const [m] = await receive(t, source);
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: source.url, ReceiptHandle: m!.ReceiptHandle }));
      await receiveTimes(t, source, 2);
      assert.equal(await count(t, dlq), 0);
    }));

  it('dead-letters a FIFO message and lets the rest of its group through, in order', () =>
    withNimbus(async (t) => {
      const dlq = await createQueue(t, 'dlq.fifo', { FifoQueue: 'true' });
      const source = await createQueue(t, 'source.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', ...redrive(dlq, 2) });
      for (const body of ['m1', 'm2', 'm3']) await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body, MessageGroupId: 'g' }));

      for (const n of ['1', '2']) {
        const [m] = await receive(t, source, { VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
        assert.equal(m!.Body, 'm1');
        assert.equal(m!.Attributes!.ApproximateReceiveCount, n);
      }
      // m1 goes to the DLQ; the group goes on with m2, m3.
      const next = await receive(t, source, { MaxNumberOfMessages: 10 });
      assert.deepEqual(next.map((m) => m.Body), ['m2', 'm3']);

      const [dead] = await receive(t, dlq, { MessageSystemAttributeNames: ['All'] });
      assert.equal(dead!.Body, 'm1');
      assert.equal(dead!.Attributes!.DeadLetterQueueSourceArn, source.arn);
      assert.equal(dead!.Attributes!.MessageGroupId, 'g');
      assert.match(dead!.Attributes!.SequenceNumber!, /^\d+$/);
    }));

  it('wakes a long poll on the DLQ when a message is dead-lettered', () =>
    withNimbus(async (t, clock) => {
      const dlq = await createQueue(t, 'dlq');
      const source = await createQueue(t, 'source', redrive(dlq, 1));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: 'to the dlq' }));
      await receive(t, source, { VisibilityTimeout: 0 });

      const waiting = clock.timerAt(clock.now() + 20_000);
      const poll = receive(t, dlq, { WaitTimeSeconds: 20 });
      await waiting;
      await receive(t, source);
      const [m] = await poll;
      assert.equal(m!.Body, 'to the dlq');
    }));

  it('lists the queues that use a queue as their dead-letter queue', () =>
    withNimbus(async (t) => {
      const dlq = await createQueue(t, 'dlq');
      const b = await createQueue(t, 'source-b', redrive(dlq, 3));
      const a = await createQueue(t, 'source-a', redrive(dlq, 5));
      await createQueue(t, 'unrelated');
      const out = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url }));
      assert.deepEqual(out.queueUrls, [a.url, b.url]);
      const none = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: a.url }));
      assert.deepEqual(none.queueUrls ?? [], []);
    }));

  it('moves DLQ messages back to their source queues with StartMessageMoveTask', () =>
    withNimbus(async (t, clock) => {
      const dlq = await createQueue(t, 'dlq');
      const one = await createQueue(t, 'source-one', redrive(dlq, 1));
      const two = await createQueue(t, 'source-two', redrive(dlq, 1));
      for (const q of [one, two]) {
        for (const i of [1, 2]) await t.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: `${q === one ? 'one' : 'two'}-${i}` }));
        await receiveTimes(t, q, 2);
      }
      assert.equal(await count(t, dlq), 4);

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
      assert.equal(await count(t, dlq), 0);
      for (const [q, name] of [
        [one, 'one'],
        [two, 'two'],
      ] as const) {
        const got = await receive(t, q, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] });
        assert.deepEqual(got.map((m) => m.Body).sort(), [`${name}-1`, `${name}-2`]);
        for (const m of got) {
          assert.equal(m.Attributes!.DeadLetterQueueSourceArn, undefined);
          // Redriven messages start their receives over (else they would be dead-lettered again at once).
          assert.equal(m.Attributes!.ApproximateReceiveCount, '1');
        }
      }
    }));

  it('moves DLQ messages to an explicit DestinationArn', () =>
    withNimbus(async (t) => {
      const dlq = await createQueue(t, 'dlq');
      const source = await createQueue(t, 'source', redrive(dlq, 1));
      const destination = await createQueue(t, 'destination');
      for (const i of [1, 2, 3]) await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: `m${i}` }));
      await receiveTimes(t, source, 2);
      assert.equal(await count(t, dlq), 3);

      await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: destination.arn }));
      const task = await settledTask(t, dlq);
      assert.equal(task.Status, 'COMPLETED');
      assert.equal(task.DestinationArn, destination.arn);
      assert.equal(task.ApproximateNumberOfMessagesMoved, 3);
      assert.equal(task.TaskHandle, undefined, 'only running tasks show their handle');
      assert.equal(await count(t, source), 0);
      const got = await receive(t, destination, { MaxNumberOfMessages: 10 });
      assert.deepEqual(got.map((m) => m.Body).sort(), ['m1', 'm2', 'm3']);
    }));

  it('cancels a running move task, which then moves nothing more', () =>
    withNimbus(async (t, clock) => {
      const dlq = await createQueue(t, 'dlq');
      const source = await createQueue(t, 'source', redrive(dlq, 1));
      for (let i = 0; i < 10; i++) await t.sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: `m${i}` }));
      await receiveTimes(t, source, 2);
      assert.equal(await count(t, dlq), 10);

      // One message a second: the first moves at once, the next when the clock passes a second.
      let nextTick = clock.timerAt(clock.now() + 1_000);
      const { TaskHandle } = await t.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: source.arn, MaxNumberOfMessagesPerSecond: 1 }),
      );
      await nextTick;
      assert.equal(await count(t, source), 1);
      nextTick = clock.timerAt(clock.now() + 2_000);
      clock.advance(1_000);
      await nextTick;
      assert.equal(await count(t, source), 2);

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
      assert.equal(await count(t, dlq), 8);
      assert.equal(await count(t, source), 2);
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
      assert.equal(await count(t, source), 10);
    }));

  it('answers move task errors as AWS does', () =>
    withNimbus(async (t) => {
      const dlq = await createQueue(t, 'dlq');
      const source = await createQueue(t, 'source', redrive(dlq, 1));
      const plain = await createQueue(t, 'plain');
      const missingArn = plain.arn.replace(/plain$/, 'does-not-exist');

      await rejectsWith(
        t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn })),
        'InvalidParameterValue',
        'Source queue must be configured as a Dead Letter Queue.',
      );
      await rejectsWith(
        t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: source.arn, DestinationArn: dlq.arn })),
        'InvalidParameterValue',
        'Source queue must be configured as a Dead Letter Queue.',
      );
      await rejectsWith(
        t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: missingArn })),
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
      await rejectsWith(
        t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: missingArn })),
        'ResourceNotFoundException',
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
      );
      await rejectsWith(
        t.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: missingArn })),
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
      await rejectsWith(
        t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'foobared' })),
        'InvalidParameterValue',
        'Value for parameter TaskHandle is invalid.',
      );
      await rejectsWith(
        t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle('10f57157-fc38-4da9-a113-4de7e12d05dd', missingArn) })),
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist.",
      );
      await rejectsWith(
        t.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle('10f57157-fc38-4da9-a113-4de7e12d05aa', dlq.arn) })),
        'ResourceNotFoundException',
        'Task does not exist.',
      );
      // No task yet: an empty list.
      assert.deepEqual(await listTasks(t, dlq), []);
    }));
});
