/**
 * The fan-out drainer. Publish commits each message with one pending delivery per matching
 * subscription (the outbox); this hands them to SQS (`sqs.sendMessage`) or Lambda
 * (`lambda.invokeAsync`) in-process, then removes them. At least once: a crash between a send
 * and its removal sends again (a FIFO queue deduplicates it by its MessageDeduplicationId).
 *
 * Deliveries of one subscription go out in publish order; a FIFO message waiting for a retry
 * holds back the later messages of its group for that subscription. Failures follow SNS's
 * policy for AWS-managed endpoints (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html):
 * a client-side error (the queue or function is gone, the message is refused) is not retried;
 * a server-side one is retried 3 times at once, 2 times after 1 s, 10 times backing off from
 * 1 s to 20 s, then every 20 s, 100,015 attempts in all. Then the delivery goes to the
 * subscription's dead-letter queue (RedrivePolicy) when it has one, else it is dropped with a
 * warning in the log.
 *
 * HTTP/HTTPS endpoints get a POST with the x-amz-sns-* headers and the JSON envelope (the
 * bare message with raw delivery), or their SubscriptionConfirmation; a 2xx answer delivers,
 * anything else (another status, a refused connection, the 15 s timeout) fails the attempt,
 * which is retried by SNS's default policy for HTTP endpoints: 3 retries 20 s apart (the
 * DeliveryPolicy attribute is not applied yet). Then a notification goes to the dead-letter
 * queue; a confirmation is dropped.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock, Timer } from '../../../lib/clock.js';
import type { InternalApi } from '../../../lib/internal.js';
import type { Logger } from '../../../lib/log.js';
import { AwsError } from '../../../protocols/errors.js';
import type { Store } from '../../../store/store.js';
import type { DeliveryRecord, SnsMessageAttributes, SnsRepo, StoredMessage } from '../repo.js';
import { messageFor } from './publish.js';
import { signNotification, warmSigningKey } from './signature.js';

const PAGE = 500;
const MAX_ATTEMPTS = 100_015;
/** SNS's default healthy retry policy for HTTP/HTTPS: 3 retries, 20 s apart (linear). */
const HTTP_MAX_ATTEMPTS = 4;
const HTTP_RETRY_MS = 20_000;
const HTTP_TIMEOUT_MS = 15_000;

/** An HTTP/HTTPS endpoint that did not answer 2xx. */
class EndpointError extends Error {}

const isHttp = (protocol: string) => protocol === 'http' || protocol === 'https';

/** The wait before attempt `failed + 1`, after `failed` failed attempts. */
export function retryDelayMs(failed: number): number {
  if (failed <= 3) return 0;
  if (failed <= 5) return 1000;
  if (failed <= 15) return Math.round(1000 * Math.pow(20, (failed - 6) / 9));
  return 20_000;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; attempts: number; nextAt: number };

/** A message with what its deliveries share: the signature and timestamp text. */
interface Rendered {
  m: StoredMessage;
  timestamp: string;
  signature: string;
  /** A SubscriptionConfirmation's SubscribeURL. */
  subscribeUrl?: string;
}

export class Deliveries {
  private started = false;
  private stopped = false;
  private draining: Promise<void> | undefined;
  private again = false;
  private timer: Timer | undefined;

  constructor(
    private readonly repo: SnsRepo,
    private readonly store: Store,
    private readonly internal: InternalApi,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly endpoint: () => string,
  ) {}

  /** Starts delivering, beginning with what a previous run left pending. */
  start(): void {
    this.started = true;
    warmSigningKey();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.draining;
  }

