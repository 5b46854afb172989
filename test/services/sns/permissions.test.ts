/**
 * SNS topic policies through the real SDK, with a second account: AddPermission and
 * RemovePermission, the default policy (which lets no other account in), Conditions in a topic
 * policy (SNS:Protocol, SNS:Endpoint), an explicit Deny, and the data-protection policy. Below,
 * the policy evaluator's service principals and ARN conditions directly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  CreateTopicCommand,
  GetDataProtectionPolicyCommand,
  GetTopicAttributesCommand,
  PublishCommand,
  PutDataProtectionPolicyCommand,
  RemovePermissionCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { conditionsHold } from '../../../src/lib/policy-conditions.js';
import { policyAllows } from '../../../src/lib/policy.js';
import { ACCOUNT, TEST_CREDENTIALS } from '../../helpers/nimbus.js';
import { queue, rejectsWith, take, withSns } from './helpers.js';

const OTHER_ACCOUNT = '111111111111';
const OTHER = { accessKeyId: 'other', secretAccessKey: 'other' };
/** A Nimbus that knows two accounts: the default client's, and OTHER's. */
const TWO_ACCOUNTS = { credentials: [{ ...TEST_CREDENTIALS, accountId: ACCOUNT }, { ...OTHER, accountId: OTHER_ACCOUNT }] };

/** Runs fn with the owner's client and one signing as OTHER_ACCOUNT. */
function withTwoAccounts(fn: (sns: SNSClient, other: SNSClient, t: Parameters<Parameters<typeof withSns>[0]>[1]) => Promise<void>) {
  return withSns(async (sns, t) => {
    const other = new SNSClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: OTHER, maxAttempts: 1 });
    try {
      await fn(sns, other, t);
    } finally {
      other.destroy();
    }
  }, TWO_ACCOUNTS);
}

const notAllowed = (action: string, topic: string) =>
  `User: arn:aws:iam::${OTHER_ACCOUNT}:root is not authorized to perform: SNS:${action} on resource: ${topic} because no resource-based policy allows the SNS:${action} action`;
const otherQueue = (name: string) => `arn:aws:sqs:us-east-1:${OTHER_ACCOUNT}:${name}`;
const policyOf = async (sns: SNSClient, TopicArn: string) => JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.Policy!);

