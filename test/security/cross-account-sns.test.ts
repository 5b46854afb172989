/**
 * The cross-account matrix for SNS (see cross-account-helpers.ts): every operation on the
 * owner's topic by topic ARN and on its subscription by subscription ARN, with the intruder's
 * keys. SNS answers AuthorizationError ("User: <caller> is not authorized to perform:
 * SNS:<Action> on resource: <arn>" for topics). Then what a topic policy grants: Publish to the
 * other account and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AddPermissionCommand,
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetDataProtectionPolicyCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  PutDataProtectionPolicyCommand,
  RemovePermissionCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { TestNimbus } from '../helpers/nimbus.js';
import { ACCOUNT, INTRUDER, INTRUDER_ACCOUNT, OWNER, re, refused, runMatrix, startMatrixNimbus, type Refusal, type Row } from './cross-account-helpers.js';

interface F {
  t: TestNimbus;
  owner: SNSClient;
  intruder: SNSClient;
  topic: string;
  shared: string;
  subscription: string;
  queueUrl: string;
}

const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:private`;
const SHARED = `arn:aws:sns:us-east-1:${ACCOUNT}:shared`;
const client = (t: TestNimbus, credentials: { accessKeyId: string; secretAccessKey: string }) => new SNSClient({ endpoint: t.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

const denied = (action: string, arn: (f: F) => string) => (f: F): Refusal => ({
  name: 'AuthorizationErrorException',
  message: new RegExp(`^User: arn:aws:iam::${INTRUDER_ACCOUNT}:root is not authorized to perform: SNS:${action} on resource: ${re(arn(f))}`),
});
const onTopic = (action: string) => denied(action, (f) => f.topic);
const onSubscription: Refusal = { name: 'AuthorizationErrorException', message: /not authorized/ };

/** A topic or subscription ARN of the owner's account naming nothing: refused as one that exists, so the refusal tells no names. */
const MISSING_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic`;
const MISSING_SUBSCRIPTION = `${TOPIC}:0f0e0d0c-0b0a-4908-8706-050403020100`;

const rows: Row<F>[] = [
  { op: 'GetTopicAttributes', form: "by a missing topic's ARN", call: (f) => f.intruder.send(new GetTopicAttributesCommand({ TopicArn: MISSING_TOPIC })), refusal: denied('GetTopicAttributes', () => MISSING_TOPIC) },
  { op: 'Publish', form: "by a missing topic's ARN", call: (f) => f.intruder.send(new PublishCommand({ TopicArn: MISSING_TOPIC, Message: 'probe' })), refusal: denied('Publish', () => MISSING_TOPIC) },
  { op: 'DeleteTopic', form: "by a missing topic's ARN", call: (f) => f.intruder.send(new DeleteTopicCommand({ TopicArn: MISSING_TOPIC })), refusal: denied('DeleteTopic', () => MISSING_TOPIC) },
  { op: 'GetSubscriptionAttributes', form: "by a missing subscription's ARN", call: (f) => f.intruder.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: MISSING_SUBSCRIPTION })), refusal: onSubscription },
  { op: 'GetTopicAttributes', form: 'by topic ARN', call: (f) => f.intruder.send(new GetTopicAttributesCommand({ TopicArn: f.topic })), refusal: onTopic('GetTopicAttributes') },
  { op: 'SetTopicAttributes', form: 'by topic ARN', call: (f) => f.intruder.send(new SetTopicAttributesCommand({ TopicArn: f.topic, AttributeName: 'DisplayName', AttributeValue: 'owned' })), refusal: onTopic('SetTopicAttributes') },
  { op: 'DeleteTopic', form: 'by topic ARN', call: (f) => f.intruder.send(new DeleteTopicCommand({ TopicArn: f.topic })), refusal: onTopic('DeleteTopic') },
  { op: 'DeleteTopic', form: 'by topic ARN, on a topic whose policy grants the intruder Publish', call: (f) => f.intruder.send(new DeleteTopicCommand({ TopicArn: f.shared })), refusal: denied('DeleteTopic', (f) => f.shared) },
  { op: 'AddPermission', form: 'by topic ARN', call: (f) => f.intruder.send(new AddPermissionCommand({ TopicArn: f.topic, Label: 'mine', AWSAccountId: [INTRUDER_ACCOUNT], ActionName: ['Publish'] })), refusal: onTopic('AddPermission') },
  { op: 'RemovePermission', form: 'by topic ARN', call: (f) => f.intruder.send(new RemovePermissionCommand({ TopicArn: f.shared, Label: 'publish' })), refusal: denied('RemovePermission', (f) => f.shared) },
  { op: 'GetDataProtectionPolicy', form: 'by topic ARN', call: (f) => f.intruder.send(new GetDataProtectionPolicyCommand({ ResourceArn: f.topic })), refusal: onTopic('GetDataProtectionPolicy') },
  { op: 'PutDataProtectionPolicy', form: 'by topic ARN', call: (f) => f.intruder.send(new PutDataProtectionPolicyCommand({ ResourceArn: f.topic, DataProtectionPolicy: '{}' })), refusal: onTopic('PutDataProtectionPolicy') },
  { op: 'TagResource', form: 'by topic ARN', call: (f) => f.intruder.send(new TagResourceCommand({ ResourceArn: f.topic, Tags: [{ Key: 'owned', Value: 'yes' }] })), refusal: onTopic('TagResource') },
  { op: 'UntagResource', form: 'by topic ARN', call: (f) => f.intruder.send(new UntagResourceCommand({ ResourceArn: f.topic, TagKeys: ['team'] })), refusal: onTopic('UntagResource') },
  { op: 'ListTagsForResource', form: 'by topic ARN', call: (f) => f.intruder.send(new ListTagsForResourceCommand({ ResourceArn: f.topic })), refusal: onTopic('ListTagsForResource') },
  { op: 'Subscribe', form: 'by topic ARN', call: (f) => f.intruder.send(new SubscribeCommand({ TopicArn: f.topic, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${INTRUDER_ACCOUNT}:loot` })), refusal: onTopic('Subscribe') },
  { op: 'ListSubscriptionsByTopic', form: 'by topic ARN', call: (f) => f.intruder.send(new ListSubscriptionsByTopicCommand({ TopicArn: f.topic })), refusal: onTopic('ListSubscriptionsByTopic') },
  { op: 'Publish', form: 'by topic ARN', call: (f) => f.intruder.send(new PublishCommand({ TopicArn: f.topic, Message: 'forged' })), refusal: onTopic('Publish') },
  { op: 'Publish', form: 'by TargetArn', call: (f) => f.intruder.send(new PublishCommand({ TargetArn: f.topic, Message: 'forged' })), refusal: onTopic('Publish') },
  { op: 'PublishBatch', form: 'by topic ARN', call: (f) => f.intruder.send(new PublishBatchCommand({ TopicArn: f.topic, PublishBatchRequestEntries: [{ Id: 'a', Message: 'forged' }] })), refusal: onTopic('Publish') },
  // The token is the capability (SNS lets whoever holds it confirm, unsigned): a guessed one confirms nothing.
  {
    op: 'ConfirmSubscription',
    form: 'by topic ARN with a guessed token',
    call: (f) => f.intruder.send(new ConfirmSubscriptionCommand({ TopicArn: f.topic, Token: 'a'.repeat(64) })),
    refusal: { name: 'InvalidParameterException', message: /^Invalid parameter: Token$/ },
  },
  { op: 'GetSubscriptionAttributes', form: 'by subscription ARN', call: (f) => f.intruder.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: f.subscription })), refusal: onSubscription },
  {
    op: 'SetSubscriptionAttributes',
    form: 'by subscription ARN',
    call: (f) => f.intruder.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: f.subscription, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' })),
    refusal: onSubscription,
  },
  { op: 'Unsubscribe', form: 'by subscription ARN', call: (f) => f.intruder.send(new UnsubscribeCommand({ SubscriptionArn: f.subscription })), refusal: onSubscription },
  { op: 'ListTopics', form: "lists the caller's own topics", call: (f) => f.intruder.send(new ListTopicsCommand({})), shows: (out) => assert.deepEqual((out as { Topics?: unknown[] }).Topics ?? [], []) },
  { op: 'ListSubscriptions', form: "lists the caller's own subscriptions", call: (f) => f.intruder.send(new ListSubscriptionsCommand({})), shows: (out) => assert.deepEqual((out as { Subscriptions?: unknown[] }).Subscriptions ?? [], []) },
  // A name is the caller's own: the intruder's topic of the same name is its own, with its own ARN.
  {
    op: 'CreateTopic',
    form: "with the owner's topic name",
    call: (f) => f.intruder.send(new CreateTopicCommand({ Name: 'private' })),
    shows: (out) => assert.equal((out as { TopicArn?: string }).TopicArn, `arn:aws:sns:us-east-1:${INTRUDER_ACCOUNT}:private`),
  },
];

