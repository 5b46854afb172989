/**
 * Long polling (ReceiveMessage with WaitTimeSeconds) through the real SDK. Nimbus runs on a
 * ManualClock that only these tests move, so a waiting receive can only be answered by an
 * event (a send, a visibility change) or by the clock reaching a deadline that the test moves
 * it to: a polling loop inside Nimbus would never answer and the test would time out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
  type ReceiveMessageCommandInput,
} from '@aws-sdk/client-sqs';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { createQueue, withWatchedClock, type WatchedClock } from '../../helpers/sqs.js';

interface Poll {
  promise: Promise<Message[]>;
  settled(): boolean;
}

/**
 * Starts a receive that should wait `waitSeconds` and resolves once Nimbus holds it waiting
 * (its deadline timer armed). With queueDefault the request leaves WaitTimeSeconds out.
 */
async function startPoll(
  t: TestNimbus,
  clock: WatchedClock,
  QueueUrl: string,
  waitSeconds: number,
  extra: Partial<ReceiveMessageCommandInput> = {},
  queueDefault = false,
): Promise<Poll> {
  const waiting = clock.timersAt(clock.now() + waitSeconds * 1000);
  let done = false;
  const promise = t.sqs
    .send(new ReceiveMessageCommand({ QueueUrl, ...(queueDefault ? {} : { WaitTimeSeconds: waitSeconds }), ...extra }))
    .then((r) => r.Messages ?? [])
    .finally(() => (done = true));
  await waiting;
  return { promise, settled: () => done };
}

/** A full round trip to Nimbus, so that anything it was about to answer has been answered. */
async function roundTrip(t: TestNimbus, QueueUrl: string): Promise<void> {
  await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await new Promise((r) => setImmediate(r));
}

