/**
 * The cross-account matrix for SQS (see cross-account-helpers.ts): every operation on the
 * owner's queue, by its queue URL (and by ARN where an operation takes one), with the
 * intruder's keys. AWS answers AccessDenied: "Access to the resource <url> is denied."; move
 * tasks answer a source they will not show as missing (ResourceNotFoundException). Then what a
 * queue policy grants: SendMessage to the other account and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddPermissionCommand,
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TestNimbus } from '../helpers/nimbus.js';
import { ACCOUNT, httpOutcome, INTRUDER, INTRUDER_ACCOUNT, re, refused, runMatrix, signedRequest, startMatrixNimbus, type Refusal, type Row } from './cross-account-helpers.js';

interface F {
  t: TestNimbus;
  owner: SQSClient;
  intruder: SQSClient;
  /** The owner's queue, its dead-letter queue, and one with a policy granting the intruder SendMessage. */
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
  sharedUrl: string;
  receipt: string;
  taskHandle: string;
}

const denied = (id: (f: F) => string) => (f: F): Refusal => ({ name: 'AccessDenied', message: new RegExp(`^Access to the resource ${re(id(f))} is denied\\.$`) });
const byUrl = denied((f) => f.url);
const noSource: Refusal = { name: 'ResourceNotFoundException', message: /^The resource that you specified for the SourceArn parameter doesn't exist\.$/ };

const rows: Row<F>[] = [
  // Refused as a missing queue is (below), so that GetQueueUrl tells no queue name of another account.
  {
    op: 'GetQueueUrl',
    form: 'with QueueOwnerAWSAccountId',
    call: (f) => f.intruder.send(new GetQueueUrlCommand({ QueueName: 'private', QueueOwnerAWSAccountId: ACCOUNT })),
    refusal: { name: 'QueueDoesNotExist', message: /^The specified queue does not exist\.$/ },
  },
  // Without an owner id a name is the caller's own: the owner's queue is not found, not shown.
  { op: 'GetQueueUrl', form: 'by name alone', call: (f) => f.intruder.send(new GetQueueUrlCommand({ QueueName: 'private' })), refusal: { name: 'QueueDoesNotExist', message: /^The specified queue does not exist\.$/ } },
  { op: 'GetQueueAttributes', form: 'by queue URL', call: (f) => f.intruder.send(new GetQueueAttributesCommand({ QueueUrl: f.url, AttributeNames: ['All'] })), refusal: byUrl },
  { op: 'SetQueueAttributes', form: 'by queue URL', call: (f) => f.intruder.send(new SetQueueAttributesCommand({ QueueUrl: f.url, Attributes: { VisibilityTimeout: '0' } })), refusal: byUrl },
  { op: 'PurgeQueue', form: 'by queue URL', call: (f) => f.intruder.send(new PurgeQueueCommand({ QueueUrl: f.url })), refusal: byUrl },
  { op: 'ListDeadLetterSourceQueues', form: 'by queue URL', call: (f) => f.intruder.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: f.dlqUrl })), refusal: denied((f) => f.dlqUrl) },
  { op: 'SendMessage', form: 'by queue URL', call: (f) => f.intruder.send(new SendMessageCommand({ QueueUrl: f.url, MessageBody: 'intruder' })), refusal: byUrl },
  { op: 'SendMessageBatch', form: 'by queue URL', call: (f) => f.intruder.send(new SendMessageBatchCommand({ QueueUrl: f.url, Entries: [{ Id: 'a', MessageBody: 'intruder' }] })), refusal: byUrl },
  { op: 'ReceiveMessage', form: 'by queue URL', call: (f) => f.intruder.send(new ReceiveMessageCommand({ QueueUrl: f.url, MaxNumberOfMessages: 10 })), refusal: byUrl },
  { op: 'DeleteMessage', form: "by queue URL, with the owner's receipt handle", call: (f) => f.intruder.send(new DeleteMessageCommand({ QueueUrl: f.url, ReceiptHandle: f.receipt })), refusal: byUrl },
  { op: 'DeleteMessageBatch', form: "by queue URL, with the owner's receipt handle", call: (f) => f.intruder.send(new DeleteMessageBatchCommand({ QueueUrl: f.url, Entries: [{ Id: 'a', ReceiptHandle: f.receipt }] })), refusal: byUrl },
  { op: 'ChangeMessageVisibility', form: "by queue URL, with the owner's receipt handle", call: (f) => f.intruder.send(new ChangeMessageVisibilityCommand({ QueueUrl: f.url, ReceiptHandle: f.receipt, VisibilityTimeout: 0 })), refusal: byUrl },
  {
    op: 'ChangeMessageVisibilityBatch',
    form: "by queue URL, with the owner's receipt handle",
    call: (f) => f.intruder.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: f.url, Entries: [{ Id: 'a', ReceiptHandle: f.receipt, VisibilityTimeout: 0 }] })),
    refusal: byUrl,
  },
  { op: 'TagQueue', form: 'by queue URL', call: (f) => f.intruder.send(new TagQueueCommand({ QueueUrl: f.url, Tags: { owned: 'yes' } })), refusal: byUrl },
  { op: 'UntagQueue', form: 'by queue URL', call: (f) => f.intruder.send(new UntagQueueCommand({ QueueUrl: f.url, TagKeys: ['team'] })), refusal: byUrl },
  { op: 'ListQueueTags', form: 'by queue URL', call: (f) => f.intruder.send(new ListQueueTagsCommand({ QueueUrl: f.url })), refusal: byUrl },
  { op: 'AddPermission', form: 'by queue URL', call: (f) => f.intruder.send(new AddPermissionCommand({ QueueUrl: f.url, Label: 'mine', AWSAccountIds: [INTRUDER_ACCOUNT], Actions: ['*'] })), refusal: byUrl },
  { op: 'RemovePermission', form: 'by queue URL', call: (f) => f.intruder.send(new RemovePermissionCommand({ QueueUrl: f.sharedUrl, Label: 'send' })), refusal: denied((f) => f.sharedUrl) },
  { op: 'DeleteQueue', form: 'by queue URL', call: (f) => f.intruder.send(new DeleteQueueCommand({ QueueUrl: f.url })), refusal: byUrl },
  // A policy granting SendMessage grants nothing else, not even to delete the queue.
  { op: 'DeleteQueue', form: 'by queue URL, on a queue whose policy grants the intruder SendMessage', call: (f) => f.intruder.send(new DeleteQueueCommand({ QueueUrl: f.sharedUrl })), refusal: denied((f) => f.sharedUrl) },
  { op: 'StartMessageMoveTask', form: 'by source ARN', call: (f) => f.intruder.send(new StartMessageMoveTaskCommand({ SourceArn: f.dlqArn })), refusal: noSource },
  { op: 'ListMessageMoveTasks', form: 'by source ARN', call: (f) => f.intruder.send(new ListMessageMoveTasksCommand({ SourceArn: f.dlqArn })), refusal: noSource },
  { op: 'CancelMessageMoveTask', form: "by the owner's task handle", call: (f) => f.intruder.send(new CancelMessageMoveTaskCommand({ TaskHandle: f.taskHandle })), refusal: { name: 'ResourceNotFoundException' } },
  // A list is of the caller's own queues: none of the owner's, whatever the prefix.
  {
    op: 'ListQueues',
    form: "with the owner's queue names as prefix",
    call: (f) => f.intruder.send(new ListQueuesCommand({ QueueNamePrefix: 'private' })),
    shows: (out) => assert.deepEqual((out as { QueueUrls?: string[] }).QueueUrls ?? [], []),
  },
  // A dead-letter queue must be the source's own account's (AWS): naming the owner's is naming a missing one.
  {
    op: 'CreateQueue',
    form: "with a RedrivePolicy naming the owner's queue by ARN",
    call: (f) => f.intruder.send(new CreateQueueCommand({ QueueName: 'thief', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: f.arn, maxReceiveCount: 1 }) } })),
    refusal: { name: 'InvalidParameterValue', message: /Reason: Dead letter target does not exist\.$/ },
  },
];

