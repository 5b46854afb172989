/**
 * SQS queue management through the real AWS SDK v3 client: CreateQueue ... RemovePermission,
 * cross-account access and regions. Time-based behaviour moves the ManualClock (the SigV4
 * verifier runs on it too, so the whole file stays well under 15 minutes of advances).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { ACCOUNT, startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';

const OTHER_ACCOUNT = '111111111111';
const OTHER = { accessKeyId: 'other', secretAccessKey: 'other' };

interface ExpectedError {
  name: string;
  /** The query-compatible code (x-amzn-query-error), exposed by the SDK as `Code`. */
  code?: string;
  status?: number;
  message?: string | RegExp;
}

async function rejects(p: Promise<unknown>, expected: ExpectedError): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, expected.name, `error name (message: ${e.message})`);
    assert.equal(e.Code, expected.code ?? expected.name, 'query-compatible code');
    assert.equal(e.$metadata?.httpStatusCode, expected.status ?? 400, 'HTTP status');
    if (typeof expected.message === 'string') assert.equal(e.message, expected.message);
    else if (expected.message) assert.match(e.message, expected.message);
    return true;
  });
}

const NO_QUEUE: ExpectedError = {
  name: 'QueueDoesNotExist',
  code: 'AWS.SimpleQueueService.NonExistentQueue',
  status: 400,
  message: 'The specified queue does not exist.',
};
const invalidValue = (name: string): ExpectedError => ({ name: 'InvalidAttributeValue', message: `Invalid value for the parameter ${name}.` });
const unknownAttribute = (name: string): ExpectedError => ({ name: 'InvalidAttributeName', message: `Unknown Attribute ${name}.` });
const fifoOnly = (name: string): ExpectedError => ({
  name: 'InvalidAttributeName',
  message: `You can specify the ${name} only when FifoQueue is set to true.`,
});

type Attrs = Partial<Record<QueueAttributeName, string>>;

let t: TestNimbus;
let other: SQSClient;
let seq = 0;
/** A queue name no other test uses. */
const unique = (base = 'q') => `${base}-${++seq}`;

async function create(name: string, Attributes?: Record<string, string>, client: SQSClient = t.sqs): Promise<string> {
  const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: Attributes as Attrs }));
  return out.QueueUrl!;
}
async function attributes(url: string, names: string[] = ['All']): Promise<Record<string, string>> {
  const out = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as QueueAttributeName[] }));
  return out.Attributes ?? {};
}
const setAttributes = (url: string, Attributes: Record<string, string>, client: SQSClient = t.sqs) =>
  client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: Attributes as Attrs }));
const arnOf = async (url: string) => (await attributes(url, ['QueueArn'])).QueueArn!;
const urlOf = (name: string, account = ACCOUNT) => `${t.endpoint}/${account}/${name}`;
const seconds = (ms: number) => String(Math.floor(ms / 1000));

before(async () => {
  t = await startTestNimbus({
    credentials: [
      { accessKeyId: 'test', secretAccessKey: 'test', accountId: ACCOUNT },
      { ...OTHER, accountId: OTHER_ACCOUNT },
    ],
  });
  other = t.sqsClient({ credentials: OTHER });
});

after(async () => {
  other.destroy();
  await t.stop();
});

