/**
 * Accounts are walls: a second account's keys, naming the first account's resources by ARN,
 * are refused as AWS refuses them, and nothing of the first account changes.
 *
 * The matrix is a list of rows, one per operation that takes such an identifier; a service
 * that resolves resources by ARN adds its rows here (the isolation issue grows this into
 * every operation of every service, by every identifier form).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TagResourceCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  PutLogEventsCommand,
  TagResourceCommand as TagLogResourceCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { createTable, dynamoClient } from '../helpers/dynamodb.js';
import { ACCOUNT, startTestNimbus, TEST_CREDENTIALS, type TestNimbus } from '../helpers/nimbus.js';
import { logsClient } from '../services/logs/helpers.js';

const OTHER = { accessKeyId: 'intruder', secretAccessKey: 'intruder-secret' };
const OTHER_ACCOUNT = '222222222222';

interface Refusal {
  name: string;
  message?: RegExp;
}

async function refused(p: Promise<unknown>, want: Refusal, row: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, want.name, `${row}: ${e.name}: ${e.message}`);
    if (want.message) assert.match(e.message, want.message, row);
    return true;
  });
}

describe('cross-account: DynamoDB tables by ARN', () => {
  let t: TestNimbus;
  let owner: DynamoDBClient;
  let intruder: DynamoDBClient;
  const arn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/secrets`;
  const missingArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/no-such-table`;
  const key = { pk: { S: 'k' } };

  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] });
    owner = dynamoClient(t.endpoint);
    intruder = dynamoClient(t.endpoint, { credentials: OTHER });
    await createTable(owner, 'secrets', { range: false });
    await owner.send(new PutItemCommand({ TableName: 'secrets', Item: { ...key, v: { S: 'owner' } } }));
  });
  after(async () => {
    owner.destroy();
    intruder.destroy();
    await t.stop();
  });

  /** One row per operation that takes a table by ARN, each with its action name as AWS words the refusal. */
  const rows: Array<[string, (c: DynamoDBClient, table: string) => Promise<unknown>]> = [
    ['GetItem', (c, T) => c.send(new GetItemCommand({ TableName: T, Key: key }))],
    ['PutItem', (c, T) => c.send(new PutItemCommand({ TableName: T, Item: { ...key, v: { S: 'intruder' } } }))],
    ['UpdateItem', (c, T) => c.send(new UpdateItemCommand({ TableName: T, Key: key, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } }))],
    ['DeleteItem', (c, T) => c.send(new DeleteItemCommand({ TableName: T, Key: key }))],
    ['Query', (c, T) => c.send(new QueryCommand({ TableName: T, KeyConditionExpression: 'pk = :k', ExpressionAttributeValues: { ':k': { S: 'k' } } }))],
    ['Scan', (c, T) => c.send(new ScanCommand({ TableName: T }))],
    ['BatchGetItem', (c, T) => c.send(new BatchGetItemCommand({ RequestItems: { [T]: { Keys: [key] } } }))],
    ['BatchWriteItem', (c, T) => c.send(new BatchWriteItemCommand({ RequestItems: { [T]: [{ DeleteRequest: { Key: key } }] } }))],
    ['TransactGetItems', (c, T) => c.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: T, Key: key } }] }))],
    ['TransactWriteItems', (c, T) => c.send(new TransactWriteItemsCommand({ TransactItems: [{ Delete: { TableName: T, Key: key } }] }))],
    ['DescribeTable', (c, T) => c.send(new DescribeTableCommand({ TableName: T }))],
    ['UpdateTable', (c, T) => c.send(new UpdateTableCommand({ TableName: T, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }))],
    ['DescribeTimeToLive', (c, T) => c.send(new DescribeTimeToLiveCommand({ TableName: T }))],
    ['UpdateTimeToLive', (c, T) => c.send(new UpdateTimeToLiveCommand({ TableName: T, TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }))],
    ['TagResource', (c, T) => c.send(new TagResourceCommand({ ResourceArn: T, Tags: [{ Key: 'owned', Value: 'yes' }] }))],
    ['ListTagsOfResource', (c, T) => c.send(new ListTagsOfResourceCommand({ ResourceArn: T }))],
    ['DeleteTable', (c, T) => c.send(new DeleteTableCommand({ TableName: T }))],
  ];

  test('every operation by ARN is refused with AccessDeniedException, for tables that exist and that do not', async () => {
    for (const [op, make] of rows) {
      for (const target of [arn, missingArn]) {
        const message = new RegExp(`not authorized to perform: dynamodb:${op} on resource: ${target.replace(/[/.]/g, '\\$&')} because`);
        await refused(make(intruder, target), { name: 'AccessDeniedException', message }, `${op} ${target}`);
      }
    }
  });

  test('nothing of the owner changed, and the owner still reaches the table by ARN', async () => {
    const got = await owner.send(new GetItemCommand({ TableName: arn, Key: key }));
    assert.deepEqual(got.Item, { ...key, v: { S: 'owner' } });
    const table = (await owner.send(new DescribeTableCommand({ TableName: arn }))).Table!;
    assert.equal(table.TableStatus, 'ACTIVE');
    assert.equal(table.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(table.ItemCount ?? 1, 1);
    assert.deepEqual((await owner.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags ?? [], []);
    assert.equal((await owner.send(new DescribeTimeToLiveCommand({ TableName: arn }))).TimeToLiveDescription?.TimeToLiveStatus, 'DISABLED');
  });

  test("a table ARN of the caller's own account in another region is not found", async () => {
    await refused(owner.send(new GetItemCommand({ TableName: arn.replace('us-east-1', 'eu-west-1'), Key: key })), { name: 'ResourceNotFoundException' }, 'other region');
  });
});

