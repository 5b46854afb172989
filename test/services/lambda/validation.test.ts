/**
 * Lambda's declared constraints (operations/shapes.ts), in Lambda's words. Validation runs
 * before any lookup, so none of these functions exists: a constraint broken is a
 * ValidationException, never ResourceNotFoundException. Where several constraints break at once
 * the message counts and joins them in the order the members are declared (AWS's own order is
 * unconfirmed).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  TagResourceCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  type CreateFunctionCommandInput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { TestNimbus } from '../../helpers/nimbus.js';
import { lambdaClient, ROLE, startLambdaNimbus, zip } from '../../helpers/lambda.js';

describe('Lambda validation', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  before(async () => {
    ({ t, lambda } = await startLambdaNimbus());
  });
  after(async () => {
    lambda.destroy();
    await t.stop();
  });

  /** The call fails with a ValidationException saying exactly `message` (or matching it). */
  const refuses = async (call: Promise<unknown>, message: string | RegExp) => {
    await assert.rejects(call, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'ValidationException', e.message);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    });
  };
  const create = (extra: Partial<CreateFunctionCommandInput>) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: 'checked', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip({ 'index.js': '' }) }, ...extra }));

  it('counts and joins the broken constraints of a function configuration', async () => {
    await refuses(
      create({ Description: 'd'.repeat(257), Timeout: 0, MemorySize: 64 }),
      `3 validation errors detected: Value '${'d'.repeat(257)}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256; ` +
        "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128",
    );
    await refuses(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'checked', MemorySize: 10241, Handler: 'index handler' })),
      '2 validation errors detected: ' +
        "Value 'index handler' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+; " +
        "Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240",
    );
    // As Lambda answered CloudFormation (covidatlas/li#575).
    await refuses(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'checked', Timeout: 3000 })),
      "1 validation error detected: Value '3000' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
    );
    await refuses(create({ FunctionName: 'f'.repeat(141) }), `1 validation error detected: Value '${'f'.repeat(141)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140`);
  });

  it('words a missing required member as null, and nested members by their path', async () => {
    await refuses(create({ Role: undefined }), "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null");
    await refuses(
      create({ TracingConfig: { Mode: 'Loud' as never }, EphemeralStorage: { Size: 256 } }),
      '2 validation errors detected: ' +
        "Value 'Loud' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]; " +
        "Value '256' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512",
    );
  });

  it('words environment variable names, runtimes and architectures as Lambda does', async () => {
    // Variables are sensitive: Lambda shows no value. Names take at least two characters. The
    // wording is Lambda's as CloudFormation users report it (trek10inc/serverless-secrets#39).
    for (const name of ['bad-name', 'A']) {
      await refuses(
        create({ Environment: { Variables: { [name]: 'x' } } }),
        "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
      );
    }
    await refuses(create({ Runtime: 'cobol9' as never }), /^1 validation error detected: Value 'cobol9' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[nodejs18\.x, .*\] or be a valid ARN$/);
    await refuses(
      create({ Architectures: ['x86_64', 'arm64'] }),
      "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
    await refuses(
      create({ Architectures: ['sparc' as never] }),
      "1 validation error detected: Value '[sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
    );
  });

  it('holds invocations, aliases and settings to their constraints before looking the function up', async () => {
    await refuses(
      lambda.send(new InvokeCommand({ FunctionName: 'nowhere', InvocationType: 'Sometimes' as never })),
      "1 validation error detected: Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
    );
    await refuses(
      lambda.send(new InvokeCommand({ FunctionName: 'n'.repeat(171) })),
      `1 validation error detected: Value '${'n'.repeat(171)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 170`,
    );
    await refuses(
      lambda.send(new CreateAliasCommand({ FunctionName: 'nowhere', Name: '123', FunctionVersion: 'v1' })),
      '2 validation errors detected: ' +
        "Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+); " +
        "Value 'v1' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)",
    );
    await refuses(
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'nowhere', MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 30 })),
      '2 validation errors detected: ' +
        "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2; " +
        "Value '30' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
    );
    await refuses(
      lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'nowhere', ReservedConcurrentExecutions: -1 })),
      "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
    await refuses(
      lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'nowhere', AuthType: 'OPEN' as never, Cors: { MaxAge: 86401 } })),
      '2 validation errors detected: ' +
        "Value 'OPEN' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]; " +
        "Value '86401' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400",
    );
    await refuses(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'nowhere', EventSourceArn: 'queue', MaximumBatchingWindowInSeconds: 301 })),
      '2 validation errors detected: ' +
        "Value 'queue' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*); " +
        "Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
    );
    await refuses(lambda.send(new TagResourceCommand({ Resource: 'nowhere', Tags: {} })), /^1 validation error detected: Value 'nowhere' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:/);
    await refuses(lambda.send(new ListFunctionsCommand({ MaxItems: 0 })), "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it('takes a zip of several megabytes: checking its base64 does not overflow the stack', async () => {
    // Random bytes do not compress: the zip, and its base64 in the body, stay about this large.
    const code = zip({ 'index.js': 'exports.handler = async () => 1;', 'blob.bin': { text: randomBytes(6 * 1024 * 1024).toString('latin1'), mode: 0o644 } });
    assert.ok(code.length > 6 * 1024 * 1024);
    const created = await create({ FunctionName: 'large', Code: { ZipFile: code } });
    assert.equal(created.CodeSize, code.length);
    // Its code is unpacked in the background: wait for that before deleting it and stopping.
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 0.05 as never, maxDelay: 0.1 as never }, { FunctionName: 'large' });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'large' }));
  });

  it('says only "Invalid value" of a member of the wrong type', async () => {
    // The SDK sends numbers; a client that sends a word where MaxItems is a number gets Lambda's terse answer.
    const raw = lambdaClient(t.endpoint);
    raw.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { query?: Record<string, string> };
        if (request.query) request.query.MaxItems = 'many';
        return next(args);
      },
      { step: 'build' },
    );
    try {
      await refuses(raw.send(new ListFunctionsCommand({ MaxItems: 5 })), "1 validation error detected: Invalid value at 'MaxItems'");
    } finally {
      raw.destroy();
    }
  });
});
