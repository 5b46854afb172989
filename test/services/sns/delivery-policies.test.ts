/**
 * Who may receive and send: a queue's policy decides whether a topic may deliver to it (when
 * it has one); a queue of another account needs one; S3 event notifications publish to topics
 * whose policy lets s3.amazonaws.com in; SignatureVersion 2 signs with SHA256; and an HTTP
 * subscription's DeliveryPolicy sets its retries.
 */
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { AddPermissionCommand, CreateTopicCommand, DeleteTopicCommand, PublishCommand, SetSubscriptionAttributesCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { createFunction } from '../../helpers/lambda.js';
import { s3Client } from '../../helpers/s3.js';
import { nothingMore, queue, queueArn, rejectsWith, signatureVerifies, take, withSns } from './helpers.js';

const OTHER_ACCOUNT = '111111111111';
const OTHER = { accessKeyId: 'other', secretAccessKey: 'other' };
const TWO_ACCOUNTS = { credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] };

/** A queue policy letting SNS send for one topic, as the AWS docs write it. */
const snsMayDeliver = (queue: string, topic: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queue, Condition: { ArnEquals: { 'aws:SourceArn': topic } } }],
  });

describe('SNS delivery permissions', () => {
  it('a queue policy decides whether a topic may deliver; refused messages go to the DLQ', () =>
    withSns(async (sns, t) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guarded' }));
      const { TopicArn: otherTopic } = await sns.send(new CreateTopicCommand({ Name: 'someone-else' }));
      const open = await queue(t, 'open', { Policy: snsMayDeliver(queueArn('open'), TopicArn!) });
      const closed = await queue(t, 'closed', { Policy: snsMayDeliver(queueArn('closed'), otherTopic!) });
      const dlq = await queue(t, 'refused');
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: open.arn, Attributes: { RawMessageDelivery: 'true' } }));
      await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: closed.arn,
          Attributes: { RawMessageDelivery: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
        }),
      );
      await sns.send(new PublishCommand({ TopicArn, Message: 'hello' }));
      assert.equal((await take(t, open.url, 1))[0]!.Body, 'hello');
      // AccessDenied is the subscriber's fault: not retried, straight to the DLQ.
      assert.equal((await take(t, dlq.url, 1))[0]!.Body, 'hello');
      await nothingMore(t, closed.url);
    }));

  it("one subscriber's broken queue policy does not fail the Publish for the others", () =>
    withSns(async (sns, t) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'robust' }));
      const fine = await queue(t, 'fine');
      const broken = await queue(t, 'broken', { Policy: JSON.stringify({ Statement: [null, 7] }) });
      for (const q of [fine, broken]) await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
      await sns.send(new PublishCommand({ TopicArn, Message: 'still works' }));
      assert.equal((await take(t, fine.url, 1))[0]!.Body, 'still works');
      // A policy that allows nothing refuses SNS.
      await nothingMore(t, broken.url);
      // A topic refuses such a policy outright.
      await rejectsWith(
        sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify({ Statement: [null] }) })),
        'InvalidParameterException',
        'Invalid parameter: Policy Error: every statement must be an object',
      );
    }));

  it('a Publish racing DeleteTopic succeeds or finds no topic, never fails', () =>
    withSns(async (sns, t) => {
      for (let round = 0; round < 5; round++) {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `racing-${round}.fifo`, Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
        const q = await queue(t, `racing-${round}.fifo`, { FifoQueue: 'true' });
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
        const outcomes = await Promise.allSettled([
          ...Array.from({ length: 5 }, (_, i) => sns.send(new PublishCommand({ TopicArn, Message: `m${i}`, MessageGroupId: 'g' }))),
          sns.send(new DeleteTopicCommand({ TopicArn })),
        ]);
        for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as Error).name, 'NotFoundException', String(o.reason));
      }
    }));

  it("a queue in another account receives only when its policy lets the topic in", () =>
    withSns(async (sns, t) => {
      const other = new SNSClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: OTHER, maxAttempts: 1 });
      const otherSqs = t.sqsClient({ credentials: OTHER });
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'shared' }));
        await sns.send(new AddPermissionCommand({ TopicArn, Label: 'other-subscribes', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['Subscribe'] }));
        const arn = (name: string) => `arn:aws:sqs:us-east-1:${OTHER_ACCOUNT}:${name}`;
        const { QueueUrl: plain } = await otherSqs.send(new CreateQueueCommand({ QueueName: 'plain' }));
        const { QueueUrl: granted } = await otherSqs.send(new CreateQueueCommand({ QueueName: 'granted', Attributes: { Policy: snsMayDeliver(arn('granted'), TopicArn!) } }));
        for (const name of ['plain', 'granted']) {
          await other.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn(name), Attributes: { RawMessageDelivery: 'true' } }));
        }
        await sns.send(new PublishCommand({ TopicArn, Message: 'across' }));
        const receive = async (url: string) => {
          for (let i = 0; i < 100; i++) {
            const r = await otherSqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
            if (r.Messages?.length) return r.Messages.map((m) => m.Body);
            await new Promise((res) => setTimeout(res, 20));
          }
          return [];
        };
        assert.deepEqual(await receive(granted!), ['across']);
        await new Promise((res) => setTimeout(res, 100));
        assert.equal((await otherSqs.send(new ReceiveMessageCommand({ QueueUrl: plain }))).Messages, undefined, 'no policy, another account: refused');
      } finally {
        other.destroy();
        otherSqs.destroy();
      }
    }, TWO_ACCOUNTS));

  it("a topic does not invoke another account's function", () =>
    withSns(async (sns, t) => {
      const { LambdaClient } = await import('@aws-sdk/client-lambda');
      const otherLambda = new LambdaClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: OTHER, maxAttempts: 1 });
      const otherSqs = t.sqsClient({ credentials: OTHER });
      try {
        // The function (of the other account) would leave a mark in its own account's queue.
        const { QueueUrl: ran } = await otherSqs.send(new CreateQueueCommand({ QueueName: 'ran' }));
        await createFunction(otherLambda, 'theirs', {
          'index.mjs': `
            import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
            export const handler = async () => { await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(ran)}, MessageBody: 'ran' })); };`,
        }, { Role: `arn:aws:iam::${OTHER_ACCOUNT}:role/lambda-role` });
        // It can be invoked: what keeps SNS out is the account, not a broken function.
        const { InvokeCommand } = await import('@aws-sdk/client-lambda');
        await otherLambda.send(new InvokeCommand({ FunctionName: 'theirs', Payload: Buffer.from('{}') }));
        const marks = await otherSqs.send(new ReceiveMessageCommand({ QueueUrl: ran, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        assert.equal(marks.Messages?.length, 1);
        await otherSqs.send(new DeleteMessageCommand({ QueueUrl: ran, ReceiptHandle: marks.Messages![0]!.ReceiptHandle }));
        const dlq = await queue(t, 'not-invoked');
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'to-theirs' }));
        await sns.send(
          new SubscribeCommand({
            TopicArn,
            Protocol: 'lambda',
            Endpoint: `arn:aws:lambda:us-east-1:${OTHER_ACCOUNT}:function:theirs`,
            Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
          }),
        );
        await sns.send(new PublishCommand({ TopicArn, Message: 'not for you' }));
        // Refused: the subscriber's fault, so no retries, straight to the dead-letter queue.
        assert.equal(JSON.parse((await take(t, dlq.url, 1))[0]!.Body!).Message, 'not for you');
        await new Promise((r) => setTimeout(r, 300));
        assert.equal((await otherSqs.send(new ReceiveMessageCommand({ QueueUrl: ran }))).Messages, undefined, 'the function did not run');
      } finally {
        otherLambda.destroy();
        otherSqs.destroy();
      }
    }, TWO_ACCOUNTS));

  it('S3 event notifications reach a topic whose policy lets S3 publish', () =>
    withSns(async (sns, t) => {
      const s3 = s3Client(t);
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'uploads' }));
        const { TopicArn: locked } = await sns.send(new CreateTopicCommand({ Name: 'locked' }));
        // "uploads" lets S3 publish for the photos bucket, as the S3 docs write it.
        const s3MayPublish = {
          Statement: [
            { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'SNS:Publish', Resource: TopicArn, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:*:*:photos' }, StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
          ],
        };
        await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(s3MayPublish) }));
        // "locked" has a policy that does not mention S3: a configuration naming it is refused.
        const ownerOnly = (arn: string) => JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'SNS:Publish', Resource: arn }] });
        await sns.send(new SetTopicAttributesCommand({ TopicArn: locked, AttributeName: 'Policy', AttributeValue: ownerOnly(locked!) }));
        // "later" has no policy (the owner's own topic: S3 may publish) until after the configuration.
        const { TopicArn: later } = await sns.send(new CreateTopicCommand({ Name: 'later' }));
        const q = await queue(t, 'events');
        const laterQueue = await queue(t, 'later-events');
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
        await sns.send(new SubscribeCommand({ TopicArn: later, Protocol: 'sqs', Endpoint: laterQueue.arn, Attributes: { RawMessageDelivery: 'true' } }));
        await s3.send(new CreateBucketCommand({ Bucket: 'photos' }));
        for (const bad of [`${TopicArn}-missing`, locked!]) {
          await rejectsWith(
            s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'photos', NotificationConfiguration: { TopicConfigurations: [{ TopicArn: bad, Events: ['s3:ObjectCreated:*'] }] } })),
            'InvalidArgument',
            'Unable to validate the following destination configurations',
          );
        }
        await s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: 'photos',
            NotificationConfiguration: {
              TopicConfigurations: [
                { TopicArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } } },
                { TopicArn: later, Events: ['s3:ObjectCreated:*'] },
              ],
            },
          }),
        );
        const [test] = await take(t, q.url, 1);
        assert.equal(JSON.parse(JSON.parse(test!.Body!).Message).Event, 's3:TestEvent');
        assert.equal(JSON.parse((await take(t, laterQueue.url, 1))[0]!.Body!).Event, 's3:TestEvent');
        // Now "later" stops letting S3 in: its events are dropped (with a warning in the log).
        await sns.send(new SetTopicAttributesCommand({ TopicArn: later, AttributeName: 'Policy', AttributeValue: ownerOnly(later!) }));
        await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'cat.jpg', Body: 'meow' }));
        await s3.send(new PutObjectCommand({ Bucket: 'photos', Key: 'notes.txt', Body: 'skip' }));
        const [e] = await take(t, q.url, 1);
        const envelope = JSON.parse(e!.Body!);
        assert.equal(envelope.Subject, 'Amazon S3 Notification');
        const record = JSON.parse(envelope.Message).Records[0];
        assert.equal(record.eventName, 'ObjectCreated:Put');
        assert.equal(record.s3.object.key, 'cat.jpg');
        assert.ok(await signatureVerifies(envelope));
        await nothingMore(t, laterQueue.url);
      } finally {
        s3.destroy();
      }
    }));

  it('SignatureVersion 2 signs with SHA256', () =>
    withSns(async (sns, t) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'v2', Attributes: { SignatureVersion: '2' } }));
      const q = await queue(t, 'v2');
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
      await sns.send(new PublishCommand({ TopicArn, Message: 'signed', Subject: 'two' }));
      const body = JSON.parse((await take(t, q.url, 1))[0]!.Body!);
      assert.equal(body.SignatureVersion, '2');
      assert.ok(await signatureVerifies(body), 'verifies with RSA-SHA256');
      assert.equal(await signatureVerifies({ ...body, SignatureVersion: '1' }), false, 'and not with RSA-SHA1');
    }));

  it('signatures made before a restart still verify after it (the key is kept in the data dir)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sns-key-'));
    try {
      let body: Record<string, string> = {};
      await withSns(
        async (sns, t) => {
          const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'kept' }));
          const q = await queue(t, 'kept');
          await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
          await sns.send(new PublishCommand({ TopicArn, Message: 'before' }));
          body = JSON.parse((await take(t, q.url, 1))[0]!.Body!);
          assert.ok(await signatureVerifies(body));
        },
        { dataDir },
      );
      await withSns(
        async (_sns, t) => {
          // The certificate is served by the new process, at its new address.
          const moved = { ...body, SigningCertURL: body.SigningCertURL!.replace(/^http:\/\/[^/]+/, t.endpoint) };
          assert.ok(await signatureVerifies(moved));
        },
        { dataDir },
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("checks a subscription's and a topic's DeliveryPolicy", () =>
    withSns(async (sns, t) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'dp' }));
      const q = await queue(t, 'dp');
      const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, ReturnSubscriptionArn: true }));
      const set = (v: object) => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(v) }));
      await set({ healthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 10, backoffFunction: 'exponential' } });
      await rejectsWith(set({ healthyRetryPolicy: { minDelayTarget: 30, maxDelayTarget: 10 } }), 'InvalidParameterException', 'Invalid parameter: DeliveryPolicy: minDelayTarget must be less than or equal to maxDelayTarget');
      await rejectsWith(set({ healthyRetryPolicy: { numRetries: 101 } }), 'InvalidParameterException', 'Invalid parameter: DeliveryPolicy: numRetries must be less than or equal to 100');
      await rejectsWith(set({ healthyRetryPolicy: { backoffFunction: 'cubic' } }), 'InvalidParameterException', 'Invalid parameter: DeliveryPolicy: backoffFunction must be one of linear, arithmetic, geometric, exponential');
      const setTopic = (v: object) => sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(v) }));
      await setTopic({ http: { defaultHealthyRetryPolicy: { numRetries: 10, minDelayTarget: 5, maxDelayTarget: 60 }, disableSubscriptionOverrides: true } });
      await rejectsWith(
        setTopic({ http: { defaultHealthyRetryPolicy: { numRetries: 100, minDelayTarget: 3600, maxDelayTarget: 3600 } } }),
        'InvalidParameterException',
        'Invalid parameter: DeliveryPolicy: the total retry time must not exceed 3600 seconds',
      );
    }));
});
