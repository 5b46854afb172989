/**
 * FilterLogEvents through the AWS SDK: events of a group's streams interleaved by time, the
 * stream and time selections, filter patterns of each kind, and pagination with nextToken.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateLogStreamCommand, FilterLogEventsCommand, paginateFilterLogEvents, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { createGroup, putMessages, rejectsWith, withLogs, type LogsTest } from './helpers.js';

const filter = (t: LogsTest, input: Partial<FilterLogEventsCommandInput> = {}) => t.logs.send(new FilterLogEventsCommand({ logGroupName: 'g', ...input }));
const messages = (out: { events?: { message?: string }[] }) => (out.events ?? []).map((e) => e.message);

/** Group g with streams a and b; events alternate between them, one millisecond apart from `start`. */
async function twoStreams(t: LogsTest, lines: string[]): Promise<number> {
  await createGroup(t, 'g', 'a');
  await createGroup(t, 'h');
  await t.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 'b' }));
  const start = t.clock.now() - 60_000;
  for (let i = 0; i < lines.length; i++) await putMessages(t, 'g', i % 2 === 0 ? 'a' : 'b', [lines[i]!], start + i);
  return start;
}

describe('FilterLogEvents', () => {
  test("interleaves the group's streams by time, with stream names and event ids", () =>
    withLogs(async (t) => {
      const start = await twoStreams(t, ['one', 'two', 'three']);
      const out = await filter(t);
      assert.deepEqual(
        out.events!.map(({ logStreamName, timestamp, message, ingestionTime }) => ({ logStreamName, timestamp, message, ingestionTime })),
        [
          { logStreamName: 'a', timestamp: start, message: 'one', ingestionTime: t.clock.now() },
          { logStreamName: 'b', timestamp: start + 1, message: 'two', ingestionTime: t.clock.now() },
          { logStreamName: 'a', timestamp: start + 2, message: 'three', ingestionTime: t.clock.now() },
        ],
      );
      const ids = out.events!.map((e) => e.eventId!);
      assert.equal(new Set(ids).size, 3);
      for (const id of ids) assert.match(id, /^\d{56}$/);
      assert.deepEqual(out.searchedLogStreams, []);
      assert.equal(out.nextToken, undefined);
    }));

  test('logStreamNames, logStreamNamePrefix (not both), startTime and endTime (both inclusive)', () =>
    withLogs(async (t) => {
      const start = await twoStreams(t, ['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
      assert.deepEqual(messages(await filter(t, { logStreamNames: ['b'] })), ['e1', 'e3', 'e5']);
      assert.deepEqual(messages(await filter(t, { logStreamNames: ['a', 'missing'] })), ['e0', 'e2', 'e4']);
      assert.deepEqual(messages(await filter(t, { logStreamNamePrefix: 'b' })), ['e1', 'e3', 'e5']);
      assert.deepEqual(messages(await filter(t, { logStreamNamePrefix: 'zzz' })), []);
      assert.deepEqual(messages(await filter(t, { startTime: start + 1, endTime: start + 3 })), ['e1', 'e2', 'e3']);
      await rejectsWith(
        filter(t, { logStreamNames: ['a'], logStreamNamePrefix: 'a' }),
        'InvalidParameterException',
        'Cannot specify both logStreamNames and logStreamNamePrefix.',
      );
      await rejectsWith(filter(t, { logGroupName: 'nope' }), 'ResourceNotFoundException', 'The specified log group does not exist.');
      assert.deepEqual(messages(await filter(t, { logGroupName: 'h' })), []);
    }));

  test('term patterns: words, "phrases", -exclusions, ?alternatives', () =>
    withLogs(async (t) => {
      await twoStreams(t, ['ERROR disk full on /dev/sda', 'WARN slow request', 'ERROR healthcheck failed', 'INFO all good', 'FATAL out of memory']);
      assert.deepEqual(messages(await filter(t, { filterPattern: 'ERROR' })), ['ERROR disk full on /dev/sda', 'ERROR healthcheck failed']);
      assert.deepEqual(messages(await filter(t, { filterPattern: 'ERROR -healthcheck' })), ['ERROR disk full on /dev/sda']);
      assert.deepEqual(messages(await filter(t, { filterPattern: '"slow request"' })), ['WARN slow request']);
      assert.deepEqual(messages(await filter(t, { filterPattern: '?WARN ?FATAL' })), ['WARN slow request', 'FATAL out of memory']);
      assert.deepEqual(messages(await filter(t, { filterPattern: 'error' })), [], 'case-sensitive');
    }));

  test('JSON patterns with comparisons, && and ||', () =>
    withLogs(async (t) => {
      const lines = [
        { level: 'error', latency: 50, path: '/a' },
        { level: 'info', latency: 150, path: '/b' },
        { level: 'error', latency: 500, path: '/c' },
        'not json: level=error',
        { level: 'warn', latency: 99, path: '/d' },
      ].map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
      await twoStreams(t, lines);
      const paths = async (filterPattern: string) => (await filter(t, { filterPattern })).events!.map((e) => (JSON.parse(e.message!) as { path: string }).path);
      assert.deepEqual(await paths('{ $.level = "error" }'), ['/a', '/c']);
      assert.deepEqual(await paths('{ $.latency > 100 }'), ['/b', '/c']);
      assert.deepEqual(await paths('{ $.level = "error" && $.latency > 100 }'), ['/c']);
      assert.deepEqual(await paths('{ $.level = "warn" || $.latency >= 150 }'), ['/b', '/c', '/d']);
      assert.deepEqual(await paths('{ $.path = "/*" && $.level != "error" }'), ['/b', '/d']);
    }));

  test('space-delimited patterns', () =>
    withLogs(async (t) => {
      await twoStreams(t, [
        '10.0.0.1 GET /index.html 200 512',
        '10.0.0.2 GET /missing 404 0',
        '10.0.0.3 POST /api 500 20',
        '10.0.0.4 GET /big 200 4096',
      ]);
      assert.deepEqual(messages(await filter(t, { filterPattern: '[ip, method, path, status = 4* || status = 5*, bytes]' })), [
        '10.0.0.2 GET /missing 404 0',
        '10.0.0.3 POST /api 500 20',
      ]);
      assert.deepEqual(messages(await filter(t, { filterPattern: '[..., status = 200, bytes > 1000]' })), ['10.0.0.4 GET /big 200 4096']);
    }));

  test('an invalid pattern is InvalidParameterException', () =>
    withLogs(async (t) => {
      await twoStreams(t, ['x']);
      await rejectsWith(filter(t, { filterPattern: '{ $.a = 1 ' }), 'InvalidParameterException', "Invalid filter pattern: If a filter pattern starts with '{' it must end with '}'");
      await rejectsWith(filter(t, { filterPattern: '{ $.a > "x" }' }), 'InvalidParameterException', 'Invalid filter pattern');
    }));

  test('limit and nextToken page through all matches; the SDK paginator follows them', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 'a');
      await createGroup(t, 'h');
      const lines = Array.from({ length: 30 }, (_, i) => `${i % 3 === 0 ? 'HIT' : 'miss'} ${i}`);
      await putMessages(t, 'g', 'a', lines, t.clock.now() - 60_000);
      const first = await filter(t, { filterPattern: 'HIT', limit: 4 });
      assert.deepEqual(messages(first), ['HIT 0', 'HIT 3', 'HIT 6', 'HIT 9']);
      assert.ok(first.nextToken);
      const second = await filter(t, { filterPattern: 'HIT', limit: 4, nextToken: first.nextToken });
      assert.deepEqual(messages(second), ['HIT 12', 'HIT 15', 'HIT 18', 'HIT 21']);
      const seen: string[] = [];
      for await (const page of paginateFilterLogEvents({ client: t.logs, pageSize: 3 }, { logGroupName: 'g', filterPattern: 'HIT' })) seen.push(...messages(page).map(String));
      assert.deepEqual(seen, lines.filter((l) => l.startsWith('HIT')));
      await rejectsWith(filter(t, { nextToken: 'not-a-token' }), 'InvalidParameterException', 'The specified nextToken is invalid.');
    }));
});
