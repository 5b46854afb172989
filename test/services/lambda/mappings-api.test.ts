import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../../helpers/nimbus.js';
import { createFunction, lambdaClient } from '../../helpers/lambda.js';
import { dynamoClient } from '../../helpers/dynamodb.js';
import { batchItemFailures } from '../../../src/services/lambda/engine/mappings-batch.js';
import { queue } from './mappings-helpers.js';

describe('Lambda event source mapping API', () => {
  let t: TestNimbus;
  let lambda: LambdaClient;
  let ddb: DynamoDBClient;
  let std: string;
  let fifo: string;
  let stream: string;
  /** A queue of a second account. */
  let foreign: string;
  const OTHER = { accessKeyId: 'other-key', secretAccessKey: 'other-secret' };
  const OTHER_ACCOUNT = '111111111111';
  const fnArn = 'arn:aws:lambda:us-east-1:000000000000:function:target';
  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] });
    const otherSqs = t.sqsClient({ credentials: OTHER });
    foreign = (await queue(otherSqs, 'foreign')).arn;
    otherSqs.destroy();
    lambda = lambdaClient(t.endpoint);
    ddb = dynamoClient(t.endpoint);
    await createFunction(lambda, 'target', { 'index.js': 'exports.handler = async () => ({});' });
    await createFunction(lambda, 'other', { 'index.js': 'exports.handler = async () => ({});' });
    std = (await queue(t.sqs, 'api-std')).arn;
    fifo = (await queue(t.sqs, 'api.fifo', { FifoQueue: 'true' })).arn;
    const table = await ddb.send(
      new CreateTableCommand({
        TableName: 'api-table',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    stream = table.TableDescription!.LatestStreamArn!;
  });
  after(async () => {
    ddb.destroy();
    await t.stop();
  });

  const refuses = async (input: Partial<CreateEventSourceMappingCommandInput>, name: string, message: string | RegExp) => {
    await assert.rejects(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'target', ...input } as CreateEventSourceMappingCommandInput)), (e: Error) => {
      assert.equal(e.name, name, e.message);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    });
  };

  it('creates SQS and stream mappings with Lambda defaults, gets, lists and pages them', async () => {
    const sqs = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'target', EventSourceArn: std }));
    assert.equal(sqs.$metadata.httpStatusCode, 202);
    assert.match(sqs.UUID!, /^[0-9a-f-]{36}$/);
    assert.equal(sqs.State, 'Creating');
    assert.equal(sqs.StateTransitionReason, 'USER_INITIATED');
    assert.equal(sqs.BatchSize, 10);
    assert.equal(sqs.MaximumBatchingWindowInSeconds, 0);
    assert.deepEqual(sqs.FunctionResponseTypes, []);
    assert.equal(sqs.FunctionArn, fnArn);
    assert.equal(sqs.EventSourceArn, std);
    assert.equal(sqs.EventSourceMappingArn, `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${sqs.UUID}`);
    assert.ok(sqs.LastModified instanceof Date && Math.abs(sqs.LastModified.getTime() - t.clock.now()) < 1000);
    assert.equal(sqs.StartingPosition, undefined);
    assert.equal(sqs.MaximumRetryAttempts, undefined);

    const ddbMapping = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fnArn, EventSourceArn: stream, StartingPosition: 'TRIM_HORIZON' }));
    assert.equal(ddbMapping.State, 'Creating');
    assert.equal(ddbMapping.StateTransitionReason, 'User action');
    assert.equal(ddbMapping.BatchSize, 100);
    assert.equal(ddbMapping.StartingPosition, 'TRIM_HORIZON');
    assert.equal(ddbMapping.MaximumRetryAttempts, -1);
    assert.equal(ddbMapping.MaximumRecordAgeInSeconds, -1);
    assert.equal(ddbMapping.BisectBatchOnFunctionError, false);
    assert.equal(ddbMapping.ParallelizationFactor, 1);
    assert.deepEqual(ddbMapping.DestinationConfig, { OnFailure: {} });
    assert.equal(ddbMapping.LastProcessingResult, 'No records processed');

    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: sqs.UUID }));
    assert.equal(got.State, 'Enabled');
    assert.equal(got.UUID, sqs.UUID);

    const withOther = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'other', EventSourceArn: std, BatchSize: 5 }));
    const all = await lambda.send(new ListEventSourceMappingsCommand({}));
    assert.deepEqual(all.EventSourceMappings!.map((m) => m.UUID), [sqs.UUID, ddbMapping.UUID, withOther.UUID]);
    const bySource = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: std }));
    assert.deepEqual(bySource.EventSourceMappings!.map((m) => m.UUID), [sqs.UUID, withOther.UUID]);
    const byFunction = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'target' }));
    assert.deepEqual(byFunction.EventSourceMappings!.map((m) => m.UUID), [sqs.UUID, ddbMapping.UUID]);
    const both = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'other', EventSourceArn: std }));
    assert.deepEqual(both.EventSourceMappings!.map((m) => m.UUID), [withOther.UUID]);
    const page1 = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2 }));
    assert.equal(page1.EventSourceMappings!.length, 2);
    assert.ok(page1.NextMarker);
    const page2 = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 2, Marker: page1.NextMarker }));
    assert.deepEqual(page2.EventSourceMappings!.map((m) => m.UUID), [withOther.UUID]);
    assert.equal(page2.NextMarker, undefined);

    await refuses(
      { EventSourceArn: std },
      'ResourceConflictException',
      `An event source mapping with SQS arn (" ${std} ") and function (" target ") already exists. Please update or delete the existing mapping with UUID ${sqs.UUID}`,
    );
    await refuses(
      { EventSourceArn: stream, StartingPosition: 'LATEST' },
      'ResourceConflictException',
      `The event source arn (" ${stream} ") and function (" target ") provided mapping already exists. Please update or delete the existing mapping with UUID ${ddbMapping.UUID}`,
    );

    for (const m of [sqs, ddbMapping, withOther]) {
      const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      assert.equal(deleted.State, 'Deleting');
    }
    assert.deepEqual((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings, []);
  });

  it('updates settings, enabling and disabling', async () => {
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'target', EventSourceArn: std }));
    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID,
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 4 },
        FilterCriteria: { Filters: [{ Pattern: '{"body":{"a":["b"]}}' }] },
      }),
    );
    assert.equal(updated.$metadata.httpStatusCode, 202);
    assert.equal(updated.State, 'Updating');
    assert.equal(updated.BatchSize, 100);
    assert.deepEqual(updated.ScalingConfig, { MaximumConcurrency: 4 });
    assert.deepEqual(updated.FilterCriteria, { Filters: [{ Pattern: '{"body":{"a":["b"]}}' }] });
    assert.equal((await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: false }))).State, 'Disabling');
    assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State, 'Disabled');
    assert.equal((await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }))).State, 'Enabling');
    const moved = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, FunctionName: 'other', FilterCriteria: {} }));
    assert.equal(moved.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:other');
    assert.equal(moved.FilterCriteria, undefined);
    await assert.rejects(lambda.send(new UpdateEventSourceMappingCommand({ UUID, BatchSize: 11, MaximumBatchingWindowInSeconds: 0 })), {
      name: 'InvalidParameterValueException',
      message: 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    });
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
    for (const command of [new GetEventSourceMappingCommand({ UUID }), new UpdateEventSourceMappingCommand({ UUID, BatchSize: 1 }), new DeleteEventSourceMappingCommand({ UUID })]) {
      await assert.rejects(lambda.send(command as never), { name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' });
    }
  });

  it('refuses what Lambda refuses, in its words', async () => {
    await refuses({ EventSourceArn: std, BatchSize: 11 }, 'InvalidParameterValueException', 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    await refuses({ EventSourceArn: std, BatchSize: 0 }, 'ValidationException', "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await refuses({ EventSourceArn: std, BatchSize: 10001, MaximumBatchingWindowInSeconds: 1 }, 'ValidationException', /Member must have value less than or equal to 10000/);
    await refuses({ EventSourceArn: fifo, MaximumBatchingWindowInSeconds: 1 }, 'InvalidParameterValueException', 'Batching window is not supported for FIFO queues');
    await refuses({ EventSourceArn: fifo, BatchSize: 11 }, 'InvalidParameterValueException', /FIFO/);
    await refuses({ EventSourceArn: std, StartingPosition: 'LATEST' }, 'InvalidParameterValueException', 'StartingPosition is not valid for SQS event sources.');
    await refuses({ EventSourceArn: std, MaximumRetryAttempts: 1 }, 'InvalidParameterValueException', 'Unsupported MaximumRetryAttempts parameter for given event source mapping type.');
    await refuses({ EventSourceArn: std, ScalingConfig: { MaximumConcurrency: 1 } }, 'ValidationException', "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2");
    await refuses({ EventSourceArn: std, ScalingConfig: { MaximumConcurrency: 1001 } }, 'ValidationException', /less than or equal to 1000/);
    await refuses(
      { EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' },
      'InvalidParameterValueException',
      'Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.',
    );
    await refuses({ EventSourceArn: std, FunctionName: 'missing' }, 'InvalidParameterValueException', 'Function does not exist');
    await refuses({ EventSourceArn: std, FunctionName: 'target:nope' }, 'ResourceNotFoundException', /Function not found/);
    await refuses({ EventSourceArn: 'arn:aws:sns:us-east-1:000000000000:topic' }, 'InvalidParameterValueException', 'Unrecognized event source, must be kinesis, dynamodb stream or sqs.');
    await refuses({ EventSourceArn: std, FilterCriteria: { Filters: [{ Pattern: '{"body": "x"}' }] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    await refuses({ EventSourceArn: std, FilterCriteria: { Filters: [{ Pattern: 'not json' }] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    await refuses({ EventSourceArn: std, FunctionResponseTypes: ['Everything' as never] }, 'ValidationException', /functionResponseTypes/);

    await refuses({ EventSourceArn: stream }, 'InvalidParameterValueException', "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    await refuses({ EventSourceArn: stream, StartingPosition: 'AT_TIMESTAMP' }, 'InvalidParameterValueException', `Unsupported starting position for arn type: ${stream}`);
    await refuses({ EventSourceArn: stream, StartingPosition: 'SOMEWHERE' as never }, 'ValidationException', /Member must satisfy enum value set: \[LATEST, AT_TIMESTAMP, TRIM_HORIZON\]/);
    await refuses({ EventSourceArn: `${stream.slice(0, -5)}nope0`, StartingPosition: 'LATEST' }, 'InvalidParameterValueException', `Stream not found: ${stream.slice(0, -5)}nope0`);
    await refuses(
      { EventSourceArn: stream, StartingPosition: 'LATEST', DestinationConfig: { OnSuccess: { Destination: std } } },
      'InvalidParameterValueException',
      'Unsupported DestinationConfig parameter for given event source mapping type.',
    );
    // Only SQS on-failure destinations are delivered here: SNS and S3 ones are refused rather than dropped.
    for (const Destination of ['arn:aws:sns:us-east-1:000000000000:failures', 'arn:aws:s3:::failures-bucket']) {
      await refuses(
        { EventSourceArn: stream, StartingPosition: 'LATEST', DestinationConfig: { OnFailure: { Destination } } },
        'InvalidParameterValueException',
        `The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=${Destination})) is invalid.`,
      );
    }
    await refuses({ EventSourceArn: stream, StartingPosition: 'LATEST', BatchSize: 10001 }, 'ValidationException', /batchSize/);
    await refuses({ EventSourceArn: stream, StartingPosition: 'LATEST', MaximumRetryAttempts: -2 }, 'ValidationException', /maximumRetryAttempts/);
    await refuses({ EventSourceArn: stream, StartingPosition: 'LATEST', ScalingConfig: { MaximumConcurrency: 5 } }, 'InvalidParameterValueException', /ScalingConfig/);
    assert.deepEqual((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings, []);
  });

  it("refuses another account's queue, stream or on-failure queue (no resource policies here)", async () => {
    assert.match(foreign, /:111111111111:foreign$/);
    await refuses({ EventSourceArn: foreign }, 'InvalidParameterValueException', 'The provided execution role does not have permissions to call ReceiveMessage on SQS');
    const foreignStream = stream.replace(':000000000000:', `:${OTHER_ACCOUNT}:`);
    await refuses({ EventSourceArn: foreignStream, StartingPosition: 'LATEST' }, 'InvalidParameterValueException', /^Cannot access stream arn:aws:dynamodb:us-east-1:111111111111:table\/api-table\/stream\//);
    await refuses(
      { EventSourceArn: stream, StartingPosition: 'LATEST', DestinationConfig: { OnFailure: { Destination: foreign } } },
      'InvalidParameterValueException',
      'The provided execution role does not have permissions to call SendMessage on SQS',
    );
    // Nor through an update.
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'other', EventSourceArn: stream, StartingPosition: 'LATEST' }));
    try {
      for (const Destination of [foreign, 'arn:aws:sns:us-east-1:000000000000:failures']) {
        await assert.rejects(lambda.send(new UpdateEventSourceMappingCommand({ UUID, DestinationConfig: { OnFailure: { Destination } } })), { name: 'InvalidParameterValueException' });
      }
      const own = (await queue(t.sqs, 'own-failures')).arn;
      const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, DestinationConfig: { OnFailure: { Destination: own } } }));
      assert.deepEqual(updated.DestinationConfig, { OnFailure: { Destination: own } });
    } finally {
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
    }
  });

  it('reads partial batch responses by Lambda rules', () => {
    const known = new Set(['a', 'b']);
    const read = (v: unknown) => batchItemFailures(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), known);
    assert.deepEqual(read({ batchItemFailures: [{ itemIdentifier: 'b' }] }), ['b']);
    assert.deepEqual(read({ batchItemFailures: [] }), []);
    assert.deepEqual(read({ batchItemFailures: null }), []);
    assert.deepEqual(read({}), []);
    assert.deepEqual(read('null'), []);
    assert.equal(read('not json'), undefined);
    assert.equal(read({ batchItemFailures: [{ itemIdentifier: '' }] }), undefined);
    assert.equal(read({ batchItemFailures: [{ itemIdentifier: null }] }), undefined);
    assert.equal(read({ batchItemFailures: [{ id: 'a' }] }), undefined);
    assert.equal(read({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }), undefined);
    assert.equal(read({ batchItemFailures: 'a' }), undefined);
  });
});
