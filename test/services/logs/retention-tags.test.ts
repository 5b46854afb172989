/**
 * Retention policies (events expire on the Nimbus clock, and their bytes are released by the
 * sweep) and log group tags, by ARN and by name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ACCOUNT, createGroup, DAY, HOUR, putMessages, rejectsWith, withLogs, type LogsTest } from './helpers.js';

/** Moves the Nimbus clock, and the client's signing clock with it (SigV4 allows 15 minutes of skew). */
function advance(t: LogsTest, ms: number): void {
  t.clock.advance(ms);
  t.logs.config.systemClockOffset = t.clock.now() - Date.now();
}

const retention = async (t: LogsTest) => (await t.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'g' }))).logGroups![0]!.retentionInDays;

describe('retention', () => {
  test('PutRetentionPolicy takes the values AWS allows; DeleteRetentionPolicy removes it', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g');
      assert.equal(await retention(t), undefined);
      await t.logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 731 }));
      assert.equal(await retention(t), 731);
      await rejectsWith(
        t.logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 2 })),
        'InvalidParameterException',
        "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: " +
          '[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]',
      );
      assert.equal(await retention(t), 731);
      await t.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'g' }));
      assert.equal(await retention(t), undefined);
      await rejectsWith(t.logs.send(new PutRetentionPolicyCommand({ logGroupName: 'h', retentionInDays: 1 })), 'ResourceNotFoundException', 'The specified log group does not exist.');
      await rejectsWith(t.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'h' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    }));

  test('expired events stop being returned, and the sweep releases their bytes', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g', 's');
      const start = t.clock.now();
      await putMessages(t, 'g', 's', ['old-1', 'old-2'], start - 12 * HOUR);
      await putMessages(t, 'g', 's', ['new-1'], start);
      await t.logs.send(new PutRetentionPolicyCommand({ logGroupName: 'g', retentionInDays: 1 }));
      const get = async () =>
        ((await t.logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', startFromHead: true }))).events ?? []).map((e) => e.message);
      const filter = async () => ((await t.logs.send(new FilterLogEventsCommand({ logGroupName: 'g' }))).events ?? []).map((e) => e.message);
      const stored = async () => (await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: 'g' }))).logStreams![0]!.storedBytes;
      assert.deepEqual(await get(), ['old-1', 'old-2', 'new-1']);
      assert.equal(await stored(), 15);

      // 13 hours on, the two old events are more than a day old.
      advance(t, 13 * HOUR);
      assert.deepEqual(await get(), ['new-1']);
      assert.deepEqual(await filter(), ['new-1']);
      await t.nimbus.store.flush();
      assert.equal(await stored(), 5, 'the sweep deleted the expired events');

      // Removing the policy keeps what is left from expiring.
      await t.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'g' }));
      advance(t, 3 * DAY);
      assert.deepEqual(await get(), ['new-1']);
    }));
});

describe('tags', () => {
  const arn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g`;

  test('TagResource, ListTagsForResource, UntagResource by the group ARN (with or without :*)', () =>
    withLogs(async (t) => {
      await t.logs.send(new CreateLogGroupCommand({ logGroupName: 'g', tags: { team: 'core' } }));
      const tags = async () => (await t.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags;
      assert.deepEqual(await tags(), { team: 'core' });
      await t.logs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'prod', team: 'platform' } }));
      assert.deepEqual(await tags(), { team: 'platform', env: 'prod' });
      await t.logs.send(new UntagResourceCommand({ resourceArn: `${arn}:*`, tagKeys: ['team', 'absent'] }));
      assert.deepEqual(await tags(), { env: 'prod' });
      await rejectsWith(t.logs.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-x` })), 'ResourceNotFoundException', 'The specified log group does not exist.');
      await rejectsWith(
        t.logs.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:logs:us-east-1:${ACCOUNT}:destination:d` })),
        'ResourceNotFoundException',
        'The specified resource does not exist.',
      );
    }));

  test('at most 50 tags; keys and values are checked', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g');
      const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
      await t.logs.send(new TagResourceCommand({ resourceArn: arn, tags: many }));
      await rejectsWith(t.logs.send(new TagResourceCommand({ resourceArn: arn, tags: { one: 'more' } })), 'TooManyTagsException', 'A resource can have no more than 50 tags.');
      await rejectsWith(
        t.logs.send(new TagResourceCommand({ resourceArn: arn, tags: { 'bad*key': 'v' } })),
        'InvalidParameterException',
        "1 validation error detected: Value 'bad*key' at 'tags.bad*key.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$",
      );
      assert.equal(Object.keys((await t.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags!).length, 50);
    }));

  test('the older TagLogGroup, ListTagsLogGroup, UntagLogGroup by name', () =>
    withLogs(async (t) => {
      await createGroup(t, 'g');
      await t.logs.send(new TagLogGroupCommand({ logGroupName: 'g', tags: { a: '1', b: '2' } }));
      await t.logs.send(new UntagLogGroupCommand({ logGroupName: 'g', tags: ['a'] }));
      assert.deepEqual((await t.logs.send(new ListTagsLogGroupCommand({ logGroupName: 'g' }))).tags, { b: '2' });
      assert.deepEqual((await t.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { b: '2' });
      await rejectsWith(t.logs.send(new ListTagsLogGroupCommand({ logGroupName: 'nope' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    }));
});
