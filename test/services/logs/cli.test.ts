/**
 * CloudWatch Logs through the AWS CLI (Debian's /usr/bin/aws, v2.9) as people use it:
 * `aws logs tail` (the last ten minutes by default, or --since), with a filter pattern, and
 * `aws logs filter-log-events`. The CLI measures --since on real time; the test Nimbus's
 * clock starts at real time and is not moved here.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CreateLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, awsJson, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { createGroup, MINUTE, putMessages, withLogs, type LogsTest } from './helpers.js';

async function seed(t: LogsTest): Promise<number> {
  await createGroup(t, 'app', 'web-1');
  await t.logs.send(new CreateLogStreamCommand({ logGroupName: 'app', logStreamName: 'web-2' }));
  const now = t.clock.now();
  await putMessages(t, 'app', 'web-1', ['old line from half an hour ago'], now - 30 * MINUTE);
  await putMessages(t, 'app', 'web-1', ['{"level":"error","msg":"disk full"}'], now - 2 * MINUTE);
  await putMessages(t, 'app', 'web-2', ['{"level":"info","msg":"request served"}'], now - 2 * MINUTE + 500);
  return now;
}

describe('CloudWatch Logs through the AWS CLI', { skip: cliSkip }, () => {
  after(() => removeCliHome());

  test('aws logs tail: the last ten minutes, then --since and --filter-pattern', () =>
    withLogs(async (t) => {
      const now = await seed(t);
      const run = async (args: string[]) => {
        const r = await awsCli(t.endpoint, 'logs', args);
        assert.equal(r.code, 0, `aws logs ${args.join(' ')}: ${r.stderr}`);
        return r.stdout.trim().split('\n').filter((l) => l !== '');
      };
      const recent = await run(['tail', 'app']);
      assert.equal(recent.length, 2, recent.join('\n'));
      const stamp = new Date(now - 2 * MINUTE).toISOString().slice(0, 19);
      assert.match(recent[0]!, new RegExp(`^${stamp}\\.\\d{6}\\+00:00 web-1 \\{"level":"error","msg":"disk full"\\}$`));
      assert.match(recent[1]!, / web-2 \{"level":"info","msg":"request served"\}$/);

      const hour = await run(['tail', 'app', '--since', '1h', '--format', 'short']);
      assert.equal(hour.length, 3, hour.join('\n'));
      assert.match(hour[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d old line from half an hour ago$/);

      const since = await run(['tail', 'app', '--since', new Date(now - 31 * MINUTE).toISOString(), '--filter-pattern', '{ $.level = "error" }']);
      assert.equal(since.length, 1, since.join('\n'));
      assert.match(since[0]!, /disk full/);

      const missing = await awsCli(t.endpoint, 'logs', ['tail', 'nope']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /ResourceNotFoundException.*The specified log group does not exist\./);
    }));

  test('aws logs filter-log-events, with a pattern and stream names', () =>
    withLogs(async (t) => {
      await seed(t);
      const all = await awsJson(t.endpoint, 'logs', ['filter-log-events', '--log-group-name', 'app']);
      assert.deepEqual(
        all.events.map((e: { logStreamName: string }) => e.logStreamName),
        ['web-1', 'web-1', 'web-2'],
      );
      const errors = await awsJson(t.endpoint, 'logs', ['filter-log-events', '--log-group-name', 'app', '--filter-pattern', '{ $.level = "error" }']);
      assert.deepEqual(
        errors.events.map((e: { message: string }) => e.message),
        ['{"level":"error","msg":"disk full"}'],
      );
      const web2 = await awsJson(t.endpoint, 'logs', ['filter-log-events', '--log-group-name', 'app', '--log-stream-names', 'web-2', '--filter-pattern', '"request served"']);
      assert.equal(web2.events.length, 1);
      assert.equal(web2.events[0].logStreamName, 'web-2');
      // The CLI pages with nextToken by itself.
      const paged = await awsJson(t.endpoint, 'logs', ['filter-log-events', '--log-group-name', 'app', '--page-size', '1']);
      assert.equal(paged.events.length, 3);
    }));
});
