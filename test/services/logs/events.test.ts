/**
 * PutLogEvents and GetLogEvents through the AWS SDK: the batch rules (order, sizes, span),
 * events set aside as too old or too new, and GetLogEvents' paging from either end with
 * forward and backward tokens, on the Nimbus clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GetLogEventsCommand, paginateGetLogEvents, PutLogEventsCommand, PutRetentionPolicyCommand, type GetLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { ACCOUNT, createGroup, DAY, HOUR, rejectsWith, withLogs, type LogsTest } from './helpers.js';

const put = (t: LogsTest, logEvents: { timestamp: number; message: string }[], logStreamName = 's') =>
  t.logs.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName, logEvents }));

const get = (t: LogsTest, input: Partial<GetLogEventsCommandInput> = {}) => t.logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', ...input }));

const messages = (out: { events?: { message?: string }[] }) => (out.events ?? []).map((e) => e.message);

describe('PutLogEvents', () => {
  test('stores events; GetLogEvents returns them with their ingestion time', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      const now = t.clock.now();
      const out = await put(t, [
        { timestamp: now - 2000, message: 'first' },
        { timestamp: now - 1000, message: 'second' },
      ]);
      assert.equal(out.nextSequenceToken, '1'.padStart(56, '0'));
      assert.equal(out.rejectedLogEventsInfo, undefined);
      t.clock.advance(500);
      const { events } = await get(t, { startFromHead: true });
      assert.deepEqual(events, [
        { timestamp: now - 2000, message: 'first', ingestionTime: now },
        { timestamp: now - 1000, message: 'second', ingestionTime: now },
      ]);
    }));

  test('events of one timestamp keep the order they were put in, across calls', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      const ts = t.clock.now();
      await put(t, [{ timestamp: ts, message: 'a' }, { timestamp: ts, message: 'b' }]);
      await put(t, [{ timestamp: ts - 1, message: 'earlier' }, { timestamp: ts, message: 'c' }]);
      assert.deepEqual(messages(await get(t, { startFromHead: true })), ['earlier', 'a', 'b', 'c']);
    }));

  test('the batch rules, worded as AWS words them', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      const now = t.clock.now();
      await rejectsWith(
        put(t, [{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }]),
        'InvalidParameterException',
        'Log events in a single PutLogEvents request must be in chronological order.',
      );
      await rejectsWith(
        put(t, [{ timestamp: now - DAY - 1, message: 'a' }, { timestamp: now, message: 'b' }]),
        'InvalidParameterException',
        'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
      );
      await rejectsWith(
        put(t, [{ timestamp: now, message: 'x'.repeat(262_144 - 26 + 1) }]),
        'InvalidParameterException',
        'Log event too large: 262145 bytes exceeds limit of 262144',
      );
      // Five events of 256 KiB (with their 26 bytes) are more than 1 MiB.
      const big = Array.from({ length: 5 }, (_, i) => ({ timestamp: now + i, message: 'y'.repeat(262_144 - 26) }));
      await rejectsWith(put(t, big), 'InvalidParameterException', `Upload too large: ${5 * 262_144} bytes exceeds limit of 1048576`);
      await rejectsWith(
        put(t, Array.from({ length: 10_001 }, () => ({ timestamp: now, message: 'z' }))),
        'InvalidParameterException',
        "1 validation error detected: Value '[...]' at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000",
      );
      await rejectsWith(
        put(t, []),
        'InvalidParameterException',
        "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      await rejectsWith(
        put(t, [{ timestamp: now, message: '' }]),
        'InvalidParameterException',
        "1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      await rejectsWith(
        put(t, [{ timestamp: now } as never]),
        'InvalidParameterException',
        "1 validation error detected: Value null at 'logEvents.1.member.message' failed to satisfy constraint: Member must not be null",
      );
      // 10,000 events are allowed; nothing of the refused batches was stored.
      await put(t, Array.from({ length: 10_000 }, (_, i) => ({ timestamp: now + i, message: `m${i}` })));
      const { events } = await get(t, { startFromHead: true, limit: 3 });
      assert.deepEqual(messages({ events }), ['m0', 'm1', 'm2']);
    }));

  test('events too old, expired or too new are set aside; the rest are stored', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      const now = t.clock.now();
      const out = await put(t, [
        { timestamp: now - 15 * DAY, message: 'too old' },
        { timestamp: now - 14 * DAY - 1, message: 'too old too' },
        { timestamp: now - 1000, message: 'ok 1' },
        { timestamp: now + 2 * HOUR, message: 'ok 2 (just in time)' },
        { timestamp: now + 2 * HOUR + 1, message: 'too new' },
      ]);
      assert.deepEqual(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 });
      assert.deepEqual(messages(await get(t, { startFromHead: true })), ['ok 1', 'ok 2 (just in time)']);
    }));

  test('with a retention policy, events older than it are expired', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      await t.logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 1 }));
      const now = t.clock.now();
      const out = await put(t, [
        { timestamp: now - 20 * DAY, message: 'too old' },
        { timestamp: now - 3 * DAY, message: 'expired' },
        { timestamp: now - 1, message: 'kept' },
      ]);
      assert.deepEqual(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 2 });
      assert.deepEqual(messages(await get(t)), ['kept']);
    }));

  test('a missing group or stream is ResourceNotFoundException', () =>
    withLogs(async (t) => {
      await rejectsWith(put(t, [{ timestamp: t.clock.now(), message: 'x' }]), 'ResourceNotFoundException', 'The specified log group does not exist.');
      await createGroup(t, 'g');
      await rejectsWith(put(t, [{ timestamp: t.clock.now(), message: 'x' }]), 'ResourceNotFoundException', 'The specified log stream does not exist.');
      await rejectsWith(get(t), 'ResourceNotFoundException', 'The specified log stream does not exist.');
    }));
});

describe('GetLogEvents', () => {
  /** A stream with events m0..m{n-1}, one second apart, the last one a second ago. */
  async function stream(t: LogsTest, n: number): Promise<number> {
    await createGroup(t, 'g', 's');
    const start = t.clock.now() - n * 1000;
    await put(
      t,
      Array.from({ length: n }, (_, i) => ({ timestamp: start + i * 1000, message: `m${i}` })),
    );
    return start;
  }

  test('without a token: the newest events, or the oldest with startFromHead', () =>
    withLogs(async (t) => {
      await stream(t, 10);
      assert.deepEqual(messages(await get(t, { limit: 3 })), ['m7', 'm8', 'm9']);
      assert.deepEqual(messages(await get(t, { limit: 3, startFromHead: true })), ['m0', 'm1', 'm2']);
      assert.deepEqual(messages(await get(t)).length, 10);
    }));

  test('forward tokens page on; the same token comes back when there is nothing new', () =>
    withLogs(async (t) => {
      await stream(t, 5);
      const p1 = await get(t, { limit: 2, startFromHead: true });
      assert.match(p1.nextForwardToken!, /^f\/\d{56}\/s$/);
      assert.match(p1.nextBackwardToken!, /^b\/\d{56}\/s$/);
      const p2 = await get(t, { limit: 2, nextToken: p1.nextForwardToken });
      assert.deepEqual(messages(p2), ['m2', 'm3']);
      const p3 = await get(t, { limit: 2, nextToken: p2.nextForwardToken });
      assert.deepEqual(messages(p3), ['m4']);
      const p4 = await get(t, { limit: 2, nextToken: p3.nextForwardToken });
      assert.deepEqual(messages(p4), []);
      assert.equal(p4.nextForwardToken, p3.nextForwardToken);
      // New events show up behind the token.
      await put(t, [{ timestamp: t.clock.now(), message: 'new' }]);
      const p5 = await get(t, { nextToken: p4.nextForwardToken });
      assert.deepEqual(messages(p5), ['new']);
    }));

  test('backward tokens page toward the start, each page in ascending order', () =>
    withLogs(async (t) => {
      await stream(t, 5);
      const last = await get(t, { limit: 2 });
      assert.deepEqual(messages(last), ['m3', 'm4']);
      const before = await get(t, { limit: 2, nextToken: last.nextBackwardToken });
      assert.deepEqual(messages(before), ['m1', 'm2']);
      const first = await get(t, { limit: 2, nextToken: before.nextBackwardToken });
      assert.deepEqual(messages(first), ['m0']);
      const none = await get(t, { limit: 2, nextToken: first.nextBackwardToken });
      assert.deepEqual(messages(none), []);
      assert.equal(none.nextBackwardToken, first.nextBackwardToken);
      // ... and forward again from the start.
      assert.deepEqual(messages(await get(t, { limit: 2, nextToken: none.nextForwardToken })), ['m0', 'm1']);
    }));

  test('the SDK paginator reads a stream to its end (stopOnSameToken)', () =>
    withLogs(async (t) => {
      await stream(t, 25);
      const seen: string[] = [];
      for await (const page of paginateGetLogEvents({ client: t.logs, pageSize: 10, stopOnSameToken: true }, { logGroupName: 'g', logStreamName: 's', startFromHead: true })) {
        seen.push(...messages(page).map(String));
      }
      assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `m${i}`));
    }));

  test('startTime is inclusive, endTime exclusive', () =>
    withLogs(async (t) => {
      const start = await stream(t, 6);
      const out = await get(t, { startTime: start + 1000, endTime: start + 4000, startFromHead: true });
      assert.deepEqual(messages(out), ['m1', 'm2', 'm3']);
    }));

  test('by logGroupIdentifier; bad tokens and limits are InvalidParameterException', () =>
    withLogs(async (t) => {
      await stream(t, 2);
      const byArn = await t.logs.send(
        new GetLogEventsCommand({ logGroupIdentifier: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g`, logStreamName: 's', startFromHead: true }),
      );
      assert.deepEqual(messages(byArn), ['m0', 'm1']);
      await rejectsWith(get(t, { nextToken: 'f/123' }), 'InvalidParameterException', 'The specified nextToken is invalid.');
      await rejectsWith(
        get(t, { limit: 10_001 }),
        'InvalidParameterException',
        "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
      );
    }));

  test('a page holds at most 1 MB of events', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      const now = t.clock.now();
      const big = 'x'.repeat(200_000);
      for (let i = 0; i < 3; i++) await put(t, Array.from({ length: 3 }, (_, j) => ({ timestamp: now + i * 3 + j, message: `${i * 3 + j}${big}` })));
      const page = await get(t, { startFromHead: true });
      assert.equal(page.events!.length, 5, '5 events of ~200 KB fit in 1 MB, 6 do not');
      const rest = await get(t, { nextToken: page.nextForwardToken });
      assert.deepEqual(
        rest.events!.map((e) => e.message!.slice(0, 1)),
        ['5', '6', '7', '8'],
      );
    }));
});