runMatrix<F>({
  service: 'sns',
  async setup() {
    const t = await startMatrixNimbus();
    const owner = client(t, OWNER);
    const topic = (await owner.send(new CreateTopicCommand({ Name: 'private', Tags: [{ Key: 'team', Value: 'owner' }] }))).TopicArn!;
    const shared = (await owner.send(new CreateTopicCommand({ Name: 'shared' }))).TopicArn!;
    await owner.send(new AddPermissionCommand({ TopicArn: shared, Label: 'publish', AWSAccountId: [INTRUDER_ACCOUNT], ActionName: ['Publish'] }));
    const queueUrl = (await t.sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl!;
    const subscription = (await owner.send(new SubscribeCommand({ TopicArn: shared, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:inbox`, Attributes: { RawMessageDelivery: 'true' }, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    assert.equal(topic, TOPIC);
    assert.equal(shared, SHARED);
    return { t, owner, intruder: client(t, INTRUDER), topic, shared, subscription, queueUrl };
  },
  async teardown(f) {
    f.owner.destroy();
    f.intruder.destroy();
    await f.t.stop();
  },
  rows,
  async snapshot(f) {
    const topics = (await f.owner.send(new ListTopicsCommand({}))).Topics?.map((x) => x.TopicArn);
    const state: Record<string, unknown> = { topics };
    for (const arn of [f.topic, f.shared]) {
      const { Attributes } = await f.owner.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      const { Tags } = await f.owner.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
      state[arn] = { Attributes, Tags };
    }
    state.subscriptions = (await f.owner.send(new ListSubscriptionsCommand({}))).Subscriptions;
    state.subscription = (await f.owner.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: f.subscription }))).Attributes;
    state.delivered = (await f.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, VisibilityTimeout: 0 }))).Messages?.length ?? 0;
    return state;
  },
  more(fixture) {
    test('a topic policy granting the intruder Publish allows exactly that, by topic ARN', async () => {
      const f = fixture();
      await f.intruder.send(new PublishCommand({ TopicArn: f.shared, Message: 'granted' }));
      const got = await f.t.sqs.send(new ReceiveMessageCommand({ QueueUrl: f.queueUrl, WaitTimeSeconds: 0 }));
      assert.deepEqual(got.Messages?.map((m) => m.Body), ['granted']);
      for (const [action, call] of [
        ['GetTopicAttributes', () => f.intruder.send(new GetTopicAttributesCommand({ TopicArn: f.shared }))],
        ['Subscribe', () => f.intruder.send(new SubscribeCommand({ TopicArn: f.shared, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${INTRUDER_ACCOUNT}:loot` }))],
        ['SetTopicAttributes', () => f.intruder.send(new SetTopicAttributesCommand({ TopicArn: f.shared, AttributeName: 'DisplayName', AttributeValue: 'x' }))],
        ['ListSubscriptionsByTopic', () => f.intruder.send(new ListSubscriptionsByTopicCommand({ TopicArn: f.shared }))],
      ] as const) {
        await refused(call(), denied(action, (x) => x.shared)(f), `${action} on the shared topic`);
      }
    });
  },
});