describe('CreateQueue', () => {
  it('answers the queue URL: the host the client called, the account and the name', async () => {
    const name = unique('url');
    assert.equal(await create(name), urlOf(name));
    const port = new URL(t.endpoint).port;
    const viaLocalhost = new SQSClient({
      endpoint: `http://localhost:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      const again = await viaLocalhost.send(new CreateQueueCommand({ QueueName: name }));
      assert.equal(again.QueueUrl, `http://localhost:${port}/${ACCOUNT}/${name}`);
      const got = await viaLocalhost.send(new GetQueueUrlCommand({ QueueName: name }));
      assert.equal(got.QueueUrl, `http://localhost:${port}/${ACCOUNT}/${name}`);
      const listed = await viaLocalhost.send(new ListQueuesCommand({ QueueNamePrefix: name }));
      assert.deepEqual(listed.QueueUrls, [`http://localhost:${port}/${ACCOUNT}/${name}`]);
    } finally {
      viaLocalhost.destroy();
    }
    // A URL naming another host still addresses the queue: its path is what counts.
    const foreign = `http://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`;
    assert.equal((await attributes(foreign, ['QueueArn'])).QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`);
  });

  it('is idempotent with the same attributes, a subset of them or none', async () => {
    const name = unique('idem');
    const url = await create(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '1' });
    assert.equal(await create(name), url);
    assert.equal(await create(name, { DelaySeconds: '1' }), url);
    assert.equal(await create(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '1' }), url);
    // Defaults count as the queue's values.
    assert.equal(await create(name, { VisibilityTimeout: '30', MaximumMessageSize: '1048576' }), url);
  });

  it('refuses a different attribute value with QueueNameExists (query code QueueAlreadyExists)', async () => {
    const name = unique('exists');
    const url = await create(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '1' });
    const exists = (attr: string): ExpectedError => ({
      name: 'QueueNameExists',
      code: 'QueueAlreadyExists',
      message: `A queue already exists with the same name and a different value for attribute ${attr}`,
    });
    await rejects(create(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '2' }), exists('DelaySeconds'));
    await rejects(create(name, { VisibilityTimeout: '31' }), exists('VisibilityTimeout'));
    // After SetQueueAttributes the new value is the one that matches.
    await setAttributes(url, { DelaySeconds: '2' });
    assert.equal(await create(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '2' }), url);
    await rejects(create(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '1' }), exists('DelaySeconds'));
  });

  it('creates FIFO queues; booleans in any case are stored in lower case', async () => {
    const name = unique('fifo') + '.fifo';
    const url = await create(name, { FifoQueue: 'True', ContentBasedDeduplication: 'True' });
    assert.equal(url, urlOf(name));
    const a = await attributes(url);
    assert.equal(a.FifoQueue, 'true');
    assert.equal(a.ContentBasedDeduplication, 'true');
    assert.equal(await create(name, { FifoQueue: 'true', ContentBasedDeduplication: 'true' }), url);
    await rejects(create(name, { FifoQueue: 'true', ContentBasedDeduplication: 'false' }), {
      name: 'QueueNameExists',
      code: 'QueueAlreadyExists',
      message: 'A queue already exists with the same name and a different value for attribute ContentBasedDeduplication',
    });
  });

  it('enforces the name rules of standard and FIFO queues', async () => {
    const standard: ExpectedError = {
      name: 'InvalidParameterValue',
      message: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    };
    for (const bad of ['', 'a'.repeat(81), 'has space', 'dot.ted', 'slash/name', 'ünï', 'star*']) {
      await rejects(create(bad), standard);
    }
    const fifo: ExpectedError = {
      name: 'InvalidParameterValue',
      message:
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    };
    await rejects(create('not-fifo-suffix', { FifoQueue: 'true' }), fifo);
    await rejects(create('suffix-without-attribute.fifo'), fifo);
    await rejects(create('a'.repeat(76) + '.fifo', { FifoQueue: 'true' }), fifo);
    await rejects(create('bad name.fifo', { FifoQueue: 'true' }), fifo);
    await rejects(create('.fifo', { FifoQueue: 'true' }), fifo);

    const longest = 'A-z_0' + 'x'.repeat(75);
    assert.equal(await create(longest), urlOf(longest));
    const longestFifo = 'f'.repeat(75) + '.fifo';
    assert.equal(await create(longestFifo, { FifoQueue: 'true' }), urlOf(longestFifo));
    // Names are case-sensitive: these are two queues.
    const lower = unique('case');
    await create(lower);
    await create(lower.toUpperCase());
    const listed = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'CASE-' }));
    assert.deepEqual(listed.QueueUrls, [urlOf(lower.toUpperCase())]);
  });

  it('refuses FIFO-only attributes for a standard queue, as AWS words it', async () => {
    const name = unique('std');
    await rejects(create(name, { FifoQueue: 'false' }), unknownAttribute('FifoQueue'));
    await rejects(create(name, { ContentBasedDeduplication: 'false' }), unknownAttribute('ContentBasedDeduplication'));
    await rejects(create(name, { DeduplicationScope: 'queue' }), fifoOnly('DeduplicationScope'));
    await rejects(create(name, { FifoThroughputLimit: 'perQueue' }), fifoOnly('FifoThroughputLimit'));
    // None of the refusals created the queue.
    await rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: name })), NO_QUEUE);
  });

  it('validates the attributes it is given', async () => {
    const name = unique('badattr');
    await rejects(create(name, { Bogus: '1' }), unknownAttribute('Bogus'));
    await rejects(create(name, { QueueArn: 'arn:aws:sqs:us-east-1:000000000000:x' }), unknownAttribute('QueueArn'));
    await rejects(create(name, { VisibilityTimeout: '43201' }), invalidValue('VisibilityTimeout'));
    await rejects(create(name, { MaximumMessageSize: '1048577' }), invalidValue('MaximumMessageSize'));
    await rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: name })), NO_QUEUE);
    const url = await create(name, { VisibilityTimeout: '43200', DelaySeconds: '900', MaximumMessageSize: '1024' });
    const a = await attributes(url, ['VisibilityTimeout', 'DelaySeconds', 'MaximumMessageSize']);
    assert.deepEqual(a, { VisibilityTimeout: '43200', DelaySeconds: '900', MaximumMessageSize: '1024' });
  });

  it('takes tags', async () => {
    const url = (await t.sqs.send(new CreateQueueCommand({ QueueName: unique('tagged'), tags: { team: 'core', empty: '' } }))).QueueUrl!;
    assert.deepEqual((await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: 'core', empty: '' });
  });

  it('answers QueueDeletedRecently for 60 seconds after a delete of the same name', async () => {
    const name = unique('recent');
    const url = await create(name);
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'old' }));
    await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    const recently: ExpectedError = {
      name: 'QueueDeletedRecently',
      code: 'AWS.SimpleQueueService.QueueDeletedRecently',
      message: 'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
    };
    await rejects(create(name), recently);
    t.clock.advance(59_000);
    await rejects(create(name, { DelaySeconds: '5' }), recently);
    // Other names are not affected.
    await create(unique('recent'));
    t.clock.advance(1_000);
    const created = t.clock.now();
    assert.equal(await create(name), url);
    const a = await attributes(url);
    assert.equal(a.ApproximateNumberOfMessages, '0', 'a new queue: the old messages are gone');
    assert.equal(a.CreatedTimestamp, seconds(created));
  });
});

describe('DeleteQueue', () => {
  it('deletes the queue and its messages; a second delete finds no queue', async () => {
    const name = unique('del');
    const url = await create(name);
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
    await t.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: name })), NO_QUEUE);
    await rejects(t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })), NO_QUEUE);
    await rejects(t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' })), NO_QUEUE);
    await rejects(t.sqs.send(new DeleteQueueCommand({ QueueUrl: url })), NO_QUEUE);
    const listed = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    assert.equal(listed.QueueUrls, undefined);
  });
});

describe('GetQueueUrl', () => {
  it('finds a queue by name, also with the owner account given', async () => {
    const name = unique('geturl');
    const url = await create(name);
    assert.equal((await t.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, url);
    assert.equal((await t.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: ACCOUNT }))).QueueUrl, url);
    await rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: `${name}-nope` })), NO_QUEUE);
    await rejects(t.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: '222222222222' })), NO_QUEUE);
  });

  it('is optional: a bare queue name given as QueueUrl names the caller queue, as on AWS', async () => {
    const name = unique('bare');
    await create(name);
    await setAttributes(name, { DelaySeconds: '4' });
    assert.equal((await attributes(name, ['DelaySeconds'])).DelaySeconds, '4');
    await rejects(attributes(`${name}-nope`, ['DelaySeconds']), NO_QUEUE);
  });
});

describe('ListQueues', () => {
  it('lists by prefix in name order, without NextToken unless MaxResults is given', async () => {
    const prefix = unique('lst');
    const names = ['c', 'a', 'b-2', 'b-1'].map((n) => `${prefix}-${n}`);
    for (const n of names) await create(n);
    await create(`x${prefix}`);
    const all = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    assert.deepEqual(all.QueueUrls, [...names].sort().map((n) => urlOf(n)));
    assert.equal(all.NextToken, undefined);
    const none = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'no-queue-has-this-prefix' }));
    assert.equal(none.QueueUrls, undefined);
    assert.equal(none.NextToken, undefined);
    const unfiltered = await t.sqs.send(new ListQueuesCommand({}));
    assert.ok(unfiltered.QueueUrls!.length > names.length);
    assert.equal(unfiltered.NextToken, undefined);
    // Prefixes are case-sensitive.
    const upper = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix.toUpperCase() }));
    assert.equal(upper.QueueUrls, undefined);
  });

  it('pages with MaxResults and NextToken', async () => {
    const prefix = unique('page');
    const names = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    for (const n of names) await create(n);
    const first = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
    assert.deepEqual(first.QueueUrls, names.slice(0, 2).map((n) => urlOf(n)));
    assert.ok(first.NextToken);
    const second = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.QueueUrls, names.slice(2, 4).map((n) => urlOf(n)));
    assert.ok(second.NextToken);
    const last = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: second.NextToken }));
    assert.deepEqual(last.QueueUrls, names.slice(4).map((n) => urlOf(n)));
    assert.equal(last.NextToken, undefined);
    const rest = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 10, NextToken: first.NextToken }));
    assert.deepEqual(rest.QueueUrls, names.slice(2).map((n) => urlOf(n)));
    assert.equal(rest.NextToken, undefined);
    const exact = await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000 }));
    assert.equal(exact.QueueUrls!.length, 5);
    assert.equal(exact.NextToken, undefined);
  });

  it('refuses MaxResults outside 1..1000 and a NextToken it did not issue', async () => {
    for (const MaxResults of [0, -1, 1001]) {
      await rejects(t.sqs.send(new ListQueuesCommand({ MaxResults })), { name: 'InvalidParameterValue', message: /MaxResults/ });
    }
    await rejects(t.sqs.send(new ListQueuesCommand({ MaxResults: 5, NextToken: 'not-a-token' })), { name: 'InvalidParameterValue' });
  });
});

describe('GetQueueAttributes', () => {
  /** Every attribute (All) of a new standard queue; a FIFO queue has these and its FIFO ones. */
  const standardDefaults = (name: string, created: number) => ({
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesDelayed: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
    CreatedTimestamp: seconds(created),
    DelaySeconds: '0',
    LastModifiedTimestamp: seconds(created),
    MaximumMessageSize: '1048576',
    MessageRetentionPeriod: '345600',
    QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
    ReceiveMessageWaitTimeSeconds: '0',
    SqsManagedSseEnabled: 'true',
    VisibilityTimeout: '30',
  });

  it('answers every attribute of a new standard queue with All', async () => {
    const name = unique('allstd');
    const created = t.clock.now();
    const url = await create(name);
    assert.deepEqual(await attributes(url), standardDefaults(name, created));
  });

  it('answers every attribute of a new FIFO queue with All', async () => {
    const name = unique('allfifo') + '.fifo';
    const created = t.clock.now();
    const url = await create(name, { FifoQueue: 'true' });
    assert.deepEqual(await attributes(url), {
      ...standardDefaults(name, created),
      ContentBasedDeduplication: 'false',
      DeduplicationScope: 'queue',
      FifoQueue: 'true',
      FifoThroughputLimit: 'perQueue',
    });
  });

  it('answers only the names asked for; none without AttributeNames; unknown names are refused', async () => {
    const url = await create(unique('names'), { DelaySeconds: '3' });
    assert.deepEqual(await attributes(url, ['DelaySeconds', 'QueueArn']), {
      DelaySeconds: '3',
      QueueArn: await arnOf(url),
    });
    const none = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url }));
    assert.equal(none.Attributes, undefined);
    // Names a queue does not have (Policy unset, FIFO attributes on a standard queue) are left out.
    assert.deepEqual(await attributes(url, ['Policy', 'RedrivePolicy', 'FifoQueue']), {});
    assert.equal(Object.keys(await attributes(url, ['All', 'DelaySeconds'])).length, 12);
    await rejects(attributes(url, ['DelaySeconds', 'Bogus']), unknownAttribute('Bogus'));
    await rejects(attributes(url, ['all']), unknownAttribute('all'));
  });

  it('counts visible, in-flight and delayed messages as they move', async () => {
    const url = await create(unique('counts'));
    const counts = async () => {
      const a = await attributes(url, [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ]);
      return [a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible, a.ApproximateNumberOfMessagesDelayed].map(Number);
    };
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 30 }));
    assert.deepEqual(await counts(), [2, 0, 1]);
    const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 20 }));
    assert.equal(got.Messages?.length, 1);
    assert.deepEqual(await counts(), [1, 1, 1]);
    t.clock.advance(20_000);
    assert.deepEqual(await counts(), [2, 0, 1], 'the visibility timeout ran out');
    t.clock.advance(10_000);
    assert.deepEqual(await counts(), [3, 0, 0], 'the delay ran out');
    const again = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    assert.equal(again.Messages?.length, 3);
    assert.deepEqual(await counts(), [0, 3, 0]);
    await t.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0]!.ReceiptHandle! }));
    assert.deepEqual(await counts(), [0, 2, 0]);
    // A queue-level delay counts as delayed too.
    await setAttributes(url, { DelaySeconds: '10' });
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'queue delay' }));
    assert.deepEqual(await counts(), [0, 2, 1]);
  });

  it('moves LastModifiedTimestamp on SetQueueAttributes only, never CreatedTimestamp', async () => {
    const created = t.clock.now();
    const url = await create(unique('stamps'));
    t.clock.advance(5_000);
    await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { a: 'b' } }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }));
    let a = await attributes(url, ['CreatedTimestamp', 'LastModifiedTimestamp']);
    assert.deepEqual(a, { CreatedTimestamp: seconds(created), LastModifiedTimestamp: seconds(created) });
    await setAttributes(url, { VisibilityTimeout: '45' });
    const modified = t.clock.now();
    a = await attributes(url, ['CreatedTimestamp', 'LastModifiedTimestamp']);
    assert.deepEqual(a, { CreatedTimestamp: seconds(created), LastModifiedTimestamp: seconds(modified) });
    assert.ok(Number(a.LastModifiedTimestamp) >= Number(a.CreatedTimestamp) + 5);
  });
});

describe('SetQueueAttributes', () => {
  const numeric: [string, number, number][] = [
    ['DelaySeconds', 0, 900],
    ['MaximumMessageSize', 1024, 1048576],
    ['MessageRetentionPeriod', 60, 1209600],
    ['ReceiveMessageWaitTimeSeconds', 0, 20],
    ['VisibilityTimeout', 0, 43200],
    ['KmsDataKeyReusePeriodSeconds', 60, 86400],
  ];

  it('sets every numeric attribute across its range and refuses values outside it', async () => {
    const url = await create(unique('ranges'));
    for (const [name, min, max] of numeric) {
      for (const ok of [min, max]) {
        await setAttributes(url, { [name]: String(ok) });
        assert.equal((await attributes(url, [name]))[name], String(ok), `${name}=${ok}`);
      }
      const kept = String(max);
      for (const bad of [String(min - 1), String(max + 1), 'abc', '', '1.5', ' 5']) {
        await rejects(setAttributes(url, { [name]: bad }), invalidValue(name));
      }
      assert.equal((await attributes(url, [name]))[name], kept, `${name} unchanged by refused values`);
    }
  });

  it('changes nothing when one attribute of a request is refused', async () => {
    const url = await create(unique('atomic'));
    await rejects(setAttributes(url, { DelaySeconds: '5', VisibilityTimeout: '43201' }), invalidValue('VisibilityTimeout'));
    await rejects(setAttributes(url, { DelaySeconds: '5', Bogus: 'x' }), unknownAttribute('Bogus'));
    assert.equal((await attributes(url, ['DelaySeconds'])).DelaySeconds, '0');
  });

  it('refuses unknown and read-only attribute names', async () => {
    const url = await create(unique('names'));
    for (const name of ['Bogus', 'QueueArn', 'CreatedTimestamp', 'LastModifiedTimestamp', 'ApproximateNumberOfMessages', 'All']) {
      await rejects(setAttributes(url, { [name]: '1' }), unknownAttribute(name));
    }
  });

  it('refuses FIFO-only attributes on a standard queue', async () => {
    const url = await create(unique('stdset'));
    await rejects(setAttributes(url, { FifoQueue: 'true' }), unknownAttribute('FifoQueue'));
    await rejects(setAttributes(url, { FifoQueue: 'false' }), unknownAttribute('FifoQueue'));
    await rejects(setAttributes(url, { ContentBasedDeduplication: 'true' }), unknownAttribute('ContentBasedDeduplication'));
    await rejects(setAttributes(url, { DeduplicationScope: 'messageGroup' }), fifoOnly('DeduplicationScope'));
    await rejects(setAttributes(url, { FifoThroughputLimit: 'perMessageGroupId' }), fifoOnly('FifoThroughputLimit'));
  });

  it('sets the FIFO attributes of a FIFO queue; its type cannot change', async () => {
    const url = await create(unique('fifoset') + '.fifo', { FifoQueue: 'true' });
    await setAttributes(url, { FifoQueue: 'true' });
    await rejects(setAttributes(url, { FifoQueue: 'false' }), {
      name: 'InvalidAttributeValue',
      message: 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.',
    });
    await setAttributes(url, { ContentBasedDeduplication: 'True', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
    assert.deepEqual(await attributes(url, ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']), {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
    });
    await setAttributes(url, { DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' });
    assert.equal((await attributes(url, ['DeduplicationScope'])).DeduplicationScope, 'queue');
    await rejects(setAttributes(url, { ContentBasedDeduplication: 'yes' }), invalidValue('ContentBasedDeduplication'));
    await rejects(setAttributes(url, { DeduplicationScope: 'group' }), invalidValue('DeduplicationScope'));
    await rejects(setAttributes(url, { FifoThroughputLimit: 'perGroup' }), invalidValue('FifoThroughputLimit'));
    await rejects(setAttributes(url, { DeduplicationScope: 'queue', FifoThroughputLimit: 'perMessageGroupId' }), { name: 'InvalidAttributeValue' });
  });

  it('keeps one kind of server-side encryption at a time', async () => {
    const url = await create(unique('sse'));
    const sse = () => attributes(url, ['KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled']);
    assert.deepEqual(await sse(), { SqsManagedSseEnabled: 'true' });
    await rejects(setAttributes(url, { KmsMasterKeyId: 'testKeyId', SqsManagedSseEnabled: 'true' }), {
      name: 'InvalidAttributeName',
      message: 'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    });
    await setAttributes(url, { KmsMasterKeyId: 'testKeyId', KmsDataKeyReusePeriodSeconds: '6000' });
    assert.deepEqual(await sse(), { KmsMasterKeyId: 'testKeyId', KmsDataKeyReusePeriodSeconds: '6000', SqsManagedSseEnabled: 'false' });
    await setAttributes(url, { KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300' });
    assert.deepEqual(await sse(), { SqsManagedSseEnabled: 'false' });
    await setAttributes(url, { SqsManagedSseEnabled: 'TRUE' });
    assert.deepEqual(await sse(), { SqsManagedSseEnabled: 'true' });
    await rejects(setAttributes(url, { SqsManagedSseEnabled: 'yes' }), invalidValue('SqsManagedSseEnabled'));
    // A key given at creation brings the default reuse period and turns SQS-managed SSE off.
    const kms = await create(unique('kms'), { KmsMasterKeyId: 'alias/aws/sqs' });
    assert.deepEqual(await attributes(kms, ['KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled']), {
      KmsMasterKeyId: 'alias/aws/sqs',
      KmsDataKeyReusePeriodSeconds: '300',
      SqsManagedSseEnabled: 'false',
    });
  });

  it('sets, replaces and removes a Policy, which must be a JSON object', async () => {
    const url = await create(unique('policy'));
    const arn = await arnOf(url);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: arn }],
    });
    await setAttributes(url, { Policy: policy });
    assert.deepEqual(JSON.parse((await attributes(url, ['Policy'])).Policy!), JSON.parse(policy));
    for (const bad of ['not json', '[1]', '"a string"', '{']) {
      await rejects(setAttributes(url, { Policy: bad }), invalidValue('Policy'));
    }
    await setAttributes(url, { Policy: '' });
    assert.deepEqual(await attributes(url, ['Policy']), {});
  });

  describe('RedrivePolicy', () => {
    const redrive = (deadLetterTargetArn: string, maxReceiveCount: unknown) => JSON.stringify({ deadLetterTargetArn, maxReceiveCount });
    const invalid = (value: string, reason: string): ExpectedError => ({
      name: 'InvalidParameterValue',
      message: `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`,
    });

    it('sets a dead-letter queue (maxReceiveCount as number or string) and removes it with an empty value', async () => {
      const dlqArn = await arnOf(await create(unique('dlq')));
      const url = await create(unique('src'));
      await setAttributes(url, { RedrivePolicy: redrive(dlqArn, 1000) });
      assert.deepEqual(JSON.parse((await attributes(url, ['RedrivePolicy'])).RedrivePolicy!), { deadLetterTargetArn: dlqArn, maxReceiveCount: 1000 });
      await setAttributes(url, { RedrivePolicy: redrive(dlqArn, '42') });
      assert.deepEqual(JSON.parse((await attributes(url, ['RedrivePolicy'])).RedrivePolicy!), { deadLetterTargetArn: dlqArn, maxReceiveCount: 42 });
      await setAttributes(url, { RedrivePolicy: '' });
      assert.deepEqual(await attributes(url, ['RedrivePolicy']), {});
      // Also at creation, and idempotently so.
      const name = unique('src');
      const created = await create(name, { RedrivePolicy: redrive(dlqArn, 1) });
      assert.equal(await create(name, { RedrivePolicy: redrive(dlqArn, 1) }), created);
      await rejects(create(name, { RedrivePolicy: redrive(dlqArn, 2) }), {
        name: 'QueueNameExists',
        code: 'QueueAlreadyExists',
        message: 'A queue already exists with the same name and a different value for attribute RedrivePolicy',
      });
    });

    it('refuses a dead-letter queue that does not exist', async () => {
      const url = await create(unique('src'));
      const missing = redrive(`arn:aws:sqs:us-east-1:${ACCOUNT}:no-such-dlq`, 3);
      await rejects(setAttributes(url, { RedrivePolicy: missing }), invalid(missing, 'Dead letter target does not exist.'));
      await rejects(create(unique('src'), { RedrivePolicy: missing }), invalid(missing, 'Dead letter target does not exist.'));
      // A queue of the same name in another region is another queue.
      const elsewhere = redrive(`arn:aws:sqs:eu-west-1:${ACCOUNT}:${new URL(url).pathname.split('/')[2]}`, 3);
      await rejects(setAttributes(url, { RedrivePolicy: elsewhere }), invalid(elsewhere, 'Dead letter target does not exist.'));
      assert.deepEqual(await attributes(url, ['RedrivePolicy']), {});
    });

    it("refuses another account's queue as a dead-letter queue, whatever its policies allow", async () => {
      const victim = await create(unique('victim-dlq'));
      const victimArn = await arnOf(victim);
      await t.sqs.send(new AddPermissionCommand({ QueueUrl: victim, Label: 'all', AWSAccountIds: [OTHER_ACCOUNT], Actions: ['*'] }));
      const { QueueUrl: theirs } = await other.send(new CreateQueueCommand({ QueueName: unique('their-src') }));
      const policy = redrive(victimArn, 1);
      await rejects(
        other.send(new SetQueueAttributesCommand({ QueueUrl: theirs!, Attributes: { RedrivePolicy: policy } })),
        invalid(policy, 'Dead letter target does not exist.'),
      );
    });

    it('refuses a dead-letter queue of the other type (FIFO / standard)', async () => {
      const standardDlq = await arnOf(await create(unique('sdlq')));
      const fifoDlq = await arnOf(await create(unique('fdlq') + '.fifo', { FifoQueue: 'true' }));
      const standard = await create(unique('ssrc'));
      const fifo = await create(unique('fsrc') + '.fifo', { FifoQueue: 'true' });
      const reason = 'Dead-letter queue must be same type of queue as the source.';
      await rejects(setAttributes(standard, { RedrivePolicy: redrive(fifoDlq, 3) }), invalid(redrive(fifoDlq, 3), reason));
      await rejects(setAttributes(fifo, { RedrivePolicy: redrive(standardDlq, 3) }), invalid(redrive(standardDlq, 3), reason));
      await setAttributes(fifo, { RedrivePolicy: redrive(fifoDlq, 3) });
      await setAttributes(standard, { RedrivePolicy: redrive(standardDlq, 3) });
    });

    it('refuses maxReceiveCount outside 1..1000', async () => {
      const dlqArn = await arnOf(await create(unique('dlq')));
      const url = await create(unique('src'));
      for (const count of [0, 1001, -1, 'abc', 1.5]) {
        const value = redrive(dlqArn, count);
        await rejects(
          setAttributes(url, { RedrivePolicy: value }),
          invalid(value, `Invalid value for maxReceiveCount: ${count}, valid values are from 1 to 1000 both inclusive.`),
        );
      }
      await setAttributes(url, { RedrivePolicy: redrive(dlqArn, 1) });
    });

    it('refuses a policy that is not JSON or lacks a member', async () => {
      const dlqArn = await arnOf(await create(unique('dlq')));
      const url = await create(unique('src'));
      for (const value of ['not json', JSON.stringify({ deadLetterTargetArn: dlqArn }), JSON.stringify({ maxReceiveCount: 3 }), '[]']) {
        await rejects(setAttributes(url, { RedrivePolicy: value }), { name: 'InvalidParameterValue', message: /for parameter RedrivePolicy is invalid/ });
      }
    });

    it('honours the dead-letter queue RedriveAllowPolicy', async () => {
      const dlqUrl = await create(unique('dlq'));
      const dlqArn = await arnOf(dlqUrl);
      const source = await create(unique('src'));
      const sourceArn = await arnOf(source);
      await setAttributes(dlqUrl, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
      await rejects(setAttributes(source, { RedrivePolicy: redrive(dlqArn, 3) }), { name: 'InvalidParameterValue', message: /RedrivePolicy is invalid/ });
      await setAttributes(dlqUrl, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [sourceArn] }) });
      assert.deepEqual(JSON.parse((await attributes(dlqUrl, ['RedriveAllowPolicy'])).RedriveAllowPolicy!), {
        redrivePermission: 'byQueue',
        sourceQueueArns: [sourceArn],
      });
      await setAttributes(source, { RedrivePolicy: redrive(dlqArn, 3) });
      const stranger = await create(unique('src'));
      await rejects(setAttributes(stranger, { RedrivePolicy: redrive(dlqArn, 3) }), { name: 'InvalidParameterValue', message: /RedrivePolicy is invalid/ });
      await setAttributes(dlqUrl, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }) });
      await setAttributes(stranger, { RedrivePolicy: redrive(dlqArn, 3) });
      await setAttributes(dlqUrl, { RedriveAllowPolicy: '' });
      assert.deepEqual(await attributes(dlqUrl, ['RedriveAllowPolicy']), {});
    });

    it('refuses malformed RedriveAllowPolicy values', async () => {
      const url = await create(unique('dlq'));
      const arn = await arnOf(url);
      for (const value of [
        'not json',
        JSON.stringify({ redrivePermission: 'sometimes' }),
        JSON.stringify({ redrivePermission: 'byQueue' }),
        JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [] }),
        JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: Array.from({ length: 11 }, () => arn) }),
        JSON.stringify({ redrivePermission: 'allowAll', sourceQueueArns: [arn] }),
      ]) {
        await rejects(setAttributes(url, { RedriveAllowPolicy: value }), {
          name: 'InvalidParameterValue',
          message: new RegExp(`^Value ${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} for parameter RedriveAllowPolicy is invalid\\. Reason: `),
        });
      }
    });
  });
});

describe('PurgeQueue', () => {
  it('deletes every message, then answers PurgeQueueInProgress for 60 seconds', async () => {
    const name = unique('purge');
    const url = await create(name);
    const otherUrl = await create(unique('purge'));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'visible' }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 60 }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'in flight' }));
    await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    await t.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    const a = await attributes(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']);
    assert.deepEqual(a, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '0' });

    const inProgress: ExpectedError = {
      name: 'PurgeQueueInProgress',
      code: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      status: 403,
      message: `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
    };
    await rejects(t.sqs.send(new PurgeQueueCommand({ QueueUrl: url })), inProgress);
    await t.sqs.send(new PurgeQueueCommand({ QueueUrl: otherUrl }));
    // Messages sent after a purge stay.
    await t.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after' }));
    t.clock.advance(59_000);
    await rejects(t.sqs.send(new PurgeQueueCommand({ QueueUrl: url })), inProgress);
    assert.equal((await attributes(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1');
    t.clock.advance(1_000);
    await t.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    assert.equal((await attributes(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '0');
  });
});

describe('TagQueue / UntagQueue / ListQueueTags', () => {
  it('adds, replaces and removes tags; no Tags when there are none', async () => {
    const url = await create(unique('tags'));
    const tags = async () => (await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags;
    assert.equal(await tags(), undefined);
    await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { tag1: 'value1', tag2: 'value2', tag3: '' } }));
    assert.deepEqual(await tags(), { tag1: 'value1', tag2: 'value2', tag3: '' });
    await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { tag1: 'changed' } }));
    assert.deepEqual(await tags(), { tag1: 'changed', tag2: 'value2', tag3: '' });
    await t.sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['tag1', 'tag3', 'never-set'] }));
    assert.deepEqual(await tags(), { tag2: 'value2' });
    await t.sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['tag2'] }));
    assert.equal(await tags(), undefined);
  });

  it('refuses more than 50 tags on a queue', async () => {
    const url = await create(unique('many'));
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: fifty }));
    await rejects(t.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { one: 'more' } })), { name: 'InvalidParameterValue' });
    await rejects(t.sqs.send(new CreateQueueCommand({ QueueName: unique('many'), tags: { ...fifty, one: 'more' } })), {
      name: 'InvalidParameterValue',
    });
    assert.equal(Object.keys((await t.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags!).length, 50);
  });
});

