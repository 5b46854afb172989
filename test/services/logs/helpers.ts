/**
 * Helpers shared by the CloudWatch Logs tests: an SDK client for a test Nimbus, a Nimbus per
 * test, a group with a stream, and assertions on AWS errors.
 */
import assert from 'node:assert/strict';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, type InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { startTestNimbus, TEST_CREDENTIALS, type TestNimbus, type TestNimbusOptions } from '../../helpers/nimbus.js';

export { ACCOUNT } from '../../helpers/nimbus.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A CloudWatch Logs client for a Nimbus endpoint, with the test credentials and no retries. */
export function logsClient(endpoint: string, opts: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint, region: opts.region ?? 'us-east-1', credentials: opts.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });
}

export interface LogsTest extends TestNimbus {
  logs: CloudWatchLogsClient;
}

/** Runs fn against a fresh Nimbus (a ManualClock starting now unless told) and always stops it. */
export async function withLogs(fn: (t: LogsTest) => Promise<void>, opts?: TestNimbusOptions): Promise<void> {
  const t = await startTestNimbus(opts);
  const logs = logsClient(t.endpoint);
  try {
    await fn(Object.assign(t, { logs }));
  } finally {
    logs.destroy();
    await t.stop();
  }
}

/** Creates a group and, when named, a stream in it. */
export async function createGroup(t: LogsTest, group: string, stream?: string): Promise<void> {
  await t.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  if (stream !== undefined) await t.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

/** PutLogEvents of messages, one millisecond apart from `start` (default: the clock's now). */
export async function putMessages(t: LogsTest, group: string, stream: string, messages: string[], start = t.clock.now()) {
  const logEvents: InputLogEvent[] = messages.map((message, i) => ({ timestamp: start + i, message }));
  return t.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }));
}

/** Asserts that p rejects with the AWS error `name` and, when given, exactly `message` (or one matching it). */
export async function rejectsWith(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `error name (message: ${e.message})`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}
