/**
 * The cross-account matrix for Lambda (see cross-account-helpers.ts): every operation on the
 * owner's function by full ARN, partial ARN (`account:function:name`), qualified ARN (an alias)
 * and by name (a name is the caller's own function); event source mappings by UUID; function
 * URLs by id (signed by the intruder, virtual-hosted and path-style). Lambda answers
 * AccessDeniedException for another account's function ARN. Then what AddPermission grants:
 * the other account's Invoke, and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  ListFunctionUrlConfigsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createFunction, ROLE, zip } from '../helpers/lambda.js';
import type { TestNimbus } from '../helpers/nimbus.js';
import { ACCOUNT, httpOutcome, INTRUDER, INTRUDER_ACCOUNT, OWNER, refused, runMatrix, signedRequest, startMatrixNimbus, type HttpCall, type Refusal, type Row } from './cross-account-helpers.js';

interface F {
  t: TestNimbus;
  owner: LambdaClient;
  intruder: LambdaClient;
  mapping: string;
  urlId: string;
  port: string;
}

const ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:private`;
const SHARED = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:shared`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:events`;
const client = (t: TestNimbus, credentials: { accessKeyId: string; secretAccessKey: string }) => new LambdaClient({ endpoint: t.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
const CODE = { 'index.js': "exports.handler = async (e) => ({ statusCode: 200, body: 'secret' });" };

const DENIED: Refusal = { name: 'AccessDeniedException', message: /not authorized/ };
const NOT_FOUND: Refusal = { name: 'ResourceNotFoundException', message: /^Function not found: / };
const NO_MAPPING: Refusal = { name: 'ResourceNotFoundException', message: /^The resource you requested does not exist\.$/ };

/** The identifier forms of the owner's function: each is refused; a bare name is the caller's own and not found. */
const FORMS: Array<[string, string, Refusal]> = [
  ['by function ARN', ARN, DENIED],
  ['by partial ARN', `${ACCOUNT}:function:private`, DENIED],
  ['by name', 'private', NOT_FOUND],
];
/** Forms with a qualifier, for the operations that take one. */
const QUALIFIED: Array<[string, string, Refusal]> = [
  ['by partial ARN with alias', `${ACCOUNT}:function:private:live`, DENIED],
  ['by qualified ARN (alias)', `${ARN}:live`, DENIED],
  ['by qualified ARN (version)', `${ARN}:1`, DENIED],
];

type Call = (c: LambdaClient, fn: string) => Promise<unknown>;
const byFunction: Array<[string, Call, boolean]> = [
  ['GetFunction', (c, fn) => c.send(new GetFunctionCommand({ FunctionName: fn })), true],
  ['GetFunctionConfiguration', (c, fn) => c.send(new GetFunctionConfigurationCommand({ FunctionName: fn })), true],
  ['UpdateFunctionCode', (c, fn) => c.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: zip({ 'index.js': 'exports.handler = async () => "owned"' }) })), false],
  ['UpdateFunctionConfiguration', (c, fn) => c.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Environment: { Variables: { OWNED: 'yes' } } })), false],
  ['DeleteFunction', (c, fn) => c.send(new DeleteFunctionCommand({ FunctionName: fn })), true],
  ['PublishVersion', (c, fn) => c.send(new PublishVersionCommand({ FunctionName: fn })), false],
  ['ListVersionsByFunction', (c, fn) => c.send(new ListVersionsByFunctionCommand({ FunctionName: fn })), false],
  ['CreateAlias', (c, fn) => c.send(new CreateAliasCommand({ FunctionName: fn, Name: 'mine', FunctionVersion: '1' })), false],
  ['GetAlias', (c, fn) => c.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' })), false],
  ['UpdateAlias', (c, fn) => c.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '$LATEST' })), false],
  ['DeleteAlias', (c, fn) => c.send(new DeleteAliasCommand({ FunctionName: fn, Name: 'live' })), false],
  ['ListAliases', (c, fn) => c.send(new ListAliasesCommand({ FunctionName: fn })), false],
  ['Invoke', (c, fn) => c.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{}') })), true],
  ['PutFunctionConcurrency', (c, fn) => c.send(new PutFunctionConcurrencyCommand({ FunctionName: fn, ReservedConcurrentExecutions: 0 })), false],
  ['DeleteFunctionConcurrency', (c, fn) => c.send(new DeleteFunctionConcurrencyCommand({ FunctionName: fn })), false],
  ['GetFunctionConcurrency', (c, fn) => c.send(new GetFunctionConcurrencyCommand({ FunctionName: fn })), false],
  ['PutFunctionEventInvokeConfig', (c, fn) => c.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 0 })), true],
  ['UpdateFunctionEventInvokeConfig', (c, fn) => c.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: fn, MaximumRetryAttempts: 0 })), true],
  ['GetFunctionEventInvokeConfig', (c, fn) => c.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn })), true],
  ['DeleteFunctionEventInvokeConfig', (c, fn) => c.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: fn })), true],
  ['ListFunctionEventInvokeConfigs', (c, fn) => c.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: fn })), false],
  ['AddPermission', (c, fn) => c.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'mine', Action: 'lambda:*', Principal: INTRUDER_ACCOUNT })), true],
  ['RemovePermission', (c, fn) => c.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'intruder-invoke' })), true],
  ['GetPolicy', (c, fn) => c.send(new GetPolicyCommand({ FunctionName: fn })), true],
  ['CreateFunctionUrlConfig', (c, fn) => c.send(new CreateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'NONE', Qualifier: 'live' })), false],
  ['GetFunctionUrlConfig', (c, fn) => c.send(new GetFunctionUrlConfigCommand({ FunctionName: fn })), false],
  ['UpdateFunctionUrlConfig', (c, fn) => c.send(new UpdateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'NONE' })), false],
  ['DeleteFunctionUrlConfig', (c, fn) => c.send(new DeleteFunctionUrlConfigCommand({ FunctionName: fn })), false],
  ['ListFunctionUrlConfigs', (c, fn) => c.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn })), false],
  // The intruder's mapping would invoke the owner's function with the intruder's records.
  ['CreateEventSourceMapping', (c, fn) => c.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: `arn:aws:sqs:us-east-1:${INTRUDER_ACCOUNT}:loot`, Enabled: false })), false],
];