/** The query protocol (the AWS CLI's, older SDKs'): the queue named by the path the request is posted to. */
const byPath = (f: F, params: Record<string, string>) =>
  signedRequest(f.t.endpoint, 'sqs', INTRUDER, {
    method: 'POST',
    path: `/${ACCOUNT}/private`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  }).then(httpOutcome);
const queryParams: Array<[string, Record<string, string>]> = [
  ['SendMessage', { Action: 'SendMessage', MessageBody: 'intruder' }],
  ['ReceiveMessage', { Action: 'ReceiveMessage', MaxNumberOfMessages: '10' }],
  ['GetQueueAttributes', { Action: 'GetQueueAttributes', 'AttributeName.1': 'All' }],
  ['SetQueueAttributes', { Action: 'SetQueueAttributes', 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '0' }],
  ['PurgeQueue', { Action: 'PurgeQueue' }],
  ['DeleteQueue', { Action: 'DeleteQueue' }],
];
/** The same queue under another host (AWS's own): the path's account and name decide, not the host. */
const AWS_URL = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/private`;
/**
 * A URL of the owner's account naming no queue is refused exactly as one naming a queue (AWS
 * checks access before existence): otherwise the refusal would tell which queue names exist.
 */
const MISSING_URL = `http://127.0.0.1/${ACCOUNT}/no-such-queue`;
const missingCalls: Array<[string, (c: SQSClient) => Promise<unknown>]> = [
  ['GetQueueAttributes', (c) => c.send(new GetQueueAttributesCommand({ QueueUrl: MISSING_URL }))],
  ['SendMessage', (c) => c.send(new SendMessageCommand({ QueueUrl: MISSING_URL, MessageBody: 'probe' }))],
  ['ReceiveMessage', (c) => c.send(new ReceiveMessageCommand({ QueueUrl: MISSING_URL }))],
  ['DeleteQueue', (c) => c.send(new DeleteQueueCommand({ QueueUrl: MISSING_URL }))],
  ['ListQueueTags', (c) => c.send(new ListQueueTagsCommand({ QueueUrl: MISSING_URL }))],
];
rows.push(
  ...missingCalls.map(([op, call]): Row<F> => ({ op, form: "by a missing queue's URL of the owner's account", call: (f) => call(f.intruder), refusal: denied(() => MISSING_URL) })),
  // GetQueueUrl answers a queue the caller may not see as a missing one (AWS: "The specified queue does not exist or you do not have access to it.").
  {
    op: 'GetQueueUrl',
    form: "with QueueOwnerAWSAccountId, for a queue name the owner does not have",
    call: (f) => f.intruder.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue', QueueOwnerAWSAccountId: ACCOUNT })),
    refusal: { name: 'QueueDoesNotExist' },
  },
  ...queryParams.map(([op, params]): Row<F> => ({ op, form: "by the queue's path (query protocol)", call: (f) => byPath(f, params), refusal: { name: 'AccessDenied', message: /^Access to the resource .*\/private is denied\.$/ } })),
  { op: 'SendMessage', form: "by the queue's URL on AWS's host", call: (f) => f.intruder.send(new SendMessageCommand({ QueueUrl: AWS_URL, MessageBody: 'intruder' })), refusal: denied(() => AWS_URL) },
  { op: 'ReceiveMessage', form: "by the queue's URL on AWS's host", call: (f) => f.intruder.send(new ReceiveMessageCommand({ QueueUrl: AWS_URL })), refusal: denied(() => AWS_URL) },
  { op: 'DeleteQueue', form: "by the queue's URL on AWS's host", call: (f) => f.intruder.send(new DeleteQueueCommand({ QueueUrl: AWS_URL })), refusal: denied(() => AWS_URL) },
);

