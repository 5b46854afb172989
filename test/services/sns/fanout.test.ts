/**
 * Publishing through the real SDK and fan-out: one Publish to several queues and a function,
 * the SNS envelope (signed) and raw delivery with message attributes, per-protocol messages,
 * PublishBatch, Publish's errors, and dead-lettering of a delivery whose queue is gone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicCommand, PublishBatchCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { createFunction, lambdaClient } from '../../helpers/lambda.js';
import { queue, rejectsWith, signatureVerifies, take, withSns } from './helpers.js';

const ATTRIBUTES = {
  color: { DataType: 'String', StringValue: 'red' },
  size: { DataType: 'Number', StringValue: '42' },
  blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
  tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
};

describe('SNS fan-out', () => {
  it('delivers one Publish to several queues (enveloped and raw) and a function', () =>
    withSns(async (sns, t) => {
      const enveloped = await queue(t, 'enveloped');
      const raw = await queue(t, 'raw');
      const seen = await queue(t, 'seen-by-function');
      await createFunction(lambdaClient(t.endpoint), 'on-note', {
        'index.mjs': `
          import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
          const sqs = new SQSClient({});
          export const handler = async (event) => { await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(seen.url)}, MessageBody: JSON.stringify(event) })); };`,
      });
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'notes' }));
      const subEnveloped = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: enveloped.arn }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: raw.arn, Attributes: { RawMessageDelivery: 'true' } }));
      const subFn = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:on-note' }));

      const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'hello "world"', Subject: 'Greetings', MessageAttributes: ATTRIBUTES }));
      assert.match(MessageId!, /^[0-9a-f-]{36}$/);

      const [e] = await take(t, enveloped.url, 1);
      const body = JSON.parse(e!.Body!);
      assert.equal(body.Type, 'Notification');
      assert.equal(body.MessageId, MessageId);
      assert.equal(body.TopicArn, TopicArn);
      assert.equal(body.Subject, 'Greetings');
      assert.equal(body.Message, 'hello "world"');
      assert.match(body.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(body.SignatureVersion, '1');
      assert.ok(body.UnsubscribeURL.startsWith(`${t.endpoint}/?Action=Unsubscribe&SubscriptionArn=`), body.UnsubscribeURL);
      assert.ok(body.UnsubscribeURL.includes(encodeURIComponent(subEnveloped.SubscriptionArn!)));
      assert.deepEqual(body.MessageAttributes, {
        color: { Type: 'String', Value: 'red' },
        size: { Type: 'Number', Value: '42' },
        blob: { Type: 'Binary', Value: Buffer.from([0, 1, 2, 255]).toString('base64') },
        tags: { Type: 'String.Array', Value: '["a","b"]' },
      });
      // The signature covers SNS's canonical string and verifies with Nimbus's key.
      assert.ok(await signatureVerifies(body), 'the signature verifies');
      assert.equal(e!.MessageAttributes, undefined, 'enveloped messages carry attributes in the body only');

      const [r] = await take(t, raw.url, 1);
      assert.equal(r!.Body, 'hello "world"');
      assert.equal(r!.MessageAttributes!.color!.StringValue, 'red');
      assert.equal(r!.MessageAttributes!.size!.DataType, 'Number');
      assert.equal(r!.MessageAttributes!.size!.StringValue, '42');
      assert.deepEqual(Buffer.from(r!.MessageAttributes!.blob!.BinaryValue!), Buffer.from([0, 1, 2, 255]));
      assert.equal(r!.MessageAttributes!.tags!.DataType, 'String.Array');
      assert.equal(r!.Attributes!.SenderId, 'sns.amazonaws.com');

      const [f] = await take(t, seen.url, 1);
      const event = JSON.parse(f!.Body!);
      assert.equal(event.Records.length, 1);
      const record = event.Records[0];
      assert.equal(record.EventSource, 'aws:sns');
      assert.equal(record.EventVersion, '1.0');
      assert.equal(record.EventSubscriptionArn, subFn.SubscriptionArn);
      assert.equal(record.Sns.Type, 'Notification');
      assert.equal(record.Sns.MessageId, MessageId);
      assert.equal(record.Sns.Message, 'hello "world"');
      assert.equal(record.Sns.Subject, 'Greetings');
      assert.equal(record.Sns.SignatureVersion, '1');
      assert.equal(record.Sns.Signature, body.Signature);
      assert.ok(record.Sns.SigningCertUrl);
      assert.ok(record.Sns.UnsubscribeUrl);
      assert.deepEqual(record.Sns.MessageAttributes.color, { Type: 'String', Value: 'red' });
    }));

  it('sends each protocol its own message under MessageStructure=json', () =>
    withSns(async (sns, t) => {
      const q = await queue(t, 'structured');
      const plain = await queue(t, 'plain');
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'structured' }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: plain.arn, Attributes: { RawMessageDelivery: 'true' } }));
      await sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues', email: 'for mail' }) }));
      const envelope = JSON.parse((await take(t, q.url, 1))[0]!.Body!);
      assert.equal(envelope.Message, 'for queues');
      assert.ok(await signatureVerifies(envelope), 'the signature covers the message the queue got');
      assert.equal((await take(t, plain.url, 1))[0]!.Body, 'for queues');
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: JSON.stringify({ sqs: 'x' }) })),
        'InvalidParameterException',
        'Invalid parameter: Message Structure - No default entry in JSON message body',
      );
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: 'not json' })),
        'InvalidParameterException',
        'Invalid parameter: Message Structure - JSON message body failed to parse',
      );
    }));

  it('publishes batches, each entry on its own', () =>
    withSns(async (sns, t) => {
      const q = await queue(t, 'batched');
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'batched' }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
      const out = await sns.send(
        new PublishBatchCommand({
          TopicArn,
          PublishBatchRequestEntries: [
            { Id: 'one', Message: 'first' },
            { Id: 'two', Message: '' },
            { Id: 'three', Message: 'third', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
          ],
        }),
      );
      assert.deepEqual(out.Successful!.map((s) => s.Id), ['one', 'three']);
      assert.ok(out.Successful!.every((s) => s.MessageId));
      assert.deepEqual(out.Failed, [{ Id: 'two', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message', SenderFault: true }]);
      const got = await take(t, q.url, 2);
      assert.deepEqual(got.map((m) => m.Body).sort(), ['first', 'third']);

      await rejectsWith(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [] })), 'EmptyBatchRequestException');
      await rejectsWith(
        sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'x' })) })),
        'TooManyEntriesInBatchRequestException',
        'The batch request contains more entries than permissible.',
      );
      await rejectsWith(
        sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'x' }, { Id: 'a', Message: 'y' }] })),
        'BatchEntryIdsNotDistinctException',
        'Two or more batch entries in the request have the same Id.',
      );
      await rejectsWith(
        sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: 'a', Message: 'x'.repeat(200_000) }, { Id: 'b', Message: 'y'.repeat(100_000) }] })),
        'BatchRequestTooLongException',
        'The length of all the messages put together is more than the limit.',
      );
    }));

  it("refuses what Publish refuses, in SNS's words", () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'strict' }));
      await rejectsWith(sns.send(new PublishCommand({ TopicArn, Message: '' })), 'InvalidParameterException', 'Invalid parameter: Empty message');
      // 256 KiB counts the attributes too.
      await sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262144) }));
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262140), MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } })),
        'InvalidParameterException',
        'Invalid parameter: Message too long',
      );
      await rejectsWith(sns.send(new PublishCommand({ TopicArn, Message: 'm', Subject: 'line\nbreak' })), 'InvalidParameterException', 'Invalid parameter: Subject');
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, Message: 'm', MessageAttributes: { k: { DataType: 'Colour', StringValue: 'v' } } })),
        'InvalidParameterValueException',
        "The message attribute 'k' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
      );
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, Message: 'm', MessageAttributes: { k: { DataType: 'Number', StringValue: 'ten' } } })),
        'InvalidParameterValueException',
        "Could not cast message attribute 'k' value to number.",
      );
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, Message: 'm', MessageDeduplicationId: 'd' })),
        'InvalidParameterException',
        'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
      await rejectsWith(sns.send(new PublishCommand({ Message: 'm' })), 'InvalidParameterException', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
      await rejectsWith(sns.send(new PublishCommand({ TopicArn: TopicArn + '-gone', Message: 'm' })), 'NotFoundException', 'Topic does not exist');
      // TargetArn names a topic too.
      assert.ok((await sns.send(new PublishCommand({ TargetArn: TopicArn, Message: 'm' }))).MessageId);
    }));

  it("sends a delivery whose queue is gone to the subscription's dead-letter queue", () =>
    withSns(async (sns, t) => {
      const dlq = await queue(t, 'dead-letters');
      const kept = await queue(t, 'kept');
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lossy' }));
      await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: 'arn:aws:sqs:us-east-1:000000000000:never-created',
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
        }),
      );
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: kept.arn }));
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'undeliverable' }));
      const [dead] = await take(t, dlq.url, 1);
      assert.equal(JSON.parse(dead!.Body!).MessageId, MessageId);
      assert.equal(JSON.parse((await take(t, kept.url, 1))[0]!.Body!).Message, 'undeliverable');
    }));
});