describe('SNS topic permissions', () => {
  it('the default policy lets no other account in', () =>
    withTwoAccounts(async (sns, other) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'private' }));
      await rejectsWith(other.send(new PublishCommand({ TopicArn, Message: 'hi' })), 'AuthorizationErrorException', notAllowed('Publish', TopicArn!));
      await rejectsWith(other.send(new GetTopicAttributesCommand({ TopicArn })), 'AuthorizationErrorException', notAllowed('GetTopicAttributes', TopicArn!));
      await rejectsWith(
        other.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: otherQueue('mine') })),
        'AuthorizationErrorException',
        notAllowed('Subscribe', TopicArn!),
      );
      // The owner itself is let in by it.
      assert.ok((await sns.send(new PublishCommand({ TopicArn, Message: 'hi' }))).MessageId);
    }));

  it('AddPermission grants another account actions; RemovePermission takes them away', () =>
    withTwoAccounts(async (sns, other, t) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'shared' }));
      const inbox = await queue(t, 'inbox');
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: inbox.arn }));

      await sns.send(new AddPermissionCommand({ TopicArn, Label: 'partner', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['Publish', 'Subscribe'] }));
      const policy = await policyOf(sns, TopicArn!);
      assert.equal(policy.Id, '__default_policy_ID');
      assert.equal(policy.Statement.length, 2);
      assert.equal(policy.Statement[0].Sid, '__default_statement_ID');
      assert.deepEqual(policy.Statement[1], {
        Sid: 'partner',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
        Action: ['SNS:Publish', 'SNS:Subscribe'],
        Resource: TopicArn,
      });

      // The other account may now publish (the owner's queue receives it) and subscribe, nothing else.
      await other.send(new PublishCommand({ TopicArn, Message: 'from the partner' }));
      const [m] = await take(t, inbox.url, 1);
      assert.equal(JSON.parse(m!.Body!).Message, 'from the partner');
      const sub = await other.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: otherQueue('theirs') }));
      assert.match(sub.SubscriptionArn!, new RegExp(`^${TopicArn}:`));
      await rejectsWith(other.send(new GetTopicAttributesCommand({ TopicArn })), 'AuthorizationErrorException', notAllowed('GetTopicAttributes', TopicArn!));

      await sns.send(new RemovePermissionCommand({ TopicArn, Label: 'partner' }));
      const after = await policyOf(sns, TopicArn!);
      assert.deepEqual(
        after.Statement.map((s: { Sid: string }) => s.Sid),
        ['__default_statement_ID'],
      );
      await rejectsWith(other.send(new PublishCommand({ TopicArn, Message: 'again' })), 'AuthorizationErrorException', notAllowed('Publish', TopicArn!));
      // Removing a label that is not there changes nothing and succeeds.
      await sns.send(new RemovePermissionCommand({ TopicArn, Label: 'partner' }));
    }));

  it('a granted AddPermission lets the other account manage permissions too', () =>
    withTwoAccounts(async (sns, other) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'delegated' }));
      await sns.send(new AddPermissionCommand({ TopicArn, Label: 'admin', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['AddPermission', 'RemovePermission'] }));
      await other.send(new AddPermissionCommand({ TopicArn, Label: 'self-publish', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['Publish'] }));
      const policy = await policyOf(sns, TopicArn!);
      // One principal and one action are written as plain strings, as AWS does.
      assert.deepEqual(policy.Statement[2], {
        Sid: 'self-publish',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
        Action: 'SNS:Publish',
        Resource: TopicArn,
      });
      await other.send(new PublishCommand({ TopicArn, Message: 'ok' }));
      await other.send(new RemovePermissionCommand({ TopicArn, Label: 'self-publish' }));
      await rejectsWith(other.send(new PublishCommand({ TopicArn, Message: 'no' })), 'AuthorizationErrorException', notAllowed('Publish', TopicArn!));
    }));

  it('refuses a duplicate label, an action SNS cannot grant, and an unknown topic', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'strict' }));
      await sns.send(new AddPermissionCommand({ TopicArn, Label: 'test', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['Publish'] }));
      await rejectsWith(
        sns.send(new AddPermissionCommand({ TopicArn, Label: 'test', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['AddPermission'] })),
        'InvalidParameterException',
        'Invalid parameter: Statement already exists',
      );
      await rejectsWith(
        sns.send(new AddPermissionCommand({ TopicArn, Label: 'test-2', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['InvalidAction'] })),
        'InvalidParameterException',
        'Invalid parameter: Policy statement action out of service scope!',
      );
      await rejectsWith(
        sns.send(new AddPermissionCommand({ TopicArn: `${TopicArn}-not-existing`, Label: 'test-2', AWSAccountId: [OTHER_ACCOUNT], ActionName: ['Publish'] })),
        'NotFoundException',
        'Topic does not exist',
      );
      await rejectsWith(sns.send(new RemovePermissionCommand({ TopicArn: `${TopicArn}-not-existing`, Label: 'test' })), 'NotFoundException', 'Topic does not exist');
      assert.equal((await policyOf(sns, TopicArn!)).Statement.length, 2);
    }));

  it('evaluates Conditions: SNS:Protocol and SNS:Endpoint decide what another account may subscribe', () =>
    withTwoAccounts(async (sns, other) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'conditional' }));
      const policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'own-queues-only',
            Effect: 'Allow',
            Principal: { AWS: OTHER_ACCOUNT },
            Action: 'sns:Subscribe',
            Resource: TopicArn,
            Condition: { StringEquals: { 'SNS:Protocol': 'sqs' }, ArnLike: { 'SNS:Endpoint': `arn:aws:sqs:*:${OTHER_ACCOUNT}:*` } },
          },
        ],
      };
      await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
      await other.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: otherQueue('theirs') }));
      await rejectsWith(
        other.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:not-theirs` })),
        'AuthorizationErrorException',
        notAllowed('Subscribe', TopicArn!),
      );
      await rejectsWith(
        other.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/hook' })),
        'AuthorizationErrorException',
        notAllowed('Subscribe', TopicArn!),
      );
      // The policy replaced the default one, but the owner needs no Allow.
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:mine` }));
    }));

  it('an explicit Deny refuses even the owner', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'locked' }));
      const policy = { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'SNS:Publish', Resource: TopicArn, Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } }] };
      await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
      await rejectsWith(
        sns.send(new PublishCommand({ TopicArn, Message: 'x' })),
        'AuthorizationErrorException',
        `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: SNS:Publish on resource: ${TopicArn} with an explicit deny in a resource-based policy`,
      );
      await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    }));
});