/** A function URL request signed by the intruder, virtual-hosted or path-style. */
const urlCall = (f: F, pathStyle: boolean): Promise<unknown> => {
  const call: HttpCall = pathStyle ? { method: 'GET', path: `/_nimbus/lambda-url/${f.urlId}/` } : { method: 'GET', path: '/', host: `${f.urlId}.lambda-url.us-east-1.localhost:${f.port}` };
  return signedRequest(f.t.endpoint, 'lambda', INTRUDER, call).then(httpOutcome);
};

const rows: Row<F>[] = [
  ...byFunction.flatMap(([op, call, qualified]) =>
    [...FORMS, ...(qualified ? QUALIFIED : [])].map(([form, fn, refusal]): Row<F> => ({
      op,
      form,
      call: (f) => call(f.intruder, fn),
      // CreateEventSourceMapping answers a function it cannot find as an invalid parameter (AWS).
      refusal: op === 'CreateEventSourceMapping' && refusal === NOT_FOUND ? { name: 'InvalidParameterValueException', message: /^Function does not exist$/ } : refusal,
    })),
  ),
  { op: 'TagResource', form: 'by function ARN', call: (f) => f.intruder.send(new TagResourceCommand({ Resource: ARN, Tags: { owned: 'yes' } })), refusal: DENIED },
  { op: 'UntagResource', form: 'by function ARN', call: (f) => f.intruder.send(new UntagResourceCommand({ Resource: ARN, TagKeys: ['team'] })), refusal: DENIED },
  { op: 'ListTags', form: 'by function ARN', call: (f) => f.intruder.send(new ListTagsCommand({ Resource: ARN })), refusal: DENIED },
  { op: 'GetEventSourceMapping', form: 'by UUID', call: (f) => f.intruder.send(new GetEventSourceMappingCommand({ UUID: f.mapping })), refusal: NO_MAPPING },
  { op: 'UpdateEventSourceMapping', form: 'by UUID', call: (f) => f.intruder.send(new UpdateEventSourceMappingCommand({ UUID: f.mapping, Enabled: true })), refusal: NO_MAPPING },
  { op: 'DeleteEventSourceMapping', form: 'by UUID', call: (f) => f.intruder.send(new DeleteEventSourceMappingCommand({ UUID: f.mapping })), refusal: NO_MAPPING },
  {
    op: 'ListEventSourceMappings',
    form: "by the owner's function ARN",
    call: (f) => f.intruder.send(new ListEventSourceMappingsCommand({ FunctionName: ARN })),
    refusal: DENIED,
  },
  {
    op: 'ListEventSourceMappings',
    form: "by the owner's queue ARN (lists the caller's own mappings)",
    call: (f) => f.intruder.send(new ListEventSourceMappingsCommand({ EventSourceArn: QUEUE_ARN })),
    shows: (out) => assert.deepEqual((out as { EventSourceMappings?: unknown[] }).EventSourceMappings ?? [], []),
  },
  // The intruder's own function reading the owner's queue would drain it. AWS refuses for want of
  // the queue's permission (checked against the function's role).
  {
    op: 'CreateEventSourceMapping',
    form: "from the owner's queue ARN, to the intruder's own function",
    call: (f) => f.intruder.send(new CreateEventSourceMappingCommand({ FunctionName: 'thief', EventSourceArn: QUEUE_ARN, Enabled: false })),
    refusal: { name: 'InvalidParameterValueException', message: /^The provided execution role does not have permissions to call ReceiveMessage on SQS$/ },
  },
  { op: 'ListFunctions', form: "lists the caller's own functions", call: (f) => f.intruder.send(new ListFunctionsCommand({})), shows: (out) => assert.deepEqual((out as { Functions?: Array<{ FunctionName?: string }> }).Functions?.map((x) => x.FunctionName), ['thief']) },
  // CreateFunction's name may be an ARN; another account's is refused (AWS: AccessDeniedException).
  {
    op: 'CreateFunction',
    form: "by the owner's function ARN",
    call: (f) => f.intruder.send(new CreateFunctionCommand({ FunctionName: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:planted`, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip(CODE) } })),
    refusal: { name: 'AccessDeniedException' },
  },
  { op: 'Invoke', form: 'by function URL id (virtual-hosted, signed by the intruder)', call: (f) => urlCall(f, false), refusal: { name: 'HTTP 403', message: /Forbidden/ } },
  { op: 'Invoke', form: 'by function URL id (path-style, signed by the intruder)', call: (f) => urlCall(f, true), refusal: { name: 'HTTP 403', message: /Forbidden/ } },
];

runMatrix<F>({
  service: 'lambda',
  async setup() {
    const t = await startMatrixNimbus();
    const owner = client(t, OWNER);
    const intruder = client(t, INTRUDER);
    await createFunction(owner, 'private', CODE, { Tags: { team: 'owner' } });
    await createFunction(owner, 'shared', CODE);
    await createFunction(intruder, 'thief', CODE);
    await owner.send(new PublishVersionCommand({ FunctionName: 'private' }));
    await owner.send(new CreateAliasCommand({ FunctionName: 'private', Name: 'live', FunctionVersion: '1' }));
    await owner.send(new PutFunctionConcurrencyCommand({ FunctionName: 'private', ReservedConcurrentExecutions: 5 }));
    await owner.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'private', MaximumRetryAttempts: 1 }));
    await owner.send(new AddPermissionCommand({ FunctionName: 'private', StatementId: 'intruder-invoke', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' }));
    await owner.send(new AddPermissionCommand({ FunctionName: 'shared', StatementId: 'intruder-invoke', Action: 'lambda:InvokeFunction', Principal: INTRUDER_ACCOUNT }));
    const url = await owner.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'private', AuthType: 'AWS_IAM' }));
    await t.sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    const mapping = await owner.send(new CreateEventSourceMappingCommand({ FunctionName: 'private', EventSourceArn: QUEUE_ARN, Enabled: false }));
    const fnUrl = new URL(url.FunctionUrl!);
    return { t, owner, intruder, mapping: mapping.UUID!, urlId: fnUrl.hostname.split('.')[0]!, port: fnUrl.port };
  },
  async teardown(f) {
    f.owner.destroy();
    f.intruder.destroy();
    await f.t.stop();
  },
  rows,
  async snapshot(f) {
    const fn = await f.owner.send(new GetFunctionCommand({ FunctionName: ARN }));
    const mapping = await f.owner.send(new GetEventSourceMappingCommand({ UUID: f.mapping }));
    return {
      functions: (await f.owner.send(new ListFunctionsCommand({}))).Functions?.map((x) => x.FunctionName).sort(),
      config: [fn.Configuration?.CodeSha256, fn.Configuration?.Environment, fn.Configuration?.RevisionId, fn.Concurrency, fn.Tags],
      versions: (await f.owner.send(new ListVersionsByFunctionCommand({ FunctionName: ARN }))).Versions?.map((v) => v.Version),
      aliases: (await f.owner.send(new ListAliasesCommand({ FunctionName: ARN }))).Aliases?.map((a) => [a.Name, a.FunctionVersion]),
      policy: (await f.owner.send(new GetPolicyCommand({ FunctionName: ARN }))).Policy,
      invokeConfigs: (await f.owner.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: ARN }))).FunctionEventInvokeConfigs?.map((c) => [c.FunctionArn, c.MaximumRetryAttempts]),
      urls: (await f.owner.send(new ListFunctionUrlConfigsCommand({ FunctionName: ARN }))).FunctionUrlConfigs?.map((u) => [u.FunctionUrl, u.AuthType]),
      mapping: [mapping.State, mapping.FunctionArn, mapping.EventSourceArn],
    };
  },
  more(fixture) {
    test("AddPermission for the other account's Invoke allows exactly that", async () => {
      const f = fixture();
      const out = await f.intruder.send(new InvokeCommand({ FunctionName: SHARED, Payload: Buffer.from('{}') }));
      assert.equal(out.StatusCode, 200);
      await refused(f.intruder.send(new GetFunctionCommand({ FunctionName: SHARED })), DENIED, 'GetFunction of the shared function');
      await refused(f.intruder.send(new UpdateFunctionConfigurationCommand({ FunctionName: SHARED, Timeout: 9 })), DENIED, 'UpdateFunctionConfiguration of the shared function');
      await refused(f.intruder.send(new InvokeCommand({ FunctionName: ARN, Payload: Buffer.from('{}') })), DENIED, 'Invoke of the function granted to a service only');
    });
  },
});