describe('SQS long polling', () => {
  it('answers a waiting receive as soon as a message is sent, without the clock moving', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'wake-on-send');
      const start = clock.now();
      const poll = await startPoll(t, clock, url, 20);
      await roundTrip(t, url);
      assert.equal(poll.settled(), false, 'the receive waits while the queue is empty');

      const sent = await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
      const got = await poll.promise;
      assert.equal(got.length, 1);
      assert.equal(got[0]!.Body, 'wake up');
      assert.equal(got[0]!.MessageId, sent.MessageId);
      assert.equal(clock.now(), start, 'the clock never moved');
    }));

  it('answers with nothing when the wait reaches its deadline', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'deadline');
      const poll = await startPoll(t, clock, url, 20);
      clock.advance(19_999);
      await roundTrip(t, url);
      assert.equal(poll.settled(), false);
      clock.advance(1);
      assert.deepEqual(await poll.promise, []);
      // A message sent after the deadline is left for the next receive.
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
      const [m] = (await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? [];
      assert.equal(m!.Body, 'late');
    }));

  it("waits the queue's ReceiveMessageWaitTimeSeconds by default; WaitTimeSeconds=0 overrides it", () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'queue-wait', { ReceiveMessageWaitTimeSeconds: '5' });
      // WaitTimeSeconds 0: an empty answer at once.
      assert.equal((await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }))).Messages, undefined);

      const poll = await startPoll(t, clock, url, 5, {}, true);
      clock.advance(4_999);
      await roundTrip(t, url);
      assert.equal(poll.settled(), false, 'no WaitTimeSeconds: the queue default applies');
      clock.advance(1);
      assert.deepEqual(await poll.promise, []);

      const woken = await startPoll(t, clock, url, 5, {}, true);
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'default wait' }));
      assert.equal((await woken.promise)[0]!.Body, 'default wait');

      // An explicit WaitTimeSeconds wins over the queue's.
      const longer = await startPoll(t, clock, url, 12);
      clock.advance(5_000);
      await roundTrip(t, url);
      assert.equal(longer.settled(), false);
      clock.advance(7_000);
      assert.deepEqual(await longer.promise, []);
    }));

  it('wakes a waiting receive when an in-flight message becomes visible again', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'wake-on-visibility', { VisibilityTimeout: '10' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
      const [first] = (await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!;
      const poll = await startPoll(t, clock, url, 20, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      clock.advance(9_999);
      await roundTrip(t, url);
      assert.equal(poll.settled(), false);
      clock.advance(1);
      const [again] = await poll.promise;
      assert.equal(again!.MessageId, first!.MessageId);
      assert.equal(again!.Attributes!.ApproximateReceiveCount, '2');
    }));

  it('wakes a waiting receive when a delayed message becomes visible', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'wake-on-delay');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 15 }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'sooner', DelaySeconds: 5 }));
      const poll = await startPoll(t, clock, url, 20, { MaxNumberOfMessages: 10 });
      clock.advance(5_000);
      assert.deepEqual((await poll.promise).map((m) => m.Body), ['sooner']);
      const next = await startPoll(t, clock, url, 20, { MaxNumberOfMessages: 10 });
      clock.advance(10_000);
      assert.deepEqual((await next.promise).map((m) => m.Body), ['delayed']);
    }));

  it('wakes a waiting receive when ChangeMessageVisibility releases a message', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'wake-on-release');
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'released' }));
      const [m] = (await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!;
      const poll = await startPoll(t, clock, url, 20);
      await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 }));
      const [again] = await poll.promise;
      assert.equal(again!.MessageId, m!.MessageId);
    }));

  it('gives concurrent waiting receives distinct messages', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'many-pollers');
      const deadline = clock.now() + 20_000;
      const allWaiting = clock.timersAt(deadline, 6);
      const polls = Array.from({ length: 6 }, () => t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })));
      await allWaiting;

      await t.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 3 }, (_, i) => ({ Id: `b${i}`, MessageBody: `batch-${i}` })) }),
      );
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'single-1' }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'single-2' }));

      // Five messages for six receives: five answer at once, each with its own message.
      const answered: string[] = [];
      const pending = new Set(polls);
      await new Promise<void>((resolve) => {
        for (const p of polls) {
          void p.then((r) => {
            pending.delete(p);
            for (const m of r.Messages ?? []) answered.push(m.Body!);
            if (answered.length === 5) resolve();
          });
        }
      });
      assert.deepEqual(answered.sort(), ['batch-0', 'batch-1', 'batch-2', 'single-1', 'single-2']);
      assert.equal(pending.size, 1, 'the sixth receive still waits');
      clock.set(deadline);
      const [last] = [...pending];
      assert.equal((await last!).Messages, undefined);
    }));

  it('answers a waiting receive with every message of a batch that arrives together', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'wake-with-batch');
      const poll = await startPoll(t, clock, url, 20, { MaxNumberOfMessages: 10 });
      await t.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 4 }, (_, i) => ({ Id: `b${i}`, MessageBody: `m${i}` })) }),
      );
      assert.deepEqual((await poll.promise).map((m) => m.Body).sort(), ['m0', 'm1', 'm2', 'm3']);
    }));

  it('is not woken by messages sent to another queue', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'quiet');
      const other = await createQueue(t, 'busy');
      const poll = await startPoll(t, clock, url, 20);
      await t.sqs.send(new SendMessageCommand({ QueueUrl: other, MessageBody: 'elsewhere' }));
      await roundTrip(t, url);
      assert.equal(poll.settled(), false);
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'here' }));
      assert.equal((await poll.promise)[0]!.Body, 'here');
    }));

  it('wakes a FIFO receive when a delete opens the message group', () =>
    withWatchedClock(async (t, clock) => {
      const url = await createQueue(t, 'wake.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'first', MessageGroupId: 'g' }));
      await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'second', MessageGroupId: 'g' }));
      const [first] = (await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages!;
      assert.equal(first!.Body, 'first');
      const poll = await startPoll(t, clock, url, 20);
      await roundTrip(t, url);
      assert.equal(poll.settled(), false, 'the group is blocked while first is in flight');
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
      assert.deepEqual((await poll.promise).map((m) => m.Body), ['second']);
    }));
});
