/**
 * Log groups and streams through the AWS SDK: create, describe (prefixes, patterns, order,
 * pagination), delete, and the errors AWS answers, worded as AWS words them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  paginateDescribeLogGroups,
  paginateDescribeLogStreams,
  PutLogEventsCommand,
  type DescribeLogGroupsCommandInput,
  type DescribeLogStreamsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { ACCOUNT, createGroup, logsClient, putMessages, rejectsWith, withLogs } from './helpers.js';

const NO_GROUP = 'The specified log group does not exist.';
const NO_STREAM = 'The specified log stream does not exist.';

describe('log groups', () => {
  test('CreateLogGroup and DescribeLogGroups: every field AWS returns', () =>
    withLogs(async (t) => {
      await t.logs.send(new CreateLogGroupCommand({ logGroupName: '/app/web' }));
      const { logGroups } = await t.logs.send(new DescribeLogGroupsCommand({}));
      assert.deepEqual(logGroups, [
        {
          logGroupName: '/app/web',
          creationTime: t.clock.now(),
          metricFilterCount: 0,
          arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/web:*`,
          storedBytes: 0,
          logGroupClass: 'STANDARD',
          logGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/web`,
        },
      ]);
    }));

  test('a second CreateLogGroup of the name is ResourceAlreadyExistsException', () =>
    withLogs(async (t) => {
      await createGroup(t, 'dup');
      await rejectsWith(t.logs.send(new CreateLogGroupCommand({ logGroupName: 'dup' })), 'ResourceAlreadyExistsException', 'The specified log group already exists');
    }));

  test('names are checked as AWS checks them', () =>
    withLogs(async (t) => {
      await rejectsWith(
        t.logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name' })),
        'InvalidParameterException',
        "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
      );
      await rejectsWith(
        t.logs.send(new CreateLogGroupCommand({ logGroupName: 'x'.repeat(513) })),
        'InvalidParameterException',
        `1 validation error detected: Value '${'x'.repeat(513)}' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512`,
      );
      await rejectsWith(t.logs.send(new CreateLogGroupCommand({ logGroupName: 'aws/mine' })), 'InvalidParameterException', 'Log groups starting with AWS/ are reserved for AWS.');
      await rejectsWith(
        t.logs.send(new CreateLogGroupCommand({} as never)),
        'InvalidParameterException',
        "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null",
      );
      await rejectsWith(
        t.logs.send(new CreateLogGroupCommand({ logGroupName: 'ok', logGroupClass: 'CHEAP' as never })),
        'InvalidParameterException',
        "1 validation error detected: Value 'CHEAP' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]",
      );
      assert.deepEqual((await t.logs.send(new DescribeLogGroupsCommand({}))).logGroups, []);
    }));

  test('logGroupNamePrefix, logGroupNamePattern (case-insensitive), and not both', () =>
    withLogs(async (t) => {
      for (const name of ['/aws/lambda/Orders', '/aws/lambda/users', '/ecs/orders-api', 'other']) await createGroup(t, name);
      const names = async (input: DescribeLogGroupsCommandInput) =>
        ((await t.logs.send(new DescribeLogGroupsCommand(input))).logGroups ?? []).map((g) => g.logGroupName);
      assert.deepEqual(await names({ logGroupNamePrefix: '/aws/lambda/' }), ['/aws/lambda/Orders', '/aws/lambda/users']);
      assert.deepEqual(await names({ logGroupNamePattern: 'ORDERS' }), ['/aws/lambda/Orders', '/ecs/orders-api']);
      assert.deepEqual(await names({ logGroupNamePrefix: '/nothing' }), []);
      await rejectsWith(
        t.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws', logGroupNamePattern: 'x' })),
        'InvalidParameterException',
        'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
      );
    }));

  test('DescribeLogGroups pages by name with nextToken; limit is 1..50', () =>
    withLogs(async (t) => {
      const all = Array.from({ length: 7 }, (_, i) => `g-${String.fromCharCode(103 - i)}`); // g-g .. g-a, created out of order
      for (const name of all) await createGroup(t, name);
      const first = await t.logs.send(new DescribeLogGroupsCommand({ limit: 3 }));
      assert.deepEqual(first.logGroups!.map((g) => g.logGroupName), ['g-a', 'g-b', 'g-c']);
      assert.ok(first.nextToken);
      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeLogGroups({ client: t.logs, pageSize: 3 }, {})) {
        pages++;
        seen.push(...page.logGroups!.map((g) => g.logGroupName!));
      }
      assert.deepEqual(seen, [...all].sort());
      assert.equal(pages, 3);
      await rejectsWith(
        t.logs.send(new DescribeLogGroupsCommand({ limit: 51 })),
        'InvalidParameterException',
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
      );
      await rejectsWith(t.logs.send(new DescribeLogGroupsCommand({ nextToken: 'garbage' })), 'InvalidParameterException', 'The specified nextToken is invalid.');
    }));

  test('DeleteLogGroup removes the group, its streams and events', () =>
    withLogs(async (t) => {
      await createGroup(t, 'gone', 's');
      await putMessages(t, 'gone', 's', ['a', 'b']);
      await t.logs.send(new DeleteLogGroupCommand({ logGroupName: 'gone' }));
      assert.deepEqual((await t.logs.send(new DescribeLogGroupsCommand({}))).logGroups, []);
      await rejectsWith(t.logs.send(new DeleteLogGroupCommand({ logGroupName: 'gone' })), 'ResourceNotFoundException', NO_GROUP);
      // A new group of the same name starts empty.
      await createGroup(t, 'gone');
      assert.deepEqual((await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'gone' }))).logStreams, []);
    }));

  test('groups belong to their account and region', () =>
    withLogs(async (t) => {
      await createGroup(t, 'regional');
      const eu = logsClient(t.endpoint, { region: 'eu-west-1' });
      try {
        assert.deepEqual((await eu.send(new DescribeLogGroupsCommand({}))).logGroups, []);
        await eu.send(new CreateLogGroupCommand({ logGroupName: 'regional' }));
        const [g] = (await eu.send(new DescribeLogGroupsCommand({}))).logGroups!;
        assert.equal(g!.arn, `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:regional:*`);
      } finally {
        eu.destroy();
      }
    }));
});

describe('log streams', () => {
  test('CreateLogStream, DescribeLogStreams fields, duplicates and missing groups', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 'first');
      const [s] = (await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g' }))).logStreams!;
      assert.deepEqual(s, {
        logStreamName: 'first',
        creationTime: t.clock.now(),
        arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g:log-stream:first`,
        storedBytes: 0,
      });
      await rejectsWith(
        t.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'first' })),
        'ResourceAlreadyExistsException',
        'The specified log stream already exists',
      );
      await rejectsWith(t.logs.send(new CreateLogStreamCommand({ logGroupName: 'nope', logStreamName: 'x' })), 'ResourceNotFoundException', NO_GROUP);
      await rejectsWith(
        t.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'a:b' })),
        'InvalidParameterException',
        "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*",
      );
      await rejectsWith(t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'nope' })), 'ResourceNotFoundException', NO_GROUP);
    }));

  test('event statistics: first/last event, last ingestion, stored bytes', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      const now = t.clock.now();
      await putMessages(t, 'g', 's', ['hello', 'wörld'], now - 5000);
      t.clock.advance(1000);
      await putMessages(t, 'g', 's', ['later'], now - 10_000);
      const [s] = (await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g' }))).logStreams!;
      assert.equal(s!.firstEventTimestamp, now - 10_000);
      assert.equal(s!.lastEventTimestamp, now - 4999);
      assert.equal(s!.lastIngestionTime, now + 1000);
      assert.equal(s!.storedBytes, 5 + 6 + 5);
      assert.equal(s!.uploadSequenceToken, '2'.padStart(56, '0'));
      const [g] = (await t.logs.send(new DescribeLogGroupsCommand({}))).logGroups!;
      assert.equal(g!.storedBytes, 16);
    }));

  test('order by name or by last event time, ascending or descending, with pagination', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g');
      const now = t.clock.now();
      // Streams named in one order, with last events in another; 'e' never gets an event.
      const lastEvent: Record<string, number> = { a: 30, b: 10, c: 50, d: 20 };
      for (const name of ['c', 'a', 'e', 'd', 'b']) await t.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: name }));
      for (const [name, ago] of Object.entries(lastEvent)) await putMessages(t, 'g', name, ['x'], now - ago * 1000);
      const list = async (input: Omit<DescribeLogStreamsCommandInput, 'logGroupName'>, pageSize = 2) => {
        const out: string[] = [];
        for await (const page of paginateDescribeLogStreams({ client: t.logs, pageSize }, { logGroupName: 'g', ...input })) {
          out.push(...page.logStreams!.map((s) => s.logStreamName!));
        }
        return out;
      };
      assert.deepEqual(await list({}), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(await list({ descending: true }), ['e', 'd', 'c', 'b', 'a']);
      assert.deepEqual(await list({ orderBy: 'LastEventTime' }), ['e', 'c', 'a', 'd', 'b']);
      assert.deepEqual(await list({ orderBy: 'LastEventTime', descending: true }, 3), ['b', 'd', 'a', 'c', 'e']);
      assert.deepEqual(await list({ logStreamNamePrefix: 'c' }), ['c']);
      await rejectsWith(
        t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g', orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })),
        'InvalidParameterException',
        'Cannot order by LastEventTime with a logStreamNamePrefix.',
      );
      await rejectsWith(
        t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g', orderBy: 'Size' as never })),
        'InvalidParameterException',
        "1 validation error detected: Value 'Size' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]",
      );
    }));

  test('DescribeLogStreams by logGroupIdentifier (name or ARN without :*), not with logGroupName', () =>
    withLogs(async (t) => {
      await createGroup(t, 'ident', 's1');
      const arn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:ident`;
      for (const logGroupIdentifier of ['ident', arn]) {
        const { logStreams } = await t.logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier }));
        assert.deepEqual(logStreams!.map((s) => s.logStreamName), ['s1'], logGroupIdentifier);
      }
      await rejectsWith(
        t.logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: `${arn}:*` })),
        'InvalidParameterException',
        `1 validation error detected: Value '${arn}:*' at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*`,
      );
      await rejectsWith(t.logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: `${arn}x` })), 'ResourceNotFoundException', NO_GROUP);
      await rejectsWith(
        t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ident', logGroupIdentifier: arn })),
        'InvalidParameterException',
        'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
      );
    }));

  test('DeleteLogStream removes the stream and its events', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      await putMessages(t, 'g', 's', ['one']);
      await t.logs.send(new DeleteLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }));
      assert.deepEqual((await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g' }))).logStreams, []);
      await rejectsWith(t.logs.send(new DeleteLogStreamCommand({ logGroupName: 'g', logStreamName: 's' })), 'ResourceNotFoundException', NO_STREAM);
      await rejectsWith(t.logs.send(new DeleteLogStreamCommand({ logGroupName: 'h', logStreamName: 's' })), 'ResourceNotFoundException', NO_GROUP);
      await rejectsWith(
        t.logs.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: t.clock.now(), message: 'x' }] })),
        'ResourceNotFoundException',
        NO_STREAM,
      );
      const [g] = (await t.logs.send(new DescribeLogGroupsCommand({}))).logGroups!;
      assert.equal(g!.storedBytes, 0);
    }));
});
