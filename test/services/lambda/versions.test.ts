import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  DeleteFunctionCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  DeleteFunctionConcurrencyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, decode, startLambdaNimbus, zip } from '../../helpers/lambda.js';

const returning = (v: string) => ({ 'index.js': `exports.handler = async () => ${JSON.stringify(v)};` });

describe('Lambda versions, aliases, concurrency and tags', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => ({ t, lambda } = await startLambdaNimbus()));
  after(() => t.stop());

  const invoke = async (name: string, qualifier?: string) => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier }));
    return { value: JSON.parse(decode(out.Payload)), version: out.ExecutedVersion };
  };

  it('publishes immutable versions and points aliases at them', async () => {
    await createFunction(lambda, 'ver', returning('one'));
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver', Description: 'first' }));
    assert.equal(v1.Version, '1');
    assert.equal(v1.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:ver:1');
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    assert.equal(again.Version, '1', 'nothing changed: the same version');

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: zip(returning('two')) }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 0.05 as never, maxDelay: 0.1 as never }, { FunctionName: 'ver' });
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    assert.equal(v2.Version, '2');

    assert.deepEqual(await invoke('ver', '1'), { value: 'one', version: '1' });
    assert.deepEqual(await invoke('ver'), { value: 'two', version: '$LATEST' });
    assert.deepEqual(await invoke('ver:2'), { value: 'two', version: '2' });

    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
    assert.deepEqual(versions.Versions?.map((v) => v.Version), ['$LATEST', '1', '2']);

    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' }));
    assert.equal(alias.AliasArn, 'arn:aws:lambda:us-east-1:000000000000:function:ver:live');
    assert.deepEqual(await invoke('ver', 'live'), { value: 'one', version: '1' });
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '2' }));
    assert.deepEqual(await invoke('ver', 'live'), { value: 'two', version: '2' });

    // Weighted routing: all traffic to the additional version at weight 1.
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '1': 1 } } }));
    assert.deepEqual(await invoke('ver', 'live'), { value: 'one', version: '1' });
    const got = await lambda.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }));
    assert.deepEqual(got.RoutingConfig?.AdditionalVersionWeights, { '1': 1 });
    assert.equal((await lambda.send(new ListAliasesCommand({ FunctionName: 'ver' }))).Aliases?.length, 1);

    await assert.rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'ver', Qualifier: '1' })), { name: 'ResourceConflictException' });
    await assert.rejects(invoke('ver', '9'), { name: 'ResourceNotFoundException' });
    await assert.rejects(lambda.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' })), { name: 'ResourceConflictException' });
    await assert.rejects(lambda.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', RevisionId: 'stale' })), { name: 'PreconditionFailedException' });
  });

  it('takes names that objects inherit (toString, __proto__) as names like any other', async () => {
    await createFunction(lambda, 'names', returning('named'));
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: 'names' }));
    await assert.rejects(lambda.send(new GetAliasCommand({ FunctionName: 'names', Name: 'constructor' })), { name: 'ResourceNotFoundException' });
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'names', Qualifier: 'toString' })), { name: 'ResourceNotFoundException' });
    for (const Name of ['toString', '__proto__']) {
      await lambda.send(new CreateAliasCommand({ FunctionName: 'names', Name, FunctionVersion: Version }));
      assert.equal((await lambda.send(new GetAliasCommand({ FunctionName: 'names', Name }))).FunctionVersion, Version);
      assert.deepEqual(await invoke('names', Name), { value: 'named', version: Version });
    }
    const aliases = (await lambda.send(new ListAliasesCommand({ FunctionName: 'names' }))).Aliases!.map((a) => a.Name).sort();
    assert.deepEqual(aliases, ['__proto__', 'toString']);
  });

  it('throttles beyond reserved concurrency with TooManyRequestsException', async () => {
    await createFunction(lambda, 'slow', { 'index.js': 'exports.handler = async () => { await new Promise(r => setTimeout(r, 400)); return "done"; };' });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'slow', ReservedConcurrentExecutions: 1 }));
    assert.equal((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'slow' }))).ReservedConcurrentExecutions, 1);
    await invoke('slow'); // warm
    const results = await Promise.allSettled([invoke('slow'), invoke('slow')]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(refused.reason.name, 'TooManyRequestsException');
    assert.equal(refused.reason.$metadata.httpStatusCode, 429);

    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'slow', ReservedConcurrentExecutions: 0 }));
    await assert.rejects(invoke('slow'), { name: 'TooManyRequestsException' });
    const account = await lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(account.AccountLimit?.ConcurrentExecutions, 1000);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'slow' }));
    assert.equal((await invoke('slow')).value, 'done');
  });

  it('tags functions', async () => {
    await createFunction(lambda, 'tagged', returning('x'), { Tags: { team: 'a' } });
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:tagged';
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: 'dev' } }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { team: 'a', env: 'dev' });
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['team'] }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { env: 'dev' });
    await assert.rejects(lambda.send(new ListTagsCommand({ Resource: 'arn:aws:lambda:us-east-1:000000000000:function:none' })), { name: 'ResourceNotFoundException' });
  });
});
