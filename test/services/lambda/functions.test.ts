import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { s3Client } from '../../helpers/s3.js';
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
  waitUntilFunctionUpdatedV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, decode, startLambdaNimbus, ROLE, zip } from '../../helpers/lambda.js';

describe('Lambda functions', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => ({ t, lambda } = await startLambdaNimbus({ hotReloadRoots: [tmpdir()] })));
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
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 0.05 as never, maxDelay: 0.1 as never }, { FunctionName: 'echo' });
    const stale = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }))).RevisionId;
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'echo', Timeout: 10, RevisionId: stale }));
    // The revision moved on: the same RevisionId is refused now.
    await assert.rejects(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'echo', Timeout: 11, RevisionId: stale })), { name: 'PreconditionFailedException' });
    const v2 = await lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
    assert.equal(decode(v2.Payload), '"v2"');
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    assert.equal(got.Configuration?.Timeout, 10);
    // Code.Location downloads the zip, as Lambda's presigned link does; a tampered link does not.
    const download = await fetch(got.Code!.Location!);
    assert.equal(download.status, 200);
    const files = unzipSync(new Uint8Array(await download.arrayBuffer()));
    assert.equal(Buffer.from(files['index.js']!).toString(), 'exports.handler = async () => "v2";');
    assert.equal((await fetch(got.Code!.Location!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status, 403);

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

  it("takes code from Nimbus's S3, and from a local directory with hot reload", async () => {
    const s3 = s3Client(t);
    await s3.send(new CreateBucketCommand({ Bucket: 'code' }));
    await s3.send(new PutObjectCommand({ Bucket: 'code', Key: 'fn.zip', Body: zip({ 'index.js': 'exports.handler = async () => "from s3";' }) }));
    await createFunction(lambda, 'from-s3', {}, { Code: { S3Bucket: 'code', S3Key: 'fn.zip' } });
    assert.equal(decode((await lambda.send(new InvokeCommand({ FunctionName: 'from-s3' }))).Payload), '"from s3"');
    await assert.rejects(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'no-s3', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { S3Bucket: 'code', S3Key: 'missing.zip' } })),
      { name: 'InvalidParameterValueException' },
    );

    await assert.rejects(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'outside', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { S3Bucket: 'hot-reload', S3Key: '/usr' } })),
      (e: Error) => e.name === 'InvalidParameterValueException' && /outside the hot-reload roots/.test(e.message),
    );
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-hot-'));
    try {
      writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => "first";');
      await createFunction(lambda, 'hot', {}, { Code: { S3Bucket: 'hot-reload', S3Key: dir } });
      assert.equal(decode((await lambda.send(new InvokeCommand({ FunctionName: 'hot' }))).Payload), '"first"');
      writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => "second";');
      let answer = '';
      for (let i = 0; i < 100 && answer !== '"second"'; i++) {
        answer = decode((await lambda.send(new InvokeCommand({ FunctionName: 'hot' }))).Payload);
        if (answer !== '"second"') await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(answer, '"second"', 'the edit is picked up without a deploy');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
