/** Subscribe, ConfirmSubscription, Unsubscribe, the two listings, and subscription attributes. */
import type { Operation, RequestContext } from '../../service.js';
import type { SnsEngine } from '../engine/index.js';
import type { SubscriptionRecord } from '../repo.js';
import { attributeMap, boolean, required, string, structure, subscriptionList } from './shapes.js';

const listed = (s: SubscriptionRecord) => ({ SubscriptionArn: s.pending ? 'PendingConfirmation' : s.arn, Owner: s.owner, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn });

export function subscriptionOperations({ topics, subscriptions }: SnsEngine): Record<string, Operation> {
  return {
    Subscribe: {
      input: structure({
        TopicArn: required(string()),
        Protocol: required(string()),
        Endpoint: string(),
        Attributes: attributeMap,
        ReturnSubscriptionArn: boolean(),
      }),
      output: structure({ SubscriptionArn: string() }),
      async handler(input: { TopicArn: string; Protocol: string; Endpoint?: string; Attributes?: Record<string, string>; ReturnSubscriptionArn?: boolean }, ctx: RequestContext) {
        // A topic policy may condition Subscribe on what is subscribed.
        const topic = topics.resolve(input.TopicArn, ctx, 'Subscribe', 'TopicArn', { 'SNS:Protocol': input.Protocol, 'SNS:Endpoint': input.Endpoint });
        const s = await subscriptions.subscribe(topic, ctx, input.Protocol, input.Endpoint, input.Attributes ?? {});
        return { SubscriptionArn: s.pending && !input.ReturnSubscriptionArn ? 'pending confirmation' : s.arn };
      },
    },

    ConfirmSubscription: {
      input: structure({ TopicArn: required(string()), Token: required(string()), AuthenticateOnUnsubscribe: string() }),
      output: structure({ SubscriptionArn: string() }),
      async handler(input: { TopicArn: string; Token: string; AuthenticateOnUnsubscribe?: string }) {
        // The token is the credential, as in SNS: any caller holding it may confirm.
        const s = await subscriptions.confirm(input.TopicArn, input.Token, { signed: true, authenticateOnUnsubscribe: input.AuthenticateOnUnsubscribe?.toLowerCase() === 'true' });
        return { SubscriptionArn: s.arn };
      },
    },

    Unsubscribe: {
      input: structure({ SubscriptionArn: required(string()) }),
      async handler(input: { SubscriptionArn: string }, ctx: RequestContext) {
        await subscriptions.unsubscribe(subscriptions.resolve(input.SubscriptionArn, ctx));
      },
    },

    ListSubscriptions: {
      input: structure({ NextToken: string() }),
      output: structure({ Subscriptions: subscriptionList, NextToken: string() }),
      async handler(input: { NextToken?: string }, ctx: RequestContext) {
        const { subscriptions: page, next } = await subscriptions.list(ctx, input.NextToken);
        return { Subscriptions: page.map(listed), NextToken: next };
      },
    },

    ListSubscriptionsByTopic: {
      input: structure({ TopicArn: required(string()), NextToken: string() }),
      output: structure({ Subscriptions: subscriptionList, NextToken: string() }),
      async handler(input: { TopicArn: string; NextToken?: string }, ctx: RequestContext) {
        const topic = topics.resolve(input.TopicArn, ctx, 'ListSubscriptionsByTopic');
        const { subscriptions: page, next } = await subscriptions.listByTopic(topic, input.NextToken);
        return { Subscriptions: page.map(listed), NextToken: next };
      },
    },

    GetSubscriptionAttributes: {
      input: structure({ SubscriptionArn: required(string()) }),
      output: structure({ Attributes: attributeMap }),
      handler(input: { SubscriptionArn: string }, ctx: RequestContext) {
        const s = subscriptions.resolve(input.SubscriptionArn, ctx);
        return { Attributes: subscriptions.attributes(s, topics.byArn(s.topicArn)) };
      },
    },

    SetSubscriptionAttributes: {
      input: structure({ SubscriptionArn: required(string()), AttributeName: required(string()), AttributeValue: string() }),
      async handler(input: { SubscriptionArn: string; AttributeName: string; AttributeValue?: string }, ctx: RequestContext) {
        await subscriptions.setAttribute(subscriptions.resolve(input.SubscriptionArn, ctx), input.AttributeName, input.AttributeValue);
      },
    },
  };
}
