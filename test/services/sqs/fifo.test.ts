/**
 * FIFO queues through the real SDK: order within a message group, groups blocked while a
 * message of theirs is in flight, deduplication (by id, by content, per group), sequence
 * numbers, receive request attempt ids, FIFO errors, and order under concurrent consumers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type Message,
  type SendMessageCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { createQueue, receive, receiveUpTo10, rejectsWith, visibleCount, withNimbus } from '../../helpers/sqs.js';

// ---- helpers ---------------------------------------------------------------------------

const fifo = (t: TestNimbus, name: string, attributes: Record<string, string> = {}) =>
  createQueue(t, `${name}.fifo`, { FifoQueue: 'true', ...attributes });

async function send(t: TestNimbus, QueueUrl: string, MessageBody: string, MessageGroupId: string, extra: Partial<SendMessageCommandInput> = {}) {
  return t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody, MessageGroupId, ...extra }));
}

async function deleteAll(t: TestNimbus, QueueUrl: string, messages: Message[]): Promise<void> {
  for (const m of messages) await t.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
}

const bodies = (ms: Message[]) => ms.map((m) => m.Body!);
const DEDUP_WINDOW = 5 * 60_000;

// ---- tests -----------------------------------------------------------------------------

describe('SQS FIFO queues', () => {
  it('delivers a group in strict send order across many sends', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'order', { ContentBasedDeduplication: 'true' });
      const sent: string[] = [];
      for (let i = 0; i < 25; i++) {
        sent.push(`m${i}`);
        await send(t, url, `m${i}`, 'g');
      }
      await t.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `b${i}`, MessageBody: `m${25 + i}`, MessageGroupId: 'g' })),
        }),
      );
      for (let i = 25; i < 35; i++) sent.push(`m${i}`);

      const got: string[] = [];
      for (;;) {
        const batch = await receiveUpTo10(t, url);
        if (batch.length === 0) break;
        got.push(...bodies(batch));
        await deleteAll(t, url, batch);
      }
      assert.deepEqual(got, sent);
    }));

  it('holds back a group while one of its messages is in flight, but not other groups', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'blocking', { ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
      for (const body of ['a1', 'b1', 'a2', 'b2', 'a3']) await send(t, url, body, body[0]!.toUpperCase());
      const [a1] = await receive(t, url, { MaxNumberOfMessages: 1 });
      assert.equal(a1!.Body, 'a1');
      // A is blocked by a1; B is open, and both its messages come together, in order.
      assert.deepEqual(bodies(await receiveUpTo10(t, url)), ['b1', 'b2']);
      assert.deepEqual(await receiveUpTo10(t, url), []);

      // a1's visibility runs out: it comes back before a2, with a new receive count.
      t.clock.advance(30_000);
      const again = await receiveUpTo10(t, url, { MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'] });
      const groupA = again.filter((m) => m.Attributes!.MessageGroupId === 'A');
      const groupB = again.filter((m) => m.Attributes!.MessageGroupId === 'B');
      assert.deepEqual(bodies(groupA), ['a1', 'a2', 'a3']);
      assert.deepEqual(bodies(groupB), ['b1', 'b2']);
      assert.deepEqual(
        groupA.map((m) => m.Attributes!.ApproximateReceiveCount),
        ['2', '1', '1'],
      );

      // Deleting only part of a group leaves it blocked until the rest is deleted.
      await deleteAll(t, url, [...groupA.slice(0, 2), ...groupB]);
      assert.deepEqual(await receiveUpTo10(t, url), []);
      await deleteAll(t, url, groupA.slice(2));
      assert.deepEqual(await receiveUpTo10(t, url), []);
      assert.equal(await visibleCount(t, url), 0);
    }));

  it('opens a group when its in-flight message is released with ChangeMessageVisibility', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'release', { ContentBasedDeduplication: 'true' });
      await send(t, url, 'x1', 'X');
      await send(t, url, 'x2', 'X');
      const [x1] = await receive(t, url, { MaxNumberOfMessages: 1 });
      assert.deepEqual(await receiveUpTo10(t, url), []);
      await t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: x1!.ReceiptHandle, VisibilityTimeout: 0 }));
      assert.deepEqual(bodies(await receiveUpTo10(t, url)), ['x1', 'x2']);
    }));

  it('deduplicates by MessageDeduplicationId for five minutes, answering with the original', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'dedup-id');
      const first = await send(t, url, 'original', 'g', { MessageDeduplicationId: 'd1' });
      assert.match(first.SequenceNumber!, /^\d+$/);
      // Same id, different body: a duplicate all the same.
      const dup = await send(t, url, 'different body', 'g', { MessageDeduplicationId: 'd1' });
      assert.equal(dup.MessageId, first.MessageId);
      assert.equal(dup.SequenceNumber, first.SequenceNumber);
      assert.equal(dup.MD5OfMessageBody, createHash('md5').update('different body').digest('hex'));
      const batchDup = await t.sqs.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'e', MessageBody: 'again', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }] }),
      );
      assert.equal(batchDup.Successful![0]!.MessageId, first.MessageId);
      assert.equal(batchDup.Successful![0]!.SequenceNumber, first.SequenceNumber);
      assert.equal(await visibleCount(t, url), 1);

      // Deleting the original does not end the window.
      const [m] = await receiveUpTo10(t, url);
      assert.equal(m!.Body, 'original');
      await deleteAll(t, url, [m!]);
      t.clock.advance(DEDUP_WINDOW - 1);
      const late = await send(t, url, 'still a duplicate', 'g', { MessageDeduplicationId: 'd1' });
      assert.equal(late.MessageId, first.MessageId);
      assert.deepEqual(await receiveUpTo10(t, url), []);

      // After the window the same id is a new message.
      t.clock.advance(1);
      const fresh = await send(t, url, 'new', 'g', { MessageDeduplicationId: 'd1' });
      assert.notEqual(fresh.MessageId, first.MessageId);
      assert.ok(BigInt(fresh.SequenceNumber!) > BigInt(first.SequenceNumber!));
      assert.deepEqual(bodies(await receiveUpTo10(t, url)), ['new']);
    }));

  it('deduplicates by content (SHA-256 of the body) with ContentBasedDeduplication', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'dedup-content', { ContentBasedDeduplication: 'true' });
      const a = await send(t, url, 'same body', 'g1');
      const b = await send(t, url, 'same body', 'g2');
      assert.equal(b.MessageId, a.MessageId, 'content dedup spans groups with the default queue scope');
      const c = await send(t, url, 'other body', 'g1');
      assert.notEqual(c.MessageId, a.MessageId);
      // An explicit id takes the place of the content hash.
      const d = await send(t, url, 'same body', 'g1', { MessageDeduplicationId: 'explicit' });
      assert.notEqual(d.MessageId, a.MessageId);
      const sha = createHash('sha256').update('same body').digest('hex');
      const e = await send(t, url, 'anything', 'g1', { MessageDeduplicationId: sha });
      assert.equal(e.MessageId, a.MessageId, 'the content hash is the SHA-256 of the body');

      const got = await receiveUpTo10(t, url, { MessageSystemAttributeNames: ['MessageDeduplicationId'] });
      assert.deepEqual(bodies(got), ['same body', 'other body', 'same body']);
      assert.equal(got[0]!.Attributes!.MessageDeduplicationId, sha);
      assert.equal(got[2]!.Attributes!.MessageDeduplicationId, 'explicit');

      t.clock.advance(DEDUP_WINDOW);
      const f = await send(t, url, 'same body', 'g1');
      assert.notEqual(f.MessageId, a.MessageId);
    }));

  it('deduplicates per group with DeduplicationScope=messageGroup, per queue by default', () =>
    withNimbus(async (t) => {
      const perGroup = await fifo(t, 'scope-group', { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
      const a = await send(t, perGroup, 'one', 'g1', { MessageDeduplicationId: 'same' });
      const b = await send(t, perGroup, 'two', 'g2', { MessageDeduplicationId: 'same' });
      assert.notEqual(b.MessageId, a.MessageId);
      const c = await send(t, perGroup, 'three', 'g1', { MessageDeduplicationId: 'same' });
      assert.equal(c.MessageId, a.MessageId);
      assert.deepEqual(bodies(await receiveUpTo10(t, perGroup)).sort(), ['one', 'two']);

      const perQueue = await fifo(t, 'scope-queue');
      const x = await send(t, perQueue, 'one', 'g1', { MessageDeduplicationId: 'same' });
      const y = await send(t, perQueue, 'two', 'g2', { MessageDeduplicationId: 'same' });
      assert.equal(y.MessageId, x.MessageId);
      assert.deepEqual(bodies(await receiveUpTo10(t, perQueue)), ['one']);
    }));

  it('assigns increasing sequence numbers and returns FIFO system attributes', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'sequence', { ContentBasedDeduplication: 'true' });
      const seqs: bigint[] = [];
      for (let i = 0; i < 6; i++) seqs.push(BigInt((await send(t, url, `s${i}`, `g${i % 3}`)).SequenceNumber!));
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!);

      const got = await receiveUpTo10(t, url, { MessageSystemAttributeNames: ['All'] });
      assert.equal(got.length, 6);
      for (const m of got) {
        const i = Number(m.Body!.slice(1));
        assert.equal(m.Attributes!.SequenceNumber, String(seqs[i]));
        assert.equal(m.Attributes!.MessageGroupId, `g${i % 3}`);
        assert.equal(m.Attributes!.MessageDeduplicationId, createHash('sha256').update(m.Body!).digest('hex'));
      }
      // Within each group, in order.
      for (const g of ['g0', 'g1', 'g2']) {
        const inGroup = got.filter((m) => m.Attributes!.MessageGroupId === g).map((m) => BigInt(m.Attributes!.SequenceNumber!));
        assert.deepEqual(inGroup, [...inGroup].sort((a, b) => (a < b ? -1 : 1)));
      }
    }));

  it('answers a retried ReceiveRequestAttemptId with the same messages and receipt handles', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'attempts', { ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
      for (let i = 0; i < 3; i++) await send(t, url, `r${i}`, 'g');
      const first = await receive(t, url, { ReceiveRequestAttemptId: 'attempt-1', MaxNumberOfMessages: 2 });
      assert.deepEqual(bodies(first), ['r0', 'r1']);
      const retry = await receive(t, url, { ReceiveRequestAttemptId: 'attempt-1', MaxNumberOfMessages: 2 });
      assert.deepEqual(
        retry.map((m) => [m.MessageId, m.ReceiptHandle]),
        first.map((m) => [m.MessageId, m.ReceiptHandle]),
      );
      // Another attempt id is a new receive: the group is blocked.
      assert.deepEqual(await receiveUpTo10(t, url, { ReceiveRequestAttemptId: 'attempt-2' }), []);
      // The retried handles delete the messages.
      await deleteAll(t, url, retry);
      assert.deepEqual(bodies(await receiveUpTo10(t, url)), ['r2']);

      await rejectsWith(
        receiveUpTo10(t, url, { ReceiveRequestAttemptId: 'has space' }),
        'InvalidParameterValue',
        'Value has space for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
      );
    }));

  it("never answers a retried ReceiveRequestAttemptId with another receive's message or handle", () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'attempt-taken-over', { ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
      await send(t, url, 'a', 'g');
      const [first] = await receive(t, url, { ReceiveRequestAttemptId: 'attempt-1' });
      assert.equal(first!.Body, 'a');

      // The visibility timeout runs out and another consumer receives the message.
      t.clock.advance(31_000);
      const [second] = await receive(t, url);
      assert.equal(second!.MessageId, first!.MessageId);
      assert.notEqual(second!.ReceiptHandle, first!.ReceiptHandle);

      // The first consumer's retry must not get the message under the other's receipt: it is
      // a fresh receive, and the group is blocked by the other consumer's receive.
      assert.deepEqual(await receiveUpTo10(t, url, { ReceiveRequestAttemptId: 'attempt-1' }), []);
      // The other consumer's receive is untouched: its handle still deletes the message.
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle }));

      // A retry after its message was deleted gets the next message as a fresh receive, with a handle of its own.
      await send(t, url, 'b', 'g');
      const [fresh] = await receive(t, url, { ReceiveRequestAttemptId: 'attempt-1' });
      assert.equal(fresh!.Body, 'b');
      assert.notEqual(fresh!.ReceiptHandle, second!.ReceiptHandle);
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: fresh!.ReceiptHandle }));
      assert.deepEqual(await receiveUpTo10(t, url), []);
    }));

  it('refuses a receipt handle whose visibility timeout has expired', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'expired-handle', { ContentBasedDeduplication: 'true', VisibilityTimeout: '1' });
      await send(t, url, 'foobar', '1');
      const [m] = await receiveUpTo10(t, url);
      t.clock.advance(1_000);
      await rejectsWith(
        t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle })),
        'InvalidParameterValue',
        `Value ${m!.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
      );
      const batch = await t.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'm', ReceiptHandle: m!.ReceiptHandle }] }));
      assert.equal(batch.Failed![0]!.Code, 'InvalidParameterValue');
      // The message is still there, and its new handle deletes it.
      const [again] = await receiveUpTo10(t, url);
      assert.equal(again!.MessageId, m!.MessageId);
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again!.ReceiptHandle }));
      t.clock.advance(1_000);
      assert.deepEqual(await receiveUpTo10(t, url), []);
    }));

  it('answers FIFO parameter errors as AWS does', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'errors');
      await rejectsWith(
        t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })),
        'MissingParameter',
        'The request must contain the parameter MessageGroupId.',
      );
      await rejectsWith(
        send(t, url, 'x', 'g'),
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
      await rejectsWith(
        send(t, url, 'x', 'g', { MessageDeduplicationId: 'd', DelaySeconds: 2 }),
        'InvalidParameterValue',
        'Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
      );
      await rejectsWith(
        send(t, url, 'x', 'group 123', { MessageDeduplicationId: 'd' }),
        'InvalidParameterValue',
        'Value group 123 for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
      );
      await rejectsWith(
        send(t, url, 'x', 'g', { MessageDeduplicationId: 'a'.repeat(129) }),
        'InvalidParameterValue',
        `Value ${'a'.repeat(129)} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
      // 128 characters of punctuation and letters are fine.
      await send(t, url, 'x', `${'!#$%&()*+,-./:;<=>?@[]^_{|}~'.repeat(4)}${'a'.repeat(16)}`, { MessageDeduplicationId: 'b'.repeat(128) });

      const standard = await createQueue(t, 'standard');
      await rejectsWith(
        t.sqs.send(new SendMessageCommand({ QueueUrl: standard, MessageBody: 'x', MessageDeduplicationId: 'd' })),
        'InvalidParameterValue',
        'Value d for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.',
      );
    }));

  it('keeps every group in order, exactly once, under four concurrent consumers', () =>
    withNimbus(async (t) => {
      const url = await fifo(t, 'concurrent', { VisibilityTimeout: '30' });
      const GROUPS = 5;
      const PER_GROUP = 40;
      const total = GROUPS * PER_GROUP;
      const seen = new Map<string, string[]>();
      let received = 0;
      let finished!: () => void;
      const allReceived = new Promise<void>((r) => (finished = r));
      const deadline = t.clock.now() + 20_000;

      const perConsumer = [0, 0, 0, 0];
      const consumer = async (sqs: SQSClient, index: number) => {
        while (received < total) {
          const batch = await receiveUpTo10(sqs, url, { WaitTimeSeconds: 20, MessageSystemAttributeNames: ['MessageGroupId'] });
          perConsumer[index]! += batch.length;
          // Recorded on arrival: a group reaches no other consumer until these are deleted.
          for (const m of batch) {
            const g = m.Attributes!.MessageGroupId!;
            seen.set(g, [...(seen.get(g) ?? []), m.Body!]);
          }
          received += batch.length;
          if (received >= total) finished();
          if (batch.length > 0) {
            const out = await sqs.send(
              new DeleteMessageBatchCommand({ QueueUrl: url, Entries: batch.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
            );
            assert.deepEqual(out.Failed ?? [], []);
          }
        }
      };
      const clients = Array.from({ length: 4 }, () => t.sqsClient());
      const consumers = clients.map((c, i) => consumer(c, i));

      // Sent while the consumers already poll: batches that mix the groups.
      const expected = new Map<string, string[]>();
      let n = 0;
      for (let i = 0; i < PER_GROUP; i += 2) {
        const entries = [];
        for (let g = 0; g < GROUPS; g++) {
          for (const k of [i, i + 1]) {
            const body = `g${g}-${String(k).padStart(2, '0')}`;
            entries.push({ Id: `e${n}`, MessageBody: body, MessageGroupId: `g${g}`, MessageDeduplicationId: `d${n++}` });
            expected.set(`g${g}`, [...(expected.get(`g${g}`) ?? []), body]);
          }
        }
        await t.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      }

      await allReceived;
      // Consumers still waiting end at their deadline; the clock moves only now.
      t.clock.set(deadline);
      await Promise.all(consumers);
      for (const c of clients) c.destroy();

      assert.equal(received, total);
      assert.ok(perConsumer.filter((n) => n > 0).length >= 2, `work was shared: ${perConsumer.join(', ')}`);
      for (const [g, list] of expected) assert.deepEqual(seen.get(g), list, `group ${g} in send order, exactly once`);
      assert.equal(await visibleCount(t, url), 0);
    }));
});