describe('cross-account: CloudWatch Logs groups by ARN', () => {
  let t: TestNimbus;
  let owner: CloudWatchLogsClient;
  let intruder: CloudWatchLogsClient;
  const groupArn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/private`;

  before(async () => {
    t = await startTestNimbus({ credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] });
    owner = logsClient(t.endpoint);
    intruder = logsClient(t.endpoint, { credentials: OTHER });
    await owner.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/private' }));
    await owner.send(new CreateLogStreamCommand({ logGroupName: '/aws/lambda/private', logStreamName: 's' }));
    await owner.send(new PutLogEventsCommand({ logGroupName: '/aws/lambda/private', logStreamName: 's', logEvents: [{ timestamp: t.clock.now(), message: 'the secret' }] }));
  });
  after(async () => {
    owner.destroy();
    intruder.destroy();
    await t.stop();
  });

  const NOT_FOUND = { name: 'ResourceNotFoundException', message: /^The specified log group does not exist\.$/ };

  test('reads by logGroupIdentifier (an ARN) find nothing of another account', async () => {
    for (const id of [groupArn, groupArn.replace('private', 'missing')]) {
      await refused(intruder.send(new GetLogEventsCommand({ logGroupIdentifier: id, logStreamName: 's' })), NOT_FOUND, `GetLogEvents ${id}`);
      await refused(intruder.send(new FilterLogEventsCommand({ logGroupIdentifier: id })), NOT_FOUND, `FilterLogEvents ${id}`);
      await refused(intruder.send(new DescribeLogStreamsCommand({ logGroupIdentifier: id })), NOT_FOUND, `DescribeLogStreams ${id}`);
    }
  });

  test('tags by ARN are refused the same way, and the owner still reads its events by ARN', async () => {
    await refused(intruder.send(new TagLogResourceCommand({ resourceArn: groupArn, tags: { owned: 'yes' } })), NOT_FOUND, 'TagResource');
    await refused(intruder.send(new ListTagsForResourceCommand({ resourceArn: groupArn })), NOT_FOUND, 'ListTagsForResource');
    const events = await owner.send(new GetLogEventsCommand({ logGroupIdentifier: groupArn, logStreamName: 's' }));
    assert.deepEqual(events.events?.map((e) => e.message), ['the secret']);
    assert.deepEqual((await owner.send(new ListTagsForResourceCommand({ resourceArn: groupArn }))).tags ?? {}, {});
  });
});
