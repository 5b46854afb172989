/**
 * The protocols SNS delivers to, as plug-ins: each sink says which endpoints it takes, whether
 * its subscriptions wait for a confirmation, how one delivery is made, and how failures are
 * retried. A new sink (the API gateway's WebSocket connections) is one more entry in SINKS.
 *
 * SQS is the one sink the publisher also serves itself, inside the Publish's commit
 * (publisher.ts); its deliver() here carries what an outbox still holds for a queue.
 */
import { parseArn } from '../../../lib/arn.js';
import type { InternalApi } from '../../../lib/internal.js';
import { AwsError } from '../../../protocols/errors.js';
import { AuthorizationError, invalidParameter } from '../errors.js';
import type { DeliveryRecord, StoredMessage } from '../repo.js';
import { confirmation, envelope, lambdaEvent, messageFor, queueMessage, type EnvelopeParts, type Links } from './envelope.js';
import type { OutboundGuard } from '../../../lib/outbound.js';
import { postToEndpoint } from './http-post.js';
import { httpDeliveryPolicy, MANAGED_POLICY, retryDelayMs } from './retry-policy.js';
import type { Signer } from './signature.js';
import type { Topic } from './topics.js';

/** What a sink delivers with. */
export interface SinkContext {
  internal: InternalApi;
  links: Links;
  signer: Signer;
  /** Aborted when Nimbus stops: a delivery cut short by it stays pending. */
  stopping: AbortSignal;
  /** The signature and links of the envelope of `m` for this delivery (and a protocol's own message). */
  parts(d: DeliveryRecord, m: StoredMessage, protocol?: string): Promise<EnvelopeParts>;
  /** The DeliveryPolicy attributes in force for the subscription and its topic. */
  deliveryPolicies(subscriptionArn: string, topicArn: string): { topic?: string; subscription?: string };
  /** Whether a subscription still waits for its confirmation. */
  isPending(subscriptionArn: string): boolean;
  /** Which addresses HTTP/HTTPS endpoints may be at. */
  outbound: OutboundGuard;
}

export interface Sink {
  /** Checks Subscribe's Endpoint on this topic; throws SNS's InvalidParameter. */
  checkEndpoint(endpoint: string | undefined, topic: Topic): void;
  /** Subscriptions wait, pending, until the endpoint confirms the SubscriptionConfirmation sent to it. */
  confirms: boolean;
  /** RawMessageDelivery may be set. */
  raw: boolean;
  /** One attempt at one delivery: resolves once delivered, throws to fail it. */
  deliver(d: DeliveryRecord, m: StoredMessage, ctx: SinkContext): Promise<void>;
  /** The wait (ms) before retry number `retry` after `error`; undefined: no more retries. */
  retryDelay(d: DeliveryRecord, m: StoredMessage, retry: number, error: unknown, ctx: SinkContext): number | undefined;
  /** At most this many deliveries a second to one subscription (HTTP throttlePolicy). */
  maxPerSecond?(d: DeliveryRecord, m: StoredMessage, ctx: SinkContext): number | undefined;
}

const FIFO_ONLY_QUEUES = 'Invalid parameter: Endpoint Reason: FIFO topics deliver only to SQS FIFO queues';

/** AWS-managed endpoints: the sender's errors (the queue or function is gone, refuses) are not retried. */
function managedRetry(_d: DeliveryRecord, _m: StoredMessage, retry: number, error: unknown): number | undefined {
  if (error instanceof AwsError && error.status < 500) return undefined;
  return retryDelayMs(MANAGED_POLICY, retry);
}

