/** Subscribe, ConfirmSubscription, Unsubscribe, the two listings, and subscription attributes. */
import { defineOperation } from '../../../protocols/define-operation.js';
import type { Operation } from '../../service.js';
import type { SnsEngine } from '../engine/index.js';
import type { SubscriptionRecord } from '../repo.js';
import { attributeMap, boolean, required, string, structure, subscriptionList } from './shapes.js';

const listed = (s: SubscriptionRecord) => ({ SubscriptionArn: s.pending ? 'PendingConfirmation' : s.arn, Owner: s.owner, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn });

export function subscriptionOperations({ topics, subscriptions }: SnsEngine): Record<string, Operation> {
  return {
    Subscribe: defineOperation({
      input: structure({
        TopicArn: required(string()),
        Protocol: required(string()),
        Endpoint: string(),
        Attributes: attributeMap,
        ReturnSubscriptionArn: boolean(),
      }),
      output: structure({ SubscriptionArn: string() }),
      async handler(input, ctx) {
        // A topic policy may condition Subscribe on what is subscribed.
        const topic = topics.resolve(input.TopicArn, ctx, 'Subscribe', 'TopicArn', { 'SNS:Protocol': input.Protocol, 'SNS:Endpoint': input.Endpoint });
        const s = await subscriptions.subscribe(topic, ctx, input.Protocol, input.Endpoint, input.Attributes ?? {});
        return { SubscriptionArn: s.pending && !input.ReturnSubscriptionArn ? 'pending confirmation' : s.arn };
      },
    }),

    ConfirmSubscription: defineOperation({
      input: structure({ TopicArn: required(string()), Token: required(string()), AuthenticateOnUnsubscribe: string() }),
      output: structure({ SubscriptionArn: string() }),
      async handler(input) {
        // The token is the credential, as in SNS: any caller holding it may confirm.
        const s = await subscriptions.confirm(input.TopicArn, input.Token, { signed: true, authenticateOnUnsubscribe: input.AuthenticateOnUnsubscribe?.toLowerCase() === 'true' });
        return { SubscriptionArn: s.arn };
      },
    }),

    Unsubscribe: defineOperation({
      input: structure({ SubscriptionArn: required(string()) }),
      async handler(input, ctx) {
        await subscriptions.unsubscribe(subscriptions.resolve(input.SubscriptionArn, ctx));
      },
    }),

    ListSubscriptions: defineOperation({
      input: structure({ NextToken: string() }),
      output: structure({ Subscriptions: subscriptionList, NextToken: string() }),
      async handler(input, ctx) {
        const { subscriptions: page, next } = await subscriptions.list(ctx, input.NextToken);
        return { Subscriptions: page.map(listed), NextToken: next };
      },
    }),

    ListSubscriptionsByTopic: defineOperation({
      input: structure({ TopicArn: required(string()), NextToken: string() }),
      output: structure({ Subscriptions: subscriptionList, NextToken: string() }),
      async handler(input, ctx) {
        const topic = topics.resolve(input.TopicArn, ctx, 'ListSubscriptionsByTopic');
        const { subscriptions: page, next } = await subscriptions.listByTopic(topic, input.NextToken);
        return { Subscriptions: page.map(listed), NextToken: next };
      },
    }),

    GetSubscriptionAttributes: defineOperation({
      input: structure({ SubscriptionArn: required(string()) }),
      output: structure({ Attributes: attributeMap }),
      handler(input, ctx) {
        const s = subscriptions.resolve(input.SubscriptionArn, ctx);
        return { Attributes: subscriptions.attributes(s, topics.byArn(s.topicArn)) };
      },
    }),

    SetSubscriptionAttributes: defineOperation({
      input: structure({ SubscriptionArn: required(string()), AttributeName: required(string()), AttributeValue: string() }),
      async handler(input, ctx) {
        await subscriptions.setAttribute(subscriptions.resolve(input.SubscriptionArn, ctx), input.AttributeName, input.AttributeValue);
      },
    }),
  };
}