describe('ListDeadLetterSourceQueues', () => {
  it('lists the queues whose RedrivePolicy targets the queue, with pagination', async () => {
    const dlqUrl = await create(unique('dlsq'));
    const dlqArn = await arnOf(dlqUrl);
    const prefix = unique('source');
    const sources: string[] = [];
    for (const n of ['c', 'a', 'b']) {
      sources.push(await create(`${prefix}-${n}`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) }));
    }
    await create(unique('unrelated'));
    const sorted = [...sources].sort();
    const all = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual(all.queueUrls, sorted);
    assert.equal(all.NextToken, undefined);

    const first = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, MaxResults: 2 }));
    assert.deepEqual(first.queueUrls, sorted.slice(0, 2));
    assert.ok(first.NextToken);
    const second = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.queueUrls, sorted.slice(2));
    assert.equal(second.NextToken, undefined);

    await setAttributes(sources[0]!, { RedrivePolicy: '' });
    const after = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual(after.queueUrls, sorted.filter((u) => u !== sources[0]));
    const lonely = await t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: sources[1]! }));
    assert.deepEqual(lonely.queueUrls ?? [], []);
    await rejects(t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, MaxResults: 1001 })), { name: 'InvalidParameterValue' });
  });
});

describe('AddPermission / RemovePermission', () => {
  it('writes the statements into the Policy attribute and removes them by label', async () => {
    const url = await create(unique('perm'));
    const arn = await arnOf(url);
    const policy = async () => {
      const p = (await attributes(url, ['Policy'])).Policy;
      return p === undefined ? undefined : JSON.parse(p);
    };
    await t.sqs.send(
      new AddPermissionCommand({ QueueUrl: url, Label: 'crossaccountpermission', AWSAccountIds: [ACCOUNT, '668614515564'], Actions: ['ReceiveMessage'] }),
    );
    assert.deepEqual(await policy(), {
      Version: '2008-10-17',
      Id: `${arn}/SQSDefaultPolicy`,
      Statement: [
        {
          Sid: 'crossaccountpermission',
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::668614515564:root'] },
          Action: 'SQS:ReceiveMessage',
          Resource: arn,
        },
      ],
    });
    await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'crossaccountpermission' }));
    assert.equal(await policy(), undefined, 'the last statement removed takes the Policy with it');

    await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'first', AWSAccountIds: [ACCOUNT], Actions: ['ReceiveMessage'] }));
    await rejects(
      t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'first', AWSAccountIds: ['668614515564'], Actions: ['ReceiveMessage'] })),
      { name: 'InvalidParameterValue', message: 'Value first for parameter Label is invalid. Reason: Already exists.' },
    );
    await t.sqs.send(
      new AddPermissionCommand({ QueueUrl: url, Label: 'second', AWSAccountIds: [OTHER_ACCOUNT], Actions: ['SendMessage', 'GetQueueUrl'] }),
    );
    const both = await policy();
    assert.deepEqual(
      both.Statement.map((s: any) => [s.Sid, s.Principal.AWS, s.Action]),
      [
        ['first', `arn:aws:iam::${ACCOUNT}:root`, 'SQS:ReceiveMessage'],
        ['second', `arn:aws:iam::${OTHER_ACCOUNT}:root`, ['SQS:SendMessage', 'SQS:GetQueueUrl']],
      ],
    );
    await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'first' }));
    assert.deepEqual((await policy()).Statement.map((s: any) => s.Sid), ['second']);
    await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'second' }));
    await rejects(t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'second' })), {
      name: 'InvalidParameterValue',
      message: "Value second for parameter Label is invalid. Reason: can't find label.",
    });
    assert.equal(await policy(), undefined);
  });

  it('refuses bad labels, accounts and actions', async () => {
    const url = await create(unique('perm'));
    const add = (Label: string, AWSAccountIds: string[], Actions: string[]) =>
      t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label, AWSAccountIds, Actions }));
    await rejects(add('bad label', [ACCOUNT], ['SendMessage']), { name: 'InvalidParameterValue', message: /parameter Label is invalid/ });
    await rejects(add('ok', [ACCOUNT], ['NotAnAction']), { name: 'InvalidParameterValue', message: /NotAnAction/ });
    await rejects(add('ok', ['12345'], ['SendMessage']), { name: 'InvalidParameterValue' });
    assert.deepEqual(await attributes(url, ['Policy']), {});
  });
});

