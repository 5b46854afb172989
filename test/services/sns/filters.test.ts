/**
 * Filter policies, evaluated at publish: on message attributes (String, Number, String.Array)
 * and on the message body, with the operators SNS shares with EventBridge patterns.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicCommand, PublishCommand, SubscribeCommand, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { nothingMore, queue, take, withSns } from './helpers.js';

const POLICIES: Record<string, { policy: object; scope?: 'MessageBody'; expect: string[] }> = {
  exact: { policy: { color: ['red', 'blue'] }, expect: ['m1', 'm3'] },
  'prefix-and-range': { policy: { color: [{ prefix: 'gr' }], size: [{ numeric: ['>', 10, '<=', 100] }] }, expect: ['m2'] },
  'anything-but': { policy: { color: [{ 'anything-but': ['red'] }] }, expect: ['m2', 'm3'] },
  'array-member': { policy: { tags: ['b'] }, expect: ['m1'] },
  'absent-and-ignore-case': { policy: { missing: [{ exists: false }], color: [{ 'equals-ignore-case': 'RED' }] }, expect: ['m1'] },
  'either-or': { policy: { $or: [{ color: ['blue'] }, { size: [{ numeric: ['=', 42] }] }] }, expect: ['m1', 'm3'] },
  suffix: { policy: { color: [{ suffix: 'en' }] }, expect: ['m2'] },
  'body-nested': { policy: { order: { kind: ['book'], price: [{ numeric: ['>=', 20] }] } }, scope: 'MessageBody', expect: ['m1'] },
  'body-exists': { policy: { order: { gift: [{ exists: true }] } }, scope: 'MessageBody', expect: ['m2'] },
};

const s = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
const n = (v: string): MessageAttributeValue => ({ DataType: 'Number', StringValue: v });

const MESSAGES: { body: string; attributes?: Record<string, MessageAttributeValue> }[] = [
  { body: JSON.stringify({ id: 'm1', order: { kind: 'book', price: 25 } }), attributes: { color: s('red'), size: n('42'), tags: { DataType: 'String.Array', StringValue: '["a","b"]' } } },
  { body: JSON.stringify({ id: 'm2', order: { kind: 'pen', price: 25, gift: false } }), attributes: { color: s('green'), size: n('50') } },
  { body: 'm3', attributes: { color: s('blue') } },
  { body: JSON.stringify({ id: 'm4', order: { kind: 'book', price: 19 } }) },
];

const idOf = (body: string) => (body.startsWith('{') ? JSON.parse(body).id : body);

describe('SNS filter policies', () => {
  it('deliver only the messages each subscription asked for', () =>
    withSns(async (sns, t) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'filtered' }));
      const queues: Record<string, string> = {};
      for (const [name, p] of Object.entries(POLICIES)) {
        const q = await queue(t, name);
        queues[name] = q.url;
        const Attributes: Record<string, string> = { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify(p.policy) };
        if (p.scope) Attributes.FilterPolicyScope = p.scope;
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes }));
      }
      for (const m of MESSAGES) await sns.send(new PublishCommand({ TopicArn, Message: m.body, MessageAttributes: m.attributes }));
      for (const [name, p] of Object.entries(POLICIES)) {
        const got = await take(t, queues[name]!, p.expect.length, false);
        assert.deepEqual(got.map((m) => idOf(m.Body!)).sort(), p.expect, `policy ${name}`);
      }
      for (const url of Object.values(queues)) await nothingMore(t, url, 0);
    }));
});
