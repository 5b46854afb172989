import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, decode, startLambdaNimbus, ROLE, zip } from '../../helpers/lambda.js';

describe('Lambda functions', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => ({ t, lambda } = await startLambdaNimbus()));
  after(() => t.stop());

  it('creates, invokes, updates and deletes a function', async () => {
    await createFunction(lambda, 'echo', { 'index.js': 'exports.handler = async (event) => ({ got: event, env: process.env.GREETING });' }, { Environment: { Variables: { GREETING: 'hi' } } });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ a: 1 }) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.deepEqual(JSON.parse(decode(out.Payload)), { got: { a: 1 }, env: 'hi' });

    const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    assert.equal(conf.State, 'Active');
    assert.equal(conf.LastUpdateStatus, 'Successful');
    assert.equal(conf.Runtime, 'nodejs20.x');
    assert.equal(conf.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:echo');

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: zip({ 'index.js': 'exports.handler = async () => "v2";' }) }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'echo', Timeout: 10 }));
    const v2 = await lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
    assert.equal(decode(v2.Payload), '"v2"');
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    assert.equal(got.Configuration?.Timeout, 10);

    const list = await lambda.send(new ListFunctionsCommand({}));
    assert.ok(list.Functions?.some((f) => f.FunctionName === 'echo'));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'echo' }));
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'echo' })), { name: 'ResourceNotFoundException' });
  });

  it('refuses bad input as Lambda does', async () => {
    await assert.rejects(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'bad', Runtime: 'cobol9' as never, Handler: 'x.y', Role: ROLE, Code: { ZipFile: zip({ 'a.js': '' }) } })),
      { name: 'ValidationException' },
    );
    await assert.rejects(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'bad', Runtime: 'nodejs20.x', Handler: 'x.y', Role: ROLE, Code: { ZipFile: Buffer.from('not a zip') } })),
      { name: 'InvalidParameterValueException' },
    );
    await createFunction(lambda, 'twice', { 'index.js': 'exports.handler = async () => 1;' });
    await assert.rejects(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'twice', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip({ 'index.js': '' }) } })),
      { name: 'ResourceConflictException' },
    );
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'nope' })), { name: 'ResourceNotFoundException' });
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'twice', Payload: Buffer.from('{not json') })), { name: 'InvalidRequestContentException' });
  });
});