describe('cross-account access', () => {
  it('denies another account until AddPermission grants it, and again after RemovePermission', async () => {
    const name = unique('shared');
    const url = await create(name);
    const denied: ExpectedError = { name: 'AccessDenied', status: 403 };

    // GetQueueUrl answers a queue the caller may not get as a missing one (no queue name of another account can be probed).
    await rejects(other.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: ACCOUNT })), NO_QUEUE);
    await rejects(other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hi' })), {
      ...denied,
      message: `Access to the resource ${url} is denied.`,
    });
    // Without the owner account, GetQueueUrl looks in the caller's own account.
    await rejects(other.send(new GetQueueUrlCommand({ QueueName: name })), NO_QUEUE);
    // The other account's ListQueues lists its own queues only.
    assert.equal((await other.send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls, undefined);

    await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'grant', AWSAccountIds: [OTHER_ACCOUNT], Actions: ['SendMessage', 'GetQueueUrl'] }));
    assert.equal((await other.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: ACCOUNT }))).QueueUrl, url);
    await other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'from the other account' }));
    await other.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'batched' }] }));
    await rejects(other.send(new ReceiveMessageCommand({ QueueUrl: url })), denied);
    await rejects(other.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })), denied);
    const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    assert.deepEqual(got.Messages?.map((m) => m.Body).sort(), ['batched', 'from the other account']);

    await t.sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'grant' }));
    await rejects(other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hi' })), denied);
    await rejects(other.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: ACCOUNT })), NO_QUEUE);
  });

  it('never lets another account manage the queue, even with every action granted', async () => {
    const name = unique('owned');
    const url = await create(name);
    await t.sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'all', AWSAccountIds: [OTHER_ACCOUNT], Actions: ['*'] }));
    await other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'allowed' }));
    assert.equal((await other.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages, '1');
    const denied: ExpectedError = { name: 'AccessDenied', status: 403 };
    await rejects(other.send(new DeleteQueueCommand({ QueueUrl: url })), denied);
    await rejects(other.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '5' } })), denied);
    await rejects(other.send(new TagQueueCommand({ QueueUrl: url, Tags: { a: 'b' } })), denied);
    await rejects(other.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['a'] })), denied);
    await rejects(other.send(new ListQueueTagsCommand({ QueueUrl: url })), denied);
    await rejects(other.send(new AddPermissionCommand({ QueueUrl: url, Label: 'x', AWSAccountIds: [OTHER_ACCOUNT], Actions: ['*'] })), denied);
    await rejects(other.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'all' })), denied);
    assert.equal((await t.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, url);
    // The same name in the other account is its own queue.
    const theirs = await create(name, undefined, other);
    assert.equal(theirs, urlOf(name, OTHER_ACCOUNT));
    assert.notEqual(theirs, url);
  });
});

