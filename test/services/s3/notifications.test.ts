import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { rejectsWith } from '../../helpers/sqs.js';
import { withBucket } from '../../helpers/s3.js';

/** The next message on a queue (waiting up to a few seconds of real time), deleted once read. */
async function next(sqs: SQSClient, url: string): Promise<any> {
  for (let i = 0; i < 50; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    const m = r.Messages?.[0];
    if (m) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      return JSON.parse(m.Body!);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.fail('no message arrived');
}

describe('S3 event notifications to SQS', () => {
  test('a test event, then created and removed events that match the filters, in S3 event JSON', () =>
    withBucket(async (s3, t) => {
      const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'uploads' }));
      const queueArn = 'arn:aws:sqs:us-east-1:000000000000:uploads';
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'data',
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                Id: 'photos',
                QueueArn: queueArn,
                Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
                Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'photos/' }, { Name: 'suffix', Value: '.jpg' }] } },
              },
            ],
          },
        }),
      );
      const testEvent = await next(t.sqs, QueueUrl!);
      assert.equal(testEvent.Event, 's3:TestEvent');
      assert.equal(testEvent.Bucket, 'data');

      const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'data' }));
      assert.equal(config.QueueConfigurations?.[0]?.QueueArn, queueArn);
      assert.deepEqual(config.QueueConfigurations?.[0]?.Filter?.Key?.FilterRules?.map((r) => r.Value), ['photos/', '.jpg']);

      await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'notes/readme.txt', Body: 'ignored' }));
      const put = await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'photos/cat 1.jpg', Body: 'meow' }));
      const created = (await next(t.sqs, QueueUrl!)).Records[0];
      assert.equal(created.eventSource, 'aws:s3');
      assert.equal(created.eventName, 'ObjectCreated:Put');
      assert.equal(created.s3.configurationId, 'photos');
      assert.equal(created.s3.bucket.name, 'data');
      assert.equal(created.s3.object.key, 'photos/cat+1.jpg');
      assert.equal(created.s3.object.size, 4);
      assert.equal(`"${created.s3.object.eTag}"`, put.ETag);

      await s3.send(new CopyObjectCommand({ Bucket: 'data', Key: 'photos/copy.jpg', CopySource: 'data/photos/cat 1.jpg' }));
      assert.equal((await next(t.sqs, QueueUrl!)).Records[0].eventName, 'ObjectCreated:Copy');
      await s3.send(new DeleteObjectCommand({ Bucket: 'data', Key: 'photos/copy.jpg' }));
      const removed = (await next(t.sqs, QueueUrl!)).Records[0];
      assert.equal(removed.eventName, 'ObjectRemoved:Delete');
      assert.equal(removed.s3.object.key, 'photos/copy.jpg');
      // Nothing was sent for the object outside the filter.
      const rest = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      assert.equal(rest.Messages, undefined);
    }));

  test('destinations are checked: a missing queue is refused', () =>
    withBucket(async (s3) => {
      await rejectsWith(
        s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: 'data',
            NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:nope', Events: ['s3:ObjectCreated:*'] }] },
          }),
        ),
        'InvalidArgument',
        'Unable to validate the following destination configurations',
      );
      await rejectsWith(
        s3.send(
          new PutBucketNotificationConfigurationCommand({
            Bucket: 'data',
            NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:nope', Events: ['s3:ObjectEaten:*' as never] }] },
          }),
        ),
        'InvalidArgument',
        'The event is not supported for notifications',
      );
    }));

  test('events of a bucket deleted before they went out still reach its owner\'s queue', () =>
    withBucket(async (s3, t) => {
      const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'teardown' }));
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'data',
          NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:teardown', Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] }] },
        }),
      );
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: 'data', Key, Body: 'x' }))));
      await Promise.all(keys.map((Key) => s3.send(new DeleteObjectCommand({ Bucket: 'data', Key }))));
      await s3.send(new DeleteBucketCommand({ Bucket: 'data' }));
      await s3.send(new CreateBucketCommand({ Bucket: 'data' })); // for withBucket's own teardown
      const names: string[] = [];
      for (let i = 0; i < 1 + 2 * keys.length; i++) names.push((await next(t.sqs, QueueUrl!)).Records?.[0]?.eventName ?? 'TestEvent');
      assert.equal(names.filter((n) => n === 'ObjectCreated:Put').length, keys.length);
      assert.equal(names.filter((n) => n === 'ObjectRemoved:Delete').length, keys.length);
    }));

  test("a queue's policy must let S3 send for the bucket when the queue has one", () =>
    withBucket(async (s3, t) => {
      const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
      const s3MaySend = (name: string, bucket: string) =>
        JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn(name), Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:*:*:${bucket}` } } }],
        });
      await t.sqs.send(new CreateQueueCommand({ QueueName: 'other-bucket-only', Attributes: { Policy: s3MaySend('other-bucket-only', 'other') } }));
      const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'for-data', Attributes: { Policy: s3MaySend('for-data', 'data') } }));
      const configure = (name: string) =>
        s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'data', NotificationConfiguration: { QueueConfigurations: [{ QueueArn: arn(name), Events: ['s3:ObjectCreated:*'] }] } }));
      await rejectsWith(configure('other-bucket-only'), 'InvalidArgument', 'Unable to validate the following destination configurations');
      await configure('for-data');
      assert.equal((await next(t.sqs, QueueUrl!)).Event, 's3:TestEvent');
      await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'k', Body: 'v' }));
      assert.equal((await next(t.sqs, QueueUrl!)).Records[0].s3.object.key, 'k');
    }));
});