const sqs: Sink = {
  confirms: false,
  raw: true,
  checkEndpoint(endpoint, topic) {
    const target = endpoint === undefined ? undefined : parseArn(endpoint);
    if (!target || target.service !== 'sqs' || !target.resource) throw invalidParameter('SQS endpoint ARN');
    const fifoQueue = target.resource.endsWith('.fifo');
    if (topic.fifo && !fifoQueue) throw invalidParameter('Invalid parameter: Endpoint Reason: Please use FIFO SQS queue');
    if (!topic.fifo && fifoQueue) throw invalidParameter('Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
  },
  async deliver(d, m, ctx) {
    await sendToQueue(ctx, d.endpoint, m, d.raw ? undefined : await ctx.parts(d, m));
  },
  retryDelay: managedRetry,
};

const lambda: Sink = {
  confirms: false,
  raw: false,
  checkEndpoint(endpoint, topic) {
    const target = endpoint === undefined ? undefined : parseArn(endpoint);
    if (!target || target.service !== 'lambda' || !target.resource.startsWith('function:')) throw invalidParameter('Lambda endpoint ARN');
    if (topic.fifo) throw invalidParameter(FIFO_ONLY_QUEUES);
  },
  async deliver(d, m, ctx) {
    const invoke = ctx.internal.get('lambda.invokeAsync');
    if (!invoke) throw new Error('the functions service is not running');
    // Lambda keeps resource policies without evaluating them yet: a topic invokes only its own
    // account's functions (another account's would need the function's policy to allow SNS).
    const exists = ctx.internal.get('lambda.functionExists');
    if (exists && !exists({ functionArn: d.endpoint, accountId: accountOf(m.topicArn) })) {
      throw new AuthorizationError(`sns.amazonaws.com may not invoke ${d.endpoint} for ${m.topicArn}`);
    }
    await invoke({ functionArn: d.endpoint, payload: JSON.stringify(lambdaEvent(m, d.subscriptionArn, await ctx.parts(d, m))), from: 'sns.amazonaws.com' });
  },
  retryDelay: managedRetry,
};

/** HTTP and HTTPS: a POST per delivery, under the DeliveryPolicy in force. */
function web(protocol: 'http' | 'https'): Sink {
  const policy = (d: DeliveryRecord, m: StoredMessage, ctx: SinkContext) => {
    const p = ctx.deliveryPolicies(d.subscriptionArn, m.topicArn);
    return httpDeliveryPolicy(p.topic, p.subscription);
  };
  return {
    confirms: true,
    raw: true,
    checkEndpoint(endpoint, topic) {
      let url: URL | undefined;
      try {
        url = endpoint === undefined ? undefined : new URL(endpoint);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== `${protocol}:`) throw invalidParameter('Endpoint must match the specified protocol');
      if (topic.fifo) throw invalidParameter(FIFO_ONLY_QUEUES);
    },
    async deliver(d, m, ctx) {
      const { contentType } = policy(d, m, ctx);
      const common = { url: d.endpoint, messageId: m.messageId, topicArn: m.topicArn, contentType };
      if (m.type === 'SubscriptionConfirmation') {
        // A subscription confirmed or removed meanwhile needs no (more) confirmation.
        if (!ctx.isPending(d.subscriptionArn)) return;
        const subscribeUrl = ctx.links.subscribe(m);
        const signature = await ctx.signer.message(m, protocol, subscribeUrl);
        const body = confirmation(m, subscribeUrl, signature, ctx.links.cert());
        await postToEndpoint({ ...common, type: 'SubscriptionConfirmation', raw: false, body }, ctx.outbound, ctx.stopping);
        return;
      }
      const body = d.raw ? messageFor(m, protocol) : envelope(m, protocol, await ctx.parts(d, m));
      await postToEndpoint({ ...common, type: 'Notification', subscriptionArn: d.subscriptionArn, raw: d.raw, body }, ctx.outbound, ctx.stopping);
    },
    // Every failure of an endpoint counts against its policy, whatever it answered.
    retryDelay: (d, m, retry, _error, ctx) => retryDelayMs(policy(d, m, ctx).retry, retry),
    maxPerSecond: (d, m, ctx) => policy(d, m, ctx).maxPerSecond,
  };
}

/** The sinks by protocol. */
export const SINKS: Readonly<Record<string, Sink>> = { sqs, lambda, http: web('http'), https: web('https') };

/**
 * Sends a message to a queue as SNS for its topic (the queue's policy decides): the envelope
 * with `parts`, else the raw message. Throws SQS's refusal, or when SQS is not running.
 */
export async function sendToQueue(ctx: Pick<SinkContext, 'internal'>, queueArn: string, m: StoredMessage, parts: EnvelopeParts | undefined): Promise<void> {
  const send = ctx.internal.get('sqs.sendMessages');
  if (!send) throw new Error('the queue service is not running');
  const [result] = await send({
    queueArn,
    from: 'sns.amazonaws.com',
    sourceArn: m.topicArn,
    sourceAccount: accountOf(m.topicArn),
    messages: [queueMessage(m, parts === undefined, queueArn, parts)],
  });
  if (result && 'error' in result) throw result.error;
}

/** The account in an ARN (a topic's owner, from its ARN). */
export const accountOf = (arn: string) => parseArn(arn)?.account ?? '';
