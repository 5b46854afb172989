/**
 * The cross-account matrix for CloudWatch Logs (see cross-account-helpers.ts): every operation
 * on the owner's log group, by ARN where the operation takes an identifier or ARN (an identifier
 * ending `:*` fails the model's pattern before any lookup), and by name (a name is the caller's own group). Logs answers another
 * account's group as a missing one: ResourceNotFoundException "The specified log group does not
 * exist." (without cross-account observability, which Nimbus does not offer).
 */
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import type { TestNimbus } from '../helpers/nimbus.js';
import { logsClient } from '../services/logs/helpers.js';
import { ACCOUNT, INTRUDER, runMatrix, startMatrixNimbus, type Refusal, type Row } from './cross-account-helpers.js';

interface F {
  t: TestNimbus;
  owner: CloudWatchLogsClient;
  intruder: CloudWatchLogsClient;
}

const GROUP = '/aws/lambda/private';
const ARN = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${GROUP}`;
const MISSING_ARN = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/missing`;
const NO_GROUP: Refusal = { name: 'ResourceNotFoundException', message: /^The specified log group does not exist\.$/ };

/** Operations taking a logGroupIdentifier: by ARN, by a missing ARN, and by name. */
const identifierCalls: Array<[string, (c: CloudWatchLogsClient, id: string) => Promise<unknown>]> = [
  ['GetLogEvents', (c, id) => c.send(new GetLogEventsCommand({ logGroupIdentifier: id, logStreamName: 's' }))],
  ['FilterLogEvents', (c, id) => c.send(new FilterLogEventsCommand({ logGroupIdentifier: id }))],
  ['DescribeLogStreams', (c, id) => c.send(new DescribeLogStreamsCommand({ logGroupIdentifier: id }))],
];
/** Operations taking a resourceArn. */
const arnCalls: Array<[string, (c: CloudWatchLogsClient, arn: string) => Promise<unknown>]> = [
  ['TagResource', (c, arn) => c.send(new TagResourceCommand({ resourceArn: arn, tags: { owned: 'yes' } }))],
  ['UntagResource', (c, arn) => c.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }))],
  ['ListTagsForResource', (c, arn) => c.send(new ListTagsForResourceCommand({ resourceArn: arn }))],
];
/** Operations taking only a logGroupName: a name is the caller's own group, which the intruder does not have. */
const nameCalls: Array<[string, (c: CloudWatchLogsClient, f: F) => Promise<unknown>]> = [
  ['DeleteLogGroup', (c) => c.send(new DeleteLogGroupCommand({ logGroupName: GROUP }))],
  ['PutRetentionPolicy', (c) => c.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 1 }))],
  ['DeleteRetentionPolicy', (c) => c.send(new DeleteRetentionPolicyCommand({ logGroupName: GROUP }))],
  ['CreateLogStream', (c) => c.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 'intruder' }))],
  ['DeleteLogStream', (c) => c.send(new DeleteLogStreamCommand({ logGroupName: GROUP, logStreamName: 's' }))],
  ['PutLogEvents', (c, f) => c.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 's', logEvents: [{ timestamp: f.t.clock.now(), message: 'forged' }] }))],
  ['TagLogGroup', (c) => c.send(new TagLogGroupCommand({ logGroupName: GROUP, tags: { owned: 'yes' } }))],
  ['UntagLogGroup', (c) => c.send(new UntagLogGroupCommand({ logGroupName: GROUP, tags: ['team'] }))],
  ['ListTagsLogGroup', (c) => c.send(new ListTagsLogGroupCommand({ logGroupName: GROUP }))],
];

const rows: Row<F>[] = [
  ...identifierCalls.flatMap(([op, call]): Row<F>[] => [
    { op, form: 'by ARN', call: (f) => call(f.intruder, ARN), refusal: NO_GROUP },
    { op, form: "by a missing group's ARN", call: (f) => call(f.intruder, MISSING_ARN), refusal: NO_GROUP },
    { op, form: 'by name', call: (f) => call(f.intruder, GROUP), refusal: NO_GROUP },
  ]),
  ...arnCalls.flatMap(([op, call]): Row<F>[] => [
    { op, form: 'by ARN', call: (f) => call(f.intruder, ARN), refusal: NO_GROUP },
    { op, form: "by a missing group's ARN", call: (f) => call(f.intruder, MISSING_ARN), refusal: NO_GROUP },
  ]),
  ...nameCalls.map(([op, call]): Row<F> => ({ op, form: 'by name', call: (f) => call(f.intruder, f), refusal: NO_GROUP })),
  {
    op: 'DescribeLogGroups',
    form: "by the owner's name prefix (lists the caller's own groups)",
    call: (f) => f.intruder.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' })),
    shows: (out) => assert.deepEqual((out as { logGroups?: unknown[] }).logGroups, []),
  },
  {
    op: 'DescribeLogGroups',
    form: "by the owner's group ARN in logGroupIdentifiers",
    call: (f) => f.intruder.send(new DescribeLogGroupsCommand({ logGroupIdentifiers: [ARN] })),
    shows: (out) => assert.deepEqual((out as { logGroups?: unknown[] }).logGroups, []),
  },
  {
    // Unconfirmed against AWS for an account that is no monitoring account: asking for another
    // account's groups lists none of them.
    op: 'DescribeLogGroups',
    form: "with the owner's account in accountIdentifiers",
    call: (f) => f.intruder.send(new DescribeLogGroupsCommand({ accountIdentifiers: [ACCOUNT], includeLinkedAccounts: true })),
    shows: (out) => assert.deepEqual((out as { logGroups?: unknown[] }).logGroups, []),
  },
  // A name is the caller's own: the intruder creates a group of its own, which the snapshot shows left the owner's alone.
  { op: 'CreateLogGroup', form: "with the owner's group name", call: (f) => f.intruder.send(new CreateLogGroupCommand({ logGroupName: GROUP })), shows: () => {} },
];

runMatrix<F>({
  service: 'logs',
  async setup() {
    const t = await startMatrixNimbus();
    const owner = logsClient(t.endpoint);
    await owner.send(new CreateLogGroupCommand({ logGroupName: GROUP, tags: { team: 'owner' } }));
    await owner.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 7 }));
    await owner.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 's' }));
    await owner.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 's', logEvents: [{ timestamp: t.clock.now(), message: 'the secret' }] }));
    return { t, owner, intruder: logsClient(t.endpoint, { credentials: INTRUDER }) };
  },
  async teardown(f) {
    f.owner.destroy();
    f.intruder.destroy();
    await f.t.stop();
  },
  rows,
  async snapshot(f) {
    const groups = (await f.owner.send(new DescribeLogGroupsCommand({}))).logGroups?.map((g) => [g.logGroupName, g.arn, g.retentionInDays, g.storedBytes]);
    const streams = (await f.owner.send(new DescribeLogStreamsCommand({ logGroupIdentifier: ARN }))).logStreams?.map((s) => s.logStreamName);
    const events = (await f.owner.send(new GetLogEventsCommand({ logGroupIdentifier: ARN, logStreamName: 's', startFromHead: true }))).events?.map((e) => e.message);
    const tags = (await f.owner.send(new ListTagsForResourceCommand({ resourceArn: ARN }))).tags;
    return { groups, streams, events, tags };
  },
});
