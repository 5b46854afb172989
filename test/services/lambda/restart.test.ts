import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DeleteFunctionConcurrencyCommand, InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../src/lib/clock.js';
import { createFunction, decode, startLambdaNimbus } from '../../helpers/lambda.js';

describe('Lambda across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-restart-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps functions, their code and queued events; a queued event runs after the restart', async () => {
    const clock = new ManualClock(Date.now());
    let { t, lambda } = await startLambdaNimbus({ dataDir, clock });
    const url = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'restart-ok' }))).QueueUrl!;
    const arn = (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await createFunction(lambda, 'survivor', { 'index.js': 'exports.handler = async (e) => ({ kept: e.n });' });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'survivor', DestinationConfig: { OnSuccess: { Destination: arn } } }));
    // Throttled: the event waits in the durable queue.
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'survivor', ReservedConcurrentExecutions: 0 }));
    const queued = await lambda.send(new InvokeCommand({ FunctionName: 'survivor', InvocationType: 'Event', Payload: JSON.stringify({ n: 5 }) }));
    assert.equal(queued.StatusCode, 202);
    await t.stop();

    ({ t, lambda } = await startLambdaNimbus({ dataDir, clock }));
    try {
      await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'survivor' }));
      const now = await lambda.send(new InvokeCommand({ FunctionName: 'survivor', Payload: JSON.stringify({ n: 1 }) }));
      assert.deepEqual(JSON.parse(decode(now.Payload)), { kept: 1 }, 'the code survived');
      let body: string | undefined;
      for (let i = 0; i < 200 && !body; i++) {
        clock.advance(1_000); // the throttled event's retry is due on the clock
        const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
        body = got.Messages?.[0]?.Body;
        if (!body) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(body, 'the queued event ran after the restart');
      assert.deepEqual(JSON.parse(body!).responsePayload, { kept: 5 });
    } finally {
      await t.stop();
    }
  });
});