describe('SNS data-protection policy', () => {
  const document = JSON.stringify({
    Name: 'data_protection_policy',
    Description: 'Test Policy',
    Version: '2021-06-01',
    Statement: [
      {
        Sid: 'test-statement',
        DataDirection: 'Inbound',
        Principal: ['*'],
        DataIdentifier: ['arn:aws:dataprotection::aws:data-identifier/EmailAddress'],
        Operation: { Deny: {} },
      },
    ],
  });

  it('round-trips through Put/Get, is not a topic attribute, and refuses what is not JSON', () =>
    withTwoAccounts(async (sns, other) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guarded' }));
      assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }))).DataProtectionPolicy, undefined);
      await sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: TopicArn, DataProtectionPolicy: document }));
      assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }))).DataProtectionPolicy, document);
      const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
      assert.equal(attributes.DataProtectionPolicy, undefined);

      await rejectsWith(
        sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: TopicArn, DataProtectionPolicy: '{"Name":' })),
        'InvalidParameterException',
        'Invalid parameter: DataProtectionPolicy: failed to parse JSON',
      );
      assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }))).DataProtectionPolicy, document);
      await rejectsWith(other.send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn })), 'AuthorizationErrorException', notAllowed('GetDataProtectionPolicy', TopicArn!));
      await rejectsWith(sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: `${TopicArn}-gone` })), 'NotFoundException', 'Topic does not exist');

      // An empty policy removes it (Terraform deletes one so).
      await sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: TopicArn, DataProtectionPolicy: '' }));
      assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }))).DataProtectionPolicy, undefined);
    }));

  it('is kept from CreateTopic', () =>
    withSns(async (sns) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'born-guarded', DataProtectionPolicy: document }));
      assert.equal((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }))).DataProtectionPolicy, document);
      assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.DataProtectionPolicy, undefined);
      await rejectsWith(
        sns.send(new CreateTopicCommand({ Name: 'badly-guarded', DataProtectionPolicy: 'nope' })),
        'InvalidParameterException',
        'Invalid parameter: DataProtectionPolicy: failed to parse JSON',
      );
    }));
});

describe('policy evaluation for topic policies', () => {
  const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:t`;
  const doc = (principal: unknown) => JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sns:Publish', Resource: topic }] });
  const asService = { principalAccount: '*', principalService: 'events.amazonaws.com', action: 'SNS:Publish', resource: topic };
  const asAccount = { principalAccount: OTHER_ACCOUNT, action: 'SNS:Publish', resource: topic };

  it('matches service principals only for service callers', () => {
    assert.equal(policyAllows(doc({ Service: 'events.amazonaws.com' }), asService), true);
    assert.equal(policyAllows(doc({ Service: ['s3.amazonaws.com', 'events.amazonaws.com'] }), asService), true);
    assert.equal(policyAllows(doc({ Service: 's3.amazonaws.com' }), asService), false);
    assert.equal(policyAllows(doc('*'), asService), true);
    assert.equal(policyAllows(doc({ AWS: '*' }), asService), true);
    assert.equal(policyAllows(doc({ AWS: OTHER_ACCOUNT }), { ...asService, principalAccount: OTHER_ACCOUNT }), false);
    assert.equal(policyAllows(doc({ Service: 'events.amazonaws.com' }), asAccount), false);
    assert.equal(policyAllows(doc({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }), asAccount), true);
  });

  it('compares ARNs part by part with wildcards, and tests presence with Null', () => {
    const keys = { 'aws:SourceArn': `arn:aws:s3:::bucket-a`, 'SNS:Endpoint': `arn:aws:sqs:us-east-1:${OTHER_ACCOUNT}:q` };
    assert.equal(conditionsHold({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::bucket-*' } }, keys), true);
    assert.equal(conditionsHold({ ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::bucket-a' } }, keys), true);
    assert.equal(conditionsHold({ ArnLike: { 'sns:endpoint': `arn:aws:sqs:*:${OTHER_ACCOUNT}:*` } }, keys), true);
    // A `*` in one part does not swallow the colons after it.
    assert.equal(conditionsHold({ ArnLike: { 'SNS:Endpoint': 'arn:aws:sqs:*:q' } }, keys), false);
    assert.equal(conditionsHold({ ArnNotLike: { 'SNS:Endpoint': `arn:aws:sqs:*:${ACCOUNT}:*` } }, keys), true);
    assert.equal(conditionsHold({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:s3:::bucket-a' } }, keys), false);
    // A key the request lacks: the positive operators fail, the negated ones hold.
    assert.equal(conditionsHold({ ArnLike: { 'aws:SourceOwner': '*' } }, keys), false);
    assert.equal(conditionsHold({ ArnNotLike: { 'aws:SourceOwner': '*' } }, keys), true);
    assert.equal(conditionsHold({ Null: { 'aws:SourceOwner': 'true', 'aws:SourceArn': 'false' } }, keys), true);
    assert.equal(conditionsHold({ Null: { 'aws:SourceArn': 'true' } }, keys), false);
  });
});