describe('regions', () => {
  it('keeps each region a separate namespace', async () => {
    const name = unique('regional');
    const url = await create(name);
    const eu = t.sqsClient({ region: 'eu-west-1' });
    try {
      assert.equal((await eu.send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls, undefined);
      await rejects(eu.send(new GetQueueUrlCommand({ QueueName: name })), NO_QUEUE);
      await rejects(eu.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })), NO_QUEUE);
      await rejects(eu.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), NO_QUEUE);

      const euUrl = (await eu.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '7' } }))).QueueUrl!;
      assert.equal(euUrl, url, 'queue URLs carry no region');
      const euAttrs = (await eu.send(new GetQueueAttributesCommand({ QueueUrl: euUrl, AttributeNames: ['QueueArn', 'DelaySeconds'] }))).Attributes;
      assert.deepEqual(euAttrs, { QueueArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`, DelaySeconds: '7' });
      assert.equal((await attributes(url, ['DelaySeconds'])).DelaySeconds, '0');

      await eu.send(new DeleteQueueCommand({ QueueUrl: euUrl }));
      assert.equal((await attributes(url, ['QueueArn'])).QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`);
      // The delete cooldown is per region too.
      assert.equal(await create(name), url);
    } finally {
      eu.destroy();
    }
  });
});

