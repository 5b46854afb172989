import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, PutFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, startLambdaNimbus } from '../../helpers/lambda.js';

describe('Lambda asynchronous invocation', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => ({ t, lambda } = await startLambdaNimbus()));
  after(() => t.stop());

  const queue = async (name: string) => {
    const url = (await t.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const arn = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    return { url, arn };
  };

  /** Moves the clock on (retries wait on it) until a message arrives. */
  const awaitMessage = async (url: string, stepMs = 0): Promise<Message> => {
    for (let i = 0; i < 200; i++) {
      const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
      if (got.Messages?.length) return got.Messages[0]!;
      if (stepMs) t.clock.advance(stepMs);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no message arrived');
  };

  it('answers 202 at once and sends the outcome to the on-success destination', async () => {
    const ok = await queue('async-ok');
    await createFunction(lambda, 'async-echo', { 'index.js': 'exports.handler = async (e) => ({ echoed: e });' });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-echo', DestinationConfig: { OnSuccess: { Destination: ok.arn } } }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'async-echo', InvocationType: 'Event', Payload: JSON.stringify({ id: 7 }) }));
    assert.equal(out.StatusCode, 202);
    const record = JSON.parse((await awaitMessage(ok.url)).Body!);
    assert.equal(record.version, '1.0');
    assert.equal(record.requestContext.condition, 'Success');
    assert.equal(record.requestContext.approximateInvokeCount, 1);
    assert.deepEqual(record.requestPayload, { id: 7 });
    assert.deepEqual(record.responsePayload, { echoed: { id: 7 } });
    assert.equal(record.responseContext.executedVersion, '$LATEST');
  });

  it('retries a failing event with backoff, then sends it to the on-failure destination', async () => {
    const failed = await queue('async-failed');
    const seen = await queue('async-seen');
    await createFunction(lambda, 'async-fail', {
      'index.mjs': `
        import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
        const sqs = new SQSClient({});
        export const handler = async (e) => { await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(seen.url)}, MessageBody: 'attempt' })); throw new Error('always'); };`,
    });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-fail', MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: failed.arn } } }));
    const config = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'async-fail' }));
    assert.equal(config.MaximumRetryAttempts, 1);
    await lambda.send(new InvokeCommand({ FunctionName: 'async-fail', InvocationType: 'Event', Payload: JSON.stringify({ k: 'v' }) }));
    await awaitMessage(seen.url); // the first attempt
    // The retry waits a minute on Nimbus's clock.
    const record = JSON.parse((await awaitMessage(failed.url, 61_000)).Body!);
    assert.equal(record.requestContext.condition, 'RetriesExhausted');
    assert.equal(record.requestContext.approximateInvokeCount, 2);
    assert.equal(record.responseContext.functionError, 'Unhandled');
    assert.equal(record.responsePayload.errorMessage, 'always');
    assert.deepEqual(record.requestPayload, { k: 'v' });
  });

  it('refuses an event payload over the limit', async () => {
    await createFunction(lambda, 'async-big', { 'index.js': 'exports.handler = async () => 1;' });
    const big = JSON.stringify({ s: 'x'.repeat(1024 * 1024 + 1) });
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'async-big', InvocationType: 'Event', Payload: big })), { name: 'RequestTooLargeException' });
  });
});
