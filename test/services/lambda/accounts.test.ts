import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  TagResourceCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { ACCOUNT, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, lambdaClient, startLambdaNimbus } from '../../helpers/lambda.js';

const OTHER = { accessKeyId: 'other', secretAccessKey: 'other-secret', accountId: '222222222222' };

describe('Lambda: accounts and concurrent changes', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  let intruder: LambdaClient;
  before(async () => {
    ({ t, lambda } = await startLambdaNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, OTHER] }));
    intruder = lambdaClient(t.endpoint);
    intruder.config.credentials = async () => OTHER;
  });
  after(() => t.stop());

  it("keeps another account away from a function's tags, invocations and destinations", async () => {
    await createFunction(lambda, 'private', { 'index.js': 'exports.handler = async () => "mine";' });
    const arn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:private`;
    await assert.rejects(intruder.send(new TagResourceCommand({ Resource: arn, Tags: { owned: 'yes' } })), { name: 'AccessDeniedException' });
    await assert.rejects(intruder.send(new ListTagsCommand({ Resource: arn })), { name: 'AccessDeniedException' });
    await assert.rejects(intruder.send(new InvokeCommand({ FunctionName: arn })), { name: 'AccessDeniedException' });
    // The intruder's own function may not name the victim's function as a destination.
    await createFunction(intruder, 'lure', { 'index.js': 'exports.handler = async () => 1;' });
    await assert.rejects(
      intruder.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'lure', DestinationConfig: { OnSuccess: { Destination: arn } } })),
      { name: 'InvalidParameterValueException' },
    );
  });

  it('a delete racing other changes leaves no half-written function behind', async () => {
    for (let i = 0; i < 5; i++) {
      await createFunction(lambda, 'racer', { 'index.js': 'exports.handler = async () => 1;' });
      const results = await Promise.allSettled([
        lambda.send(new DeleteFunctionCommand({ FunctionName: 'racer' })),
        lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'racer', ReservedConcurrentExecutions: 5 })),
        lambda.send(new TagResourceCommand({ Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:racer`, Tags: { k: 'v' } })),
      ]);
      assert.equal(results[0].status, 'fulfilled', String((results[0] as PromiseRejectedResult).reason));
      for (const r of results.slice(1)) {
        if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ResourceNotFoundException');
      }
      await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'racer' })), { name: 'ResourceNotFoundException' });
    }
  });
});