describe('QueueDoesNotExist', () => {
  it('is the answer of every operation on a missing queue', async () => {
    const QueueUrl = urlOf('no-such-queue');
    const ReceiptHandle = 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a';
    const calls: [string, () => Promise<unknown>][] = [
      ['GetQueueUrl', () => t.sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' }))],
      ['DeleteQueue', () => t.sqs.send(new DeleteQueueCommand({ QueueUrl }))],
      ['GetQueueAttributes', () => t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))],
      ['SetQueueAttributes', () => t.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '1' } }))],
      ['PurgeQueue', () => t.sqs.send(new PurgeQueueCommand({ QueueUrl }))],
      ['TagQueue', () => t.sqs.send(new TagQueueCommand({ QueueUrl, Tags: { a: 'b' } }))],
      ['UntagQueue', () => t.sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['a'] }))],
      ['ListQueueTags', () => t.sqs.send(new ListQueueTagsCommand({ QueueUrl }))],
      ['ListDeadLetterSourceQueues', () => t.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl }))],
      ['AddPermission', () => t.sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'l', AWSAccountIds: [ACCOUNT], Actions: ['SendMessage'] }))],
      ['RemovePermission', () => t.sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'l' }))],
      ['SendMessage', () => t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }))],
      ['SendMessageBatch', () => t.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', MessageBody: 'x' }] }))],
      ['ReceiveMessage', () => t.sqs.send(new ReceiveMessageCommand({ QueueUrl }))],
      ['DeleteMessage', () => t.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle }))],
      ['DeleteMessageBatch', () => t.sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', ReceiptHandle }] }))],
      ['ChangeMessageVisibility', () => t.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 5 }))],
      [
        'ChangeMessageVisibilityBatch',
        () => t.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [{ Id: '1', ReceiptHandle, VisibilityTimeout: 5 }] })),
      ],
    ];
    for (const [operation, call] of calls) {
      await assert.rejects(call(), (e: any) => {
        assert.equal(e.name, NO_QUEUE.name, operation);
        assert.equal(e.Code, NO_QUEUE.code, operation);
        assert.equal(e.$metadata?.httpStatusCode, 400, operation);
        assert.equal(e.message, NO_QUEUE.message, operation);
        return true;
      });
    }
  });

  it('is the answer for URLs that name no queue', async () => {
    for (const QueueUrl of [`${t.endpoint}/${ACCOUNT}/`, `${t.endpoint}/not-an-account/q`, `${t.endpoint}/${ACCOUNT}/a/b`, 'nonsense url']) {
      await rejects(t.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })), NO_QUEUE);
    }
  });
});