  /** Delivers what the outbox holds; one drain at a time, again if kicked meanwhile. */
  kick(): void {
    if (!this.started || this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((e) => this.log.error('sns delivery failed', { error: e instanceof Error ? e.stack : String(e) }))
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.arm();
      });
  }

  /** Wakes the drainer when the earliest delivery waiting for a retry is due. */
  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.stopped) return;
    const due = this.repo.nextDue();
    if (due !== undefined) this.timer = this.clock.at(due, () => this.kick());
  }

  private async drain(): Promise<void> {
    let after = 0;
    /** Per subscription, the FIFO groups held back by an earlier delivery still waiting. */
    const heldBySubscription = new Map<string, Set<string>>();
    for (;;) {
      const page = this.repo.pendingDeliveries(after, PAGE);
      if (page.length === 0 || this.stopped) return;
      after = page[page.length - 1]!.id;
      const now = this.clock.now();
      const rendered = new Map<number, Promise<Rendered | undefined>>();
      const lanes = new Map<string, DeliveryRecord[]>();
      for (const d of page) {
        const lane = lanes.get(d.subscriptionArn);
        if (lane) lane.push(d);
        else lanes.set(d.subscriptionArn, [d]);
      }
      const outcomes = new Map<number, Outcome>();
      await Promise.all(
        [...lanes.values()].map(async (lane) => {
          const arn = lane[0]!.subscriptionArn;
          let held = heldBySubscription.get(arn);
          if (!held) heldBySubscription.set(arn, (held = new Set()));
          for (const d of lane) {
            if (this.stopped) return;
            let r = rendered.get(d.messageRow);
            if (!r) rendered.set(d.messageRow, (r = this.render(d.messageRow)));
            const msg = await r;
            if (!msg) {
              outcomes.set(d.id, { kind: 'done' });
              continue;
            }
            const group = msg.m.sequenceNumber !== undefined ? (msg.m.groupId ?? '') : undefined;
            if (group !== undefined && held.has(group)) continue;
            if (d.nextAt > now) {
              if (group !== undefined) held.add(group);
              continue;
            }
            const outcome = await this.attempt(d, msg, now);
            outcomes.set(d.id, outcome);
            if (outcome.kind === 'retry' && group !== undefined) held.add(group);
          }
        }),
      );
      if (outcomes.size) {
        await this.store.write(() => {
          for (const [id, o] of outcomes) {
            if (o.kind === 'done') this.repo.finishDelivery(id);
            else this.repo.retryDelivery(id, o.attempts, o.nextAt);
          }
        });
      }
    }
  }

  private async render(row: number): Promise<Rendered | undefined> {
    const m = this.repo.getMessage(row);
    if (!m) return undefined;
    const timestamp = new Date(m.timestamp).toISOString();
    if (m.type === 'SubscriptionConfirmation') {
      const subscribeUrl = `${this.endpoint()}/_nimbus/sns/confirm?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(m.topicArn)}&Token=${m.token}`;
      const signature = await signNotification({ Message: m.message, MessageId: m.messageId, SubscribeURL: subscribeUrl, Timestamp: timestamp, Token: m.token!, TopicArn: m.topicArn, Type: m.type });
      return { m, timestamp, signature, subscribeUrl };
    }
    const signature = await signNotification({ Message: m.message, MessageId: m.messageId, Subject: m.subject, Timestamp: timestamp, TopicArn: m.topicArn, Type: 'Notification' });
    return { m, timestamp, signature };
  }

  /** One try of one delivery: done (delivered, dead-lettered or dropped) or to retry. */
  private async attempt(d: DeliveryRecord, r: Rendered, now: number): Promise<Outcome> {
    try {
      await this.send(d, r);
      return { kind: 'done' };
    } catch (e) {
      const attempts = d.attempts + 1;
      if (isHttp(d.protocol)) {
        if (attempts < HTTP_MAX_ATTEMPTS) return { kind: 'retry', attempts, nextAt: now + HTTP_RETRY_MS };
        if (r.m.type === 'SubscriptionConfirmation') {
          this.log.warn('SNS subscription confirmation not delivered', { subscription: d.subscriptionArn, endpoint: d.endpoint, error: e instanceof Error ? e.message : String(e) });
        } else await this.deadLetter(d, r, e);
        return { kind: 'done' };
      }
      const clientSide = e instanceof AwsError && e.status < 500;
      if (!clientSide && attempts < MAX_ATTEMPTS) return { kind: 'retry', attempts, nextAt: now + retryDelayMs(attempts) };
      await this.deadLetter(d, r, e);
      return { kind: 'done' };
    }
  }

  private async send(d: DeliveryRecord, r: Rendered): Promise<void> {
    if (isHttp(d.protocol)) return this.sendToEndpoint(d, r);
    if (d.protocol === 'lambda') {
      const invoke = this.internal.get('lambda.invokeAsync');
      if (!invoke) throw new Error('the functions service is not running');
      await invoke({ functionArn: d.endpoint, payload: JSON.stringify(this.lambdaEvent(d, r)), from: 'sns.amazonaws.com' });
      return;
    }
    await this.sendToQueue(d.endpoint, d, r);
  }

  private async sendToQueue(queueArn: string, d: DeliveryRecord, r: Rendered): Promise<void> {
    const send = this.internal.get('sqs.sendMessage');
    if (!send) throw new Error('the queue service is not running');
    const { m } = r;
    const fifoQueue = queueArn.endsWith('.fifo');
    await send({
      queueArn,
      body: d.raw ? messageFor(m, 'sqs') : this.envelope(d, r),
      from: 'sns.amazonaws.com',
      ...(d.raw && Object.keys(m.attributes).length ? { messageAttributes: sqsAttributes(m.attributes) } : {}),
      ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
      ...(fifoQueue && m.dedupId !== undefined ? { dedupId: m.dedupId } : {}),
    });
  }

  /** One POST to an HTTP/HTTPS subscriber; resolves on a 2xx answer. */
  private async sendToEndpoint(d: DeliveryRecord, r: Rendered): Promise<void> {
    const { m } = r;
    const confirmation = m.type === 'SubscriptionConfirmation';
    if (confirmation) {
      // A subscription confirmed or removed meanwhile needs no (more) confirmation.
      const s = this.repo.getSubscription(d.subscriptionArn);
      if (!s?.pending) return;
    }
    const body = confirmation ? this.confirmation(r) : d.raw ? messageFor(m, d.protocol) : this.envelope(d, r);
    const headers: Record<string, string | number> = {
      'x-amz-sns-message-type': confirmation ? 'SubscriptionConfirmation' : 'Notification',
      'x-amz-sns-message-id': m.messageId,
      'x-amz-sns-topic-arn': m.topicArn,
      ...(confirmation ? {} : { 'x-amz-sns-subscription-arn': d.subscriptionArn }),
      ...(!confirmation && d.raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
      'content-type': 'text/plain; charset=UTF-8',
      'content-length': Buffer.byteLength(body),
      'user-agent': 'Amazon Simple Notification Service Agent',
    };
    const url = new URL(d.endpoint);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    await new Promise<void>((resolve, reject) => {
      const req = send(url, { method: 'POST', headers, timeout: HTTP_TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new EndpointError(`the endpoint answered ${status}`));
        });
      });
      req.on('timeout', () => req.destroy(new EndpointError(`no answer in ${HTTP_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The SubscriptionConfirmation an HTTP/HTTPS endpoint receives, in SNS's layout. */
  private confirmation(r: Rendered): string {
    const { m } = r;
    return layout({
      Type: 'SubscriptionConfirmation',
      MessageId: m.messageId,
      Token: m.token,
      TopicArn: m.topicArn,
      Message: m.message,
      SubscribeURL: r.subscribeUrl,
      Timestamp: r.timestamp,
      SignatureVersion: '1',
      Signature: r.signature,
      SigningCertURL: this.certUrl(),
    });
  }

  private async deadLetter(d: DeliveryRecord, r: Rendered, cause: unknown): Promise<void> {
    const why = cause instanceof Error ? cause.message : String(cause);
    if (d.dlqArn) {
      try {
        await this.sendToQueue(d.dlqArn, { ...d, raw: d.protocol === 'sqs' && d.raw }, r);
        return;
      } catch (e) {
        this.log.warn('SNS delivery dropped: its dead-letter queue refused it', { subscription: d.subscriptionArn, dlq: d.dlqArn, error: String(e), cause: why });
        return;
      }
    }
    this.log.warn('SNS delivery dropped', { subscription: d.subscriptionArn, endpoint: d.endpoint, messageId: r.m.messageId, error: why });
  }

  /** The SNS JSON envelope SQS subscribers (without raw delivery) receive. */
  private envelope(d: DeliveryRecord, r: Rendered): string {
    const { m } = r;
    const fields: Record<string, unknown> = {
      Type: 'Notification',
      MessageId: m.messageId,
      ...(m.sequenceNumber !== undefined ? { SequenceNumber: m.sequenceNumber } : {}),
      TopicArn: m.topicArn,
      ...(m.subject !== undefined ? { Subject: m.subject } : {}),
      Message: messageFor(m, d.protocol),
      Timestamp: r.timestamp,
      SignatureVersion: '1',
      Signature: r.signature,
      SigningCertURL: this.certUrl(),
      UnsubscribeURL: this.unsubscribeUrl(d),
      ...(Object.keys(m.attributes).length ? { MessageAttributes: envelopeAttributes(m.attributes) } : {}),
    };
    return layout(fields);
  }

  /** The event a Lambda subscriber is invoked with. */
  private lambdaEvent(d: DeliveryRecord, r: Rendered) {
    const { m } = r;
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: d.subscriptionArn,
          Sns: {
            Type: 'Notification',
            MessageId: m.messageId,
            TopicArn: m.topicArn,
            Subject: m.subject ?? null,
            Message: messageFor(m, 'lambda'),
            Timestamp: r.timestamp,
            SignatureVersion: '1',
            Signature: r.signature,
            SigningCertUrl: this.certUrl(),
            UnsubscribeUrl: this.unsubscribeUrl(d),
            MessageAttributes: envelopeAttributes(m.attributes),
          },
        },
      ],
    };
  }

  private certUrl(): string {
    return `${this.endpoint()}${CERT_PATH}`;
  }

  /** Unsubscribe tokens by subscription ARN (they never change while the subscription lives). */
  private readonly unsubscribeTokens = new Map<string, string>();

  private unsubscribeUrl(d: DeliveryRecord): string {
    let token = this.unsubscribeTokens.get(d.subscriptionArn);
    if (token === undefined) {
      token = this.repo.getSubscription(d.subscriptionArn)?.unsubscribeToken;
      if (token !== undefined) {
        if (this.unsubscribeTokens.size >= 10_000) this.unsubscribeTokens.clear();
        this.unsubscribeTokens.set(d.subscriptionArn, token);
      }
    }
    return `${this.endpoint()}/_nimbus/sns/unsubscribe?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(d.subscriptionArn)}${token ? `&Token=${token}` : ''}`;
  }
}

/** Where Nimbus serves the signing certificate. */
export const CERT_PATH = '/_nimbus/sns/SimpleNotificationService.pem';

/** SNS's own JSON layout: one member a line (undefined members left out). */
function layout(fields: Record<string, unknown>): string {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`).join(',\n')}\n}`;
}

/** Message attributes as the envelope and the Lambda event carry them: `{Type, Value}`, binary as base64. */
function envelopeAttributes(attributes: SnsMessageAttributes): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [k, a] of Object.entries(attributes)) out[k] = { Type: a.DataType, Value: a.BinaryValue ? a.BinaryValue.toString('base64') : (a.StringValue ?? '') };
  return out;
}

/** Message attributes as SQS message attributes (raw delivery). */
function sqsAttributes(attributes: SnsMessageAttributes) {
  const out: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Buffer }> = {};
  for (const [k, a] of Object.entries(attributes)) out[k] = a.BinaryValue ? { DataType: a.DataType, BinaryValue: a.BinaryValue } : { DataType: a.DataType, StringValue: a.StringValue ?? '' };
  return out;
}
