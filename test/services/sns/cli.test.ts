/** SNS through Debian's AWS CLI v2, which speaks the query protocol to it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestNimbus, type TestNimbus } from '../../helpers/nimbus.js';
import { awsCli, awsJson, cliSkip, removeCliHome } from '../../helpers/aws-cli.js';
import { queue, take } from './helpers.js';

describe('SNS through the AWS CLI', { skip: cliSkip }, () => {
  let t: TestNimbus;
  before(async () => {
    t = await startTestNimbus({ clock: 'system' });
  });
  after(async () => {
    await t.stop();
    removeCliHome();
  });

  it('creates a topic, subscribes a queue, publishes with attributes and reads the topic back', async () => {
    const q = await queue(t, 'cli-inbox');
    const { TopicArn } = await awsJson(t.endpoint, 'sns', ['create-topic', '--name', 'cli-topic', '--attributes', 'DisplayName=From the CLI', '--tags', 'Key=team,Value=a']);
    assert.equal(TopicArn, 'arn:aws:sns:us-east-1:000000000000:cli-topic');
    const { SubscriptionArn } = await awsJson(t.endpoint, 'sns', ['subscribe', '--topic-arn', TopicArn, '--protocol', 'sqs', '--notification-endpoint', q.arn, '--attributes', 'RawMessageDelivery=true']);
    assert.ok(SubscriptionArn.startsWith(TopicArn + ':'));
    const published = await awsJson(t.endpoint, 'sns', [
      'publish',
      '--topic-arn',
      TopicArn,
      '--message',
      'from the cli',
      '--message-attributes',
      '{"kind":{"DataType":"String","StringValue":"test"}}',
    ]);
    assert.match(published.MessageId, /^[0-9a-f-]{36}$/);
    const [m] = await take(t, q.url, 1);
    assert.equal(m!.Body, 'from the cli');
    assert.equal(m!.MessageAttributes!.kind!.StringValue, 'test');

    const { Attributes } = await awsJson(t.endpoint, 'sns', ['get-topic-attributes', '--topic-arn', TopicArn]);
    assert.equal(Attributes.DisplayName, 'From the CLI');
    assert.equal(Attributes.SubscriptionsConfirmed, '1');
    const { Topics } = await awsJson(t.endpoint, 'sns', ['list-topics']);
    assert.deepEqual(Topics, [{ TopicArn }]);
    const { Tags } = await awsJson(t.endpoint, 'sns', ['list-tags-for-resource', '--resource-arn', TopicArn]);
    assert.deepEqual(Tags, [{ Key: 'team', Value: 'a' }]);

    const missing = await awsCli(t.endpoint, 'sns', ['get-topic-attributes', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound.*Topic does not exist/);
  });
});