runMatrix<F>({
  service: 'sqs',
  async setup() {
    const t = await startMatrixNimbus();
    const owner = t.sqs;
    const intruder = t.sqsClient({ credentials: INTRUDER });
    const make = async (QueueName: string, Attributes?: Record<string, string>) => (await owner.send(new CreateQueueCommand({ QueueName, Attributes, tags: { team: 'owner' } }))).QueueUrl!;
    const dlqUrl = await make('private-dlq');
    const dlqArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:private-dlq`;
    const url = await make('private', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) });
    const sharedUrl = await make('shared');
    await owner.send(new AddPermissionCommand({ QueueUrl: sharedUrl, Label: 'send', AWSAccountIds: [INTRUDER_ACCOUNT], Actions: ['SendMessage'] }));
    for (const body of ['one', 'two']) await owner.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const got = await owner.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 3600 }));
    await owner.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: 'dead' }));
    const task = await owner.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    return { t, owner, intruder, url, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:private`, dlqUrl, dlqArn, sharedUrl, receipt: got.Messages![0]!.ReceiptHandle!, taskHandle: task.TaskHandle! };
  },
  async teardown(f) {
    f.intruder.destroy();
    await f.t.stop();
  },
  rows,
  async snapshot(f) {
    const queues = (await f.owner.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    const state: Record<string, unknown> = { queues };
    for (const url of [f.url, f.sharedUrl]) {
      const { Attributes } = await f.owner.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
      const { Tags } = await f.owner.send(new ListQueueTagsCommand({ QueueUrl: url }));
      state[url] = { Attributes, Tags };
    }
    state.tasks = (await f.owner.send(new ListMessageMoveTasksCommand({ SourceArn: f.dlqArn }))).Results?.map((r) => [r.TaskHandle, r.Status]);
    return state;
  },
  more(fixture) {
    test('a queue policy granting the intruder SendMessage allows exactly that, by queue URL', async () => {
      const f = fixture();
      await f.intruder.send(new SendMessageCommand({ QueueUrl: f.sharedUrl, MessageBody: 'granted' }));
      await f.intruder.send(new SendMessageBatchCommand({ QueueUrl: f.sharedUrl, Entries: [{ Id: 'a', MessageBody: 'granted too' }] }));
      // GetQueueUrl is not granted either: the queue's URL must come from its owner.
      await refused(f.intruder.send(new GetQueueUrlCommand({ QueueName: 'shared', QueueOwnerAWSAccountId: ACCOUNT })), { name: 'QueueDoesNotExist' }, 'GetQueueUrl of the shared queue');
      for (const [op, call] of [
        ['ReceiveMessage', () => f.intruder.send(new ReceiveMessageCommand({ QueueUrl: f.sharedUrl }))],
        ['GetQueueAttributes', () => f.intruder.send(new GetQueueAttributesCommand({ QueueUrl: f.sharedUrl }))],
        ['PurgeQueue', () => f.intruder.send(new PurgeQueueCommand({ QueueUrl: f.sharedUrl }))],
        ['SetQueueAttributes', () => f.intruder.send(new SetQueueAttributesCommand({ QueueUrl: f.sharedUrl, Attributes: { DelaySeconds: '1' } }))],
      ] as const) {
        await refused(call(), denied((x) => x.sharedUrl)(f), `${op} on the shared queue`);
      }
      const got = await f.owner.send(new ReceiveMessageCommand({ QueueUrl: f.sharedUrl, MaxNumberOfMessages: 10 }));
      assert.deepEqual(got.Messages?.map((m) => m.Body).sort(), ['granted', 'granted too']);
      const attrs = (await f.owner.send(new GetQueueAttributesCommand({ QueueUrl: f.sharedUrl, AttributeNames: ['DelaySeconds'] }))).Attributes;
      assert.equal(attrs?.DelaySeconds, '0');
    });

    test('a queue policy set as an attribute grants the same: SendMessage for the named account, by queue URL', async () => {
      const f = fixture();
      const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:by-policy`;
      const statement = { Sid: 'send', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${INTRUDER_ACCOUNT}:root` }, Action: 'sqs:SendMessage', Resource: arn };
      const url = (await f.owner.send(new CreateQueueCommand({ QueueName: 'by-policy', Attributes: { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) } }))).QueueUrl!;
      await f.intruder.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'granted' }));
      await refused(f.intruder.send(new ReceiveMessageCommand({ QueueUrl: url })), denied(() => url)(f), 'ReceiveMessage on the policy queue');
      await refused(f.intruder.send(new DeleteQueueCommand({ QueueUrl: url })), denied(() => url)(f), 'DeleteQueue on the policy queue');
      const got = await f.owner.send(new ReceiveMessageCommand({ QueueUrl: url }));
      assert.deepEqual(got.Messages?.map((m) => m.Body), ['granted']);
    });
  },
});
