/**
 * SNS topics and subscriptions through the real SDK: create (standard, FIFO, idempotent),
 * attributes, listing with paging, tags, subscriptions and their attributes, and errors.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { rejectsWith, topicArn, withSns } from './helpers.js';

const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:worker';

describe('SNS topics', () => {
  it('creates, describes, changes and deletes a standard topic', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' }, Tags: [{ Key: 'team', Value: 'a' }] }));
      assert.equal(TopicArn, topicArn('orders'));
      const { Attributes: a } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
      assert.equal(a!.TopicArn, TopicArn);
      assert.equal(a!.DisplayName, 'Orders');
      assert.equal(a!.Owner, '000000000000');
      assert.equal(a!.SubscriptionsConfirmed, '0');
      assert.equal(a!.SubscriptionsPending, '0');
      assert.equal(a!.SubscriptionsDeleted, '0');
      assert.equal(a!.FifoTopic, undefined);
      const policy = JSON.parse(a!.Policy!);
      assert.equal(policy.Statement[0].Resource, TopicArn);
      assert.equal(policy.Statement[0].Condition.StringEquals['AWS:SourceOwner'], '000000000000');
      assert.equal(JSON.parse(a!.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 3);

      // Idempotent with the same attributes; refused with others.
      assert.equal((await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' } }))).TopicArn, TopicArn);
      assert.equal((await sns.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn, TopicArn);
      await rejectsWith(
        sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Other' } })),
        'InvalidParameterException',
        'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
      );

      await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DisplayName', AttributeValue: 'Renamed' }));
      const after = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
      assert.equal(after.DisplayName, 'Renamed');
      await rejectsWith(sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Colour', AttributeValue: 'x' })), 'InvalidParameterException', 'Invalid parameter: AttributeName');
      await rejectsWith(
        sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'ContentBasedDeduplication', AttributeValue: 'true' })),
        'InvalidParameterException',
        'Invalid parameter: Attributes Reason: ContentBasedDeduplication is only supported for FIFO topics',
      );

      await sns.send(new DeleteTopicCommand({ TopicArn }));
      await rejectsWith(sns.send(new GetTopicAttributesCommand({ TopicArn })), 'NotFoundException', 'Topic does not exist');
      // Deleting again succeeds.
      await sns.send(new DeleteTopicCommand({ TopicArn }));
    }));

  it('creates FIFO topics only with a .fifo name and FifoTopic', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'jobs.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
      const { Attributes: a } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
      assert.equal(a!.FifoTopic, 'true');
      assert.equal(a!.ContentBasedDeduplication, 'true');
      await rejectsWith(sns.send(new CreateTopicCommand({ Name: 'jobs.fifo' })), 'InvalidParameterException', 'Invalid parameter: Topic Name');
      await rejectsWith(
        sns.send(new CreateTopicCommand({ Name: 'jobs', Attributes: { FifoTopic: 'true' } })),
        'InvalidParameterException',
        'Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
      );
      await rejectsWith(sns.send(new CreateTopicCommand({ Name: 'bad name' })), 'InvalidParameterException', 'Invalid parameter: Topic Name');
    }));

  it('lists topics a hundred to a page', () =>
    withSns(async (sns) => {
      for (let i = 0; i < 105; i++) await sns.send(new CreateTopicCommand({ Name: `t-${String(i).padStart(3, '0')}` }));
      const first = await sns.send(new ListTopicsCommand({}));
      assert.equal(first.Topics!.length, 100);
      assert.ok(first.NextToken);
      const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
      assert.equal(second.Topics!.length, 5);
      assert.equal(second.NextToken, undefined);
      const all = [...first.Topics!, ...second.Topics!].map((t) => t.TopicArn);
      assert.equal(new Set(all).size, 105);
      assert.equal(all[104], topicArn('t-104'));
    }));

  it('tags topics', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'tagged', Tags: [{ Key: 'a', Value: '1' }] }));
      await sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: 'b', Value: '2' }] }));
      await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['a'] }));
      const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
      assert.deepEqual(Tags, [{ Key: 'b', Value: '2' }]);
      await rejectsWith(sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn('missing') })), 'ResourceNotFoundException', 'Resource does not exist');
      await rejectsWith(
        sns.send(new CreateTopicCommand({ Name: 'tagged', Tags: [{ Key: 'b', Value: 'other' }] })),
        'InvalidParameterException',
        'Invalid parameter: Tags Reason: Topic already exists with different tags',
      );
    }));

  it('refuses topics of other accounts, and malformed ARNs', () =>
    withSns(async (sns) => {
      await rejectsWith(sns.send(new GetTopicAttributesCommand({ TopicArn: 'not-an-arn' })), 'InvalidParameterException', 'Invalid parameter: TopicArn');
      await rejectsWith(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn('nope') })), 'NotFoundException', 'Topic does not exist');
    }));
});

describe('SNS subscriptions', () => {
  it('subscribes queues and functions, lists them, sets attributes and unsubscribes', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'events' }));
      const q = 'arn:aws:sqs:us-east-1:000000000000:inbox';
      const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q, Attributes: { RawMessageDelivery: 'true' } }));
      assert.match(SubscriptionArn!, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
      // The same endpoint again is the same subscription; with other attributes it is refused.
      assert.equal((await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q, Attributes: { RawMessageDelivery: 'true' } }))).SubscriptionArn, SubscriptionArn);
      await rejectsWith(
        sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q, Attributes: { RawMessageDelivery: 'false' } })),
        'InvalidParameterException',
        'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
      );
      const fn = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: LAMBDA_ARN }));

      const { Attributes: a } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
      assert.equal(a!.RawMessageDelivery, 'true');
      assert.equal(a!.Protocol, 'sqs');
      assert.equal(a!.Endpoint, q);
      assert.equal(a!.TopicArn, TopicArn);
      assert.equal(a!.PendingConfirmation, 'false');
      assert.equal(a!.FilterPolicy, undefined);

      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"kind":["a"]}' }));
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RedrivePolicy', AttributeValue: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}' }));
      const b = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
      assert.equal(b.FilterPolicy, '{"kind":["a"]}');
      assert.equal(b.FilterPolicyScope, 'MessageAttributes');
      assert.equal(JSON.parse(b.RedrivePolicy!).deadLetterTargetArn, 'arn:aws:sqs:us-east-1:000000000000:dlq');
      // A nested policy needs the body scope.
      await rejectsWith(
        sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a":{"b":["c"]}}' })),
        'InvalidParameterException',
        'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy',
      );
      await rejectsWith(
        sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a":' })),
        'InvalidParameterException',
        'Invalid parameter: FilterPolicy: failed to parse JSON.',
      );
      await rejectsWith(
        sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: fn.SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' })),
        'InvalidParameterException',
        'Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.',
      );

      const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
      assert.deepEqual(byTopic.Subscriptions!.map((s) => s.Protocol).sort(), ['lambda', 'sqs']);
      const all = await sns.send(new ListSubscriptionsCommand({}));
      assert.equal(all.Subscriptions!.length, 2);
      assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.SubscriptionsConfirmed, '2');

      await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
      await rejectsWith(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })), 'NotFoundException', 'Subscription does not exist');
      assert.equal((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!.length, 1);
      // Deleting the topic removes its subscriptions.
      await sns.send(new DeleteTopicCommand({ TopicArn }));
      assert.equal((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions?.length ?? 0, 0);
    }));

  it('refuses protocols Nimbus does not deliver to yet, and endpoints that do not fit the topic', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'std' }));
      const fifo = (await sns.send(new CreateTopicCommand({ Name: 'ordered.fifo', Attributes: { FifoTopic: 'true' } }))).TopicArn;
      await rejectsWith(
        sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'someone@example.com' })),
        'InvalidParameterException',
        'Invalid parameter: Protocol Reason: Nimbus does not deliver to email subscriptions yet (sqs, lambda, http, https are supported)',
      );
      await rejectsWith(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'https', Endpoint: 'http://example.com/hook' })), 'InvalidParameterException', 'Invalid parameter: Endpoint must match the specified protocol');
      await rejectsWith(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'carrier-pigeon', Endpoint: 'x' })), 'InvalidParameterException', 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon');
      await rejectsWith(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'inbox' })), 'InvalidParameterException', 'Invalid parameter: SQS endpoint ARN');
      await rejectsWith(
        sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q.fifo' })),
        'InvalidParameterException',
        'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
      );
      await rejectsWith(
        sns.send(new SubscribeCommand({ TopicArn: fifo, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q' })),
        'InvalidParameterException',
        'Invalid parameter: Invalid parameter: Endpoint Reason: Please use FIFO SQS queue',
      );
      await rejectsWith(sns.send(new SubscribeCommand({ TopicArn: topicArn('gone'), Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q' })), 'NotFoundException', 'Topic does not exist');
      await rejectsWith(
        sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', Attributes: { FilterPolicy: '{"a":[{"wildcard":"x*"}]}' } })),
        'InvalidParameterException',
        'Invalid parameter: FilterPolicy: Unrecognized match type wildcard',
      );
    }));
});
