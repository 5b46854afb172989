import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, lambdaClient } from '../../helpers/lambda.js';
import { s3Client } from '../../helpers/s3.js';

describe('S3 event notifications to Lambda functions', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  let s3: S3Client;
  before(async () => {
    t = await startTestNimbus();
    lambda = lambdaClient(t.endpoint);
    s3 = s3Client(t);
  });
  after(() => t.stop());

  it('invokes the function asynchronously with the S3 event for matching keys only', async () => {
    const seen = (await t.sqs.send(new CreateQueueCommand({ QueueName: 's3-seen' }))).QueueUrl!;
    await createFunction(lambda, 'on-upload', {
      'index.mjs': `
        import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
        const sqs = new SQSClient({});
        export const handler = async (event) => { await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(seen)}, MessageBody: JSON.stringify(event) })); };`,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    await assert.rejects(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: 'uploads',
          NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:missing', Events: ['s3:ObjectCreated:*'] }] },
        }),
      ),
      { name: 'InvalidArgument' },
    );
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'uploads',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            { Id: 'images', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:on-upload', Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.png' }] } } },
          ],
        },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'notes.txt', Body: 'skip me' }));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'cat.png', Body: 'meow' }));
    let body: string | undefined;
    for (let i = 0; i < 100 && !body; i++) {
      const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: seen }));
      body = got.Messages?.[0]?.Body;
      if (!body) await new Promise((r) => setTimeout(r, 30));
    }
    assert.ok(body, 'the function ran');
    const event = JSON.parse(body!);
    assert.equal(event.Records.length, 1);
    assert.equal(event.Records[0].eventSource, 'aws:s3');
    assert.equal(event.Records[0].eventName, 'ObjectCreated:Put');
    assert.equal(event.Records[0].s3.configurationId, 'images');
    assert.equal(event.Records[0].s3.object.key, 'cat.png');
    const more = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: seen, WaitTimeSeconds: 0 }));
    assert.equal(more.Messages, undefined, 'notes.txt did not match the filter');
  });
});
