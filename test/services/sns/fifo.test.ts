/**
 * FIFO topics to FIFO queues: order per message group kept end to end under concurrent
 * publishers, sequence numbers, deduplication by id and by content in the five-minute window
 * (on the injected clock), and the FIFO parameters' errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { nothingMore, queue, rejectsWith, take, withSns } from './helpers.js';

const FIFO = { FifoQueue: 'true' };

describe('SNS FIFO topics', () => {
  it('keep the order of each message group into FIFO queues', () =>
    withSns(async (sns, t) => {
      const raw = await queue(t, 'raw.fifo', FIFO);
      const enveloped = await queue(t, 'enveloped.fifo', FIFO);
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders.fifo', Attributes: { FifoTopic: 'true' } }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: raw.arn, Attributes: { RawMessageDelivery: 'true' } }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: enveloped.arn }));
      const groups = ['g1', 'g2', 'g3'];
      const sequence: Record<string, bigint[]> = {};
      // One publisher per group, all at once.
      await Promise.all(
        groups.map(async (g) => {
          sequence[g] = [];
          for (let i = 0; i < 8; i++) {
            const r = await sns.send(new PublishCommand({ TopicArn, Message: `${g}-${i}`, MessageGroupId: g, MessageDeduplicationId: `${g}-${i}` }));
            assert.match(r.SequenceNumber!, /^\d{20}$/);
            sequence[g]!.push(BigInt(r.SequenceNumber!));
          }
        }),
      );
      for (const g of groups) assert.deepEqual([...sequence[g]!].sort((a, b) => (a < b ? -1 : 1)), sequence[g], 'sequence numbers grow');
      const got = await take(t, raw.url, 24);
      for (const g of groups) {
        const bodies = got.filter((m) => m.Attributes!.MessageGroupId === g).map((m) => m.Body);
        assert.deepEqual(bodies, Array.from({ length: 8 }, (_, i) => `${g}-${i}`), `order of ${g}`);
      }
      const env = await take(t, enveloped.url, 24);
      const first = JSON.parse(env.find((m) => m.Attributes!.MessageGroupId === 'g2')!.Body!);
      assert.equal(first.Message, 'g2-0');
      assert.equal(BigInt(first.SequenceNumber), sequence.g2![0]);
      assert.equal(env[0]!.Attributes!.MessageDeduplicationId !== undefined, true);
    }));

  it('deduplicate by id and by content for five minutes', () =>
    withSns(async (sns, t) => {
      const q = await queue(t, 'dedup.fifo', FIFO);
      const byId = (await sns.send(new CreateTopicCommand({ Name: 'by-id.fifo', Attributes: { FifoTopic: 'true' } }))).TopicArn!;
      const byContent = (await sns.send(new CreateTopicCommand({ Name: 'by-content.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }))).TopicArn!;
      for (const TopicArn of [byId, byContent]) await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));

      const a = await sns.send(new PublishCommand({ TopicArn: byId, Message: 'one', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      const again = await sns.send(new PublishCommand({ TopicArn: byId, Message: 'one, resent', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      assert.equal(again.MessageId, a.MessageId);
      assert.equal(again.SequenceNumber, a.SequenceNumber);
      const c = await sns.send(new PublishCommand({ TopicArn: byContent, Message: 'same text', MessageGroupId: 'g' }));
      assert.equal((await sns.send(new PublishCommand({ TopicArn: byContent, Message: 'same text', MessageGroupId: 'other' }))).MessageId, c.MessageId);
      assert.deepEqual((await take(t, q.url, 2)).map((m) => m.Body).sort(), ['one', 'same text']);

      // Past the window the same id is a new message (and a new one for the queue too).
      t.clock.advance(5 * 60_000 + 1);
      const later = await sns.send(new PublishCommand({ TopicArn: byId, Message: 'one, later', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      assert.notEqual(later.MessageId, a.MessageId);
      assert.deepEqual((await take(t, q.url, 1)).map((m) => m.Body), ['one, later']);
      await nothingMore(t, q.url, 0);
    }));

  it('require a message group, and a deduplication id without content-based deduplication', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'strict.fifo', Attributes: { FifoTopic: 'true' } }));
      await rejectsWith(sns.send(new PublishCommand({ TopicArn, Message: 'm', MessageDeduplicationId: 'd' })), 'InvalidParameterException', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, Message: 'm', MessageGroupId: 'g' })),
        'InvalidParameterException',
        'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
      await rejectsWith(
        sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:f' })),
        'InvalidParameterException',
        'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO topics deliver only to SQS FIFO queues',
      );
    }));
});
