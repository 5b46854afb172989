/**
 * The fan-out drainer. Publish commits each message with one pending delivery per matching
 * subscription (the outbox); this hands them to SQS, Lambda or HTTP endpoints and removes them.
 *
 * Each subscription drains in its own lane, so a slow or failing endpoint holds up only its
 * own deliveries. A lane reads its deliveries in publish order, a batch at a time, from a
 * cursor that only moves forward; a publish wakes the lanes it added to. Deliveries waiting
 * for a retry are passed over (on a FIFO topic they hold back the rest of their message
 * group), and the lane reads again from its start when the earliest of them is due.
 *
 * SQS: a batch goes to its queue in one call, and the deliveries it carried are removed in
 * the same commit as the messages are enqueued, so a crash never sends one twice nor loses
 * one. Lambda: asynchronous invokes, stored durably by the functions service before the
 * delivery is removed. HTTP/HTTPS: POSTs, several at a time, or as many a second as the
 * DeliveryPolicy's throttlePolicy allows.
 *
 * Failures follow SNS's policies (retry-policy.ts): a client-side error from SQS or Lambda
 * (the queue or function is gone, the queue's policy refuses SNS, the message is refused) is
 * not retried; server-side ones are, with SNS's policy for managed endpoints; HTTP/HTTPS with
 * the DeliveryPolicy in force. After the last retry the message goes to the subscription's
 * dead-letter queue (RedrivePolicy) if it has one, else it is dropped with a warning; a
 * SubscriptionConfirmation is just dropped.
 */
import type { Clock, Timer } from '../../../lib/clock.js';
import type { InternalApi } from '../../../lib/internal.js';
import type { Logger } from '../../../lib/log.js';
import { AwsError } from '../../../protocols/errors.js';
import type { Store } from '../../../store/store.js';
import type { DeliveryRecord, SnsRepo, StoredMessage } from '../repo.js';
import { confirmation, envelope, lambdaEvent, messageFor, queueMessage, type EnvelopeParts, type Links } from './envelope.js';
import { postToEndpoint } from './http-post.js';
import { httpDeliveryPolicy, MANAGED_POLICY, retryDelayMs } from './retry-policy.js';
import type { Signer } from './signature.js';

/** Deliveries a lane reads at a time. */
const BATCH = 256;
/** POSTs in flight at once per HTTP/HTTPS subscription of a standard topic. */
const HTTP_PARALLEL = 8;

interface Due {
  d: DeliveryRecord;
  m: StoredMessage;
}

type Outcome = { id: number; retryAt?: number; attempts?: number };

class Lane {
  cursor = 0;
  running = false;
  again = false;
  /** Read again from the start on the next run (a retry became due). */
  rescan = false;
  /** FIFO groups held back by an earlier delivery waiting for its retry, since the last rescan. */
  readonly held = new Set<string>();
  /** The earliest retry seen since the last rescan. */
  nextDue = Infinity;
  /** A throttled HTTP/HTTPS subscription: when its next POST may start. */
  nextStart = 0;
  timer: Timer | undefined;
}

/** What the drainer needs to know of a subscription and its topic at delivery time. */
export interface DeliveryContext {
  /** The DeliveryPolicy attributes in force for an HTTP/HTTPS subscription. */
  deliveryPolicies(subscriptionArn: string, topicArn: string): { topic?: string; subscription?: string };
  /** The subscription's UnsubscribeURL token. */
  unsubscribeToken(subscriptionArn: string): string | undefined;
  /** Whether a subscription still waits for its confirmation. */
  isPending(subscriptionArn: string): boolean;
}

export class Deliveries {
  private started = false;
  private stopped = false;
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<void>>();
  /** Ends POSTs in flight at stop: their deliveries stay pending for the next run. */
  private readonly abort = new AbortController();

  constructor(
    private readonly repo: SnsRepo,
    private readonly store: Store,
    private readonly internal: InternalApi,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly links: Links,
    private readonly signer: Signer,
    private readonly context: DeliveryContext,
  ) {}

  /** Starts delivering, beginning with what a previous run left pending. */
  start(): void {
    this.started = true;
    this.signer.warm();
    for (const arn of this.repo.subscriptionsWithPending()) this.wake(arn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const lane of this.lanes.values()) lane.timer?.cancel();
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** Drains a subscription's lane (after a publish added to it); again after the current run if one is going. */
  wake(subscriptionArn: string): void {
    if (!this.started || this.stopped) return;
    let lane = this.lanes.get(subscriptionArn);
    if (!lane) this.lanes.set(subscriptionArn, (lane = new Lane()));
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = true;
    const run: Promise<void> = this.drain(subscriptionArn, lane)
      .catch((e) => this.log.error('sns delivery failed', { subscription: subscriptionArn, error: e instanceof Error ? e.stack : String(e) }))
      .finally(() => {
        this.running.delete(run);
        lane.running = false;
        if (lane.again) {
          lane.again = false;
          this.wake(subscriptionArn);
        } else this.rest(subscriptionArn, lane);
      });
    this.running.add(run);
  }

  /** A lane with nothing left to read: wait for its earliest retry, or forget it. */
  private rest(arn: string, lane: Lane): void {
    lane.timer?.cancel();
    lane.timer = undefined;
    if (this.stopped) return;
    if (lane.nextDue === Infinity) {
      this.lanes.delete(arn);
      return;
    }
    lane.timer = this.clock.at(lane.nextDue, () => {
      lane.timer = undefined;
      lane.rescan = true;
      this.wake(arn);
    });
  }

  private async drain(arn: string, lane: Lane): Promise<void> {
    if (lane.rescan) {
      lane.rescan = false;
      lane.cursor = 0;
      lane.held.clear();
      lane.nextDue = Infinity;
    }
    while (!this.stopped) {
      const rows = this.repo.deliveriesOf(arn, lane.cursor, BATCH);
      if (rows.length === 0) return;
      lane.cursor = rows[rows.length - 1]!.delivery.id;
      const now = this.clock.now();
      const due: Due[] = [];
      const orphans: number[] = [];
      for (const { delivery: d, message: m } of rows) {
        if (!m) {
          orphans.push(d.id);
          continue;
        }
        const group = m.sequenceNumber !== undefined ? (m.groupId ?? '') : undefined;
        if (group !== undefined && lane.held.has(group)) continue;
        if (d.nextAt > now) {
          lane.nextDue = Math.min(lane.nextDue, d.nextAt);
          if (group !== undefined) lane.held.add(group);
          continue;
        }
        due.push({ d, m });
      }
      if (orphans.length) await this.store.write(() => this.repo.finishDeliveries(orphans));
      if (due.length === 0) continue;
      const outcomes = due[0]!.d.protocol === 'sqs' ? await this.toQueue(due) : await this.oneByOne(due, lane);
      for (const o of outcomes) {
        if (o.retryAt === undefined) continue;
        lane.nextDue = Math.min(lane.nextDue, o.retryAt);
        const m = due.find((x) => x.d.id === o.id)!.m;
        if (m.sequenceNumber !== undefined) lane.held.add(m.groupId ?? '');
      }
      const settle = outcomes.filter((o) => o.attempts !== undefined || o.retryAt === undefined);
      if (settle.length) {
        await this.store.write(() => {
          const finished: number[] = [];
          for (const o of settle) {
            if (o.retryAt === undefined) finished.push(o.id);
            else this.repo.retryDelivery(o.id, o.attempts!, o.retryAt);
          }
          this.repo.finishDeliveries(finished);
        });
      }
    }
  }

  /**
   * A batch for one SQS subscription in one call; the delivered ones are removed in the same
   * commit. Answers what is left to settle (failures: retried or dead-lettered).
   */
  private async toQueue(due: Due[]): Promise<Outcome[]> {
    const { d: first, m: firstMessage } = due[0]!;
    const send = this.internal.get('sqs.sendMessages');
    if (!send) return this.failAll(due, new Error('the queue service is not running'));
    const messages = await Promise.all(due.map(async ({ d, m }) => queueMessage(m, d.raw, d.endpoint, d.raw ? undefined : await this.parts(d, m))));
    try {
      const results = await send({
        queueArn: first.endpoint,
        from: 'sns.amazonaws.com',
        sourceArn: firstMessage.topicArn,
        sourceAccount: accountOf(firstMessage.topicArn),
        messages,
        alongside: (results) => this.repo.finishDeliveries(due.filter((_, i) => 'messageId' in results[i]!).map((x) => x.d.id)),
      });
      const refused = due.filter((_, i) => 'error' in results[i]!);
      return Promise.all(refused.map((x) => this.failed(x, (results[due.indexOf(x)] as { error: Error }).error)));
    } catch (e) {
      return this.failAll(due, e);
    }
  }

  private failAll(due: Due[], e: unknown): Promise<Outcome[]> {
    return Promise.all(due.map((x) => this.failed(x, e)));
  }

  /** Lambda and HTTP/HTTPS: one attempt per delivery, several at a time (standard topics only have these). */
  private async oneByOne(due: Due[], lane: Lane): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const { d: first, m: firstMessage } = due[0]!;
    const http = first.protocol === 'http' || first.protocol === 'https';
    const maxPerSecond = http ? this.httpPolicy(first, firstMessage).maxPerSecond : undefined;
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.stopped) {
        const x = due[next++]!;
        if (maxPerSecond !== undefined && !(await this.pace(lane, maxPerSecond))) return;
        try {
          await this.sendOne(x);
          outcomes.push({ id: x.d.id });
        } catch (e) {
          // Cut short by stop: not an attempt; the delivery stays as it was.
          if (!this.stopped) outcomes.push(await this.failed(x, e));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(HTTP_PARALLEL, due.length) }, worker));
    return outcomes;
  }

  /** Waits (on the clock) for the lane's next POST slot under its throttle; false when stopped meanwhile. */
  private pace(lane: Lane, maxPerSecond: number): Promise<boolean> {
    const now = this.clock.now();
    const at = Math.max(now, lane.nextStart);
    lane.nextStart = at + 1000 / maxPerSecond;
    if (at <= now) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onStop = () => {
        timer.cancel();
        resolve(false);
      };
      const timer = this.clock.at(at, () => {
        this.abort.signal.removeEventListener('abort', onStop);
        resolve(true);
      });
      this.abort.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  private async sendOne({ d, m }: Due): Promise<void> {
    if (d.protocol === 'lambda') {
      const invoke = this.internal.get('lambda.invokeAsync');
      if (!invoke) throw new Error('the functions service is not running');
      await invoke({ functionArn: d.endpoint, payload: JSON.stringify(lambdaEvent(m, d.subscriptionArn, await this.parts(d, m))), from: 'sns.amazonaws.com' });
      return;
    }
    const { contentType } = this.httpPolicy(d, m);
    if (m.type === 'SubscriptionConfirmation') {
      // A subscription confirmed or removed meanwhile needs no (more) confirmation.
      if (!this.context.isPending(d.subscriptionArn)) return;
      const subscribeUrl = this.links.subscribe(m);
      const signature = await this.signer.message(m, d.protocol, subscribeUrl);
      const body = confirmation(m, subscribeUrl, signature, this.links.cert());
      await postToEndpoint({ url: d.endpoint, type: 'SubscriptionConfirmation', messageId: m.messageId, topicArn: m.topicArn, raw: false, contentType, body }, this.abort.signal);
      return;
    }
    const body = d.raw ? messageFor(m, d.protocol) : envelope(m, d.protocol, await this.parts(d, m));
    await postToEndpoint({ url: d.endpoint, type: 'Notification', messageId: m.messageId, topicArn: m.topicArn, subscriptionArn: d.subscriptionArn, raw: d.raw, contentType, body }, this.abort.signal);
  }

  /** A failed attempt: retried when the policy allows, else dead-lettered (or dropped) and done. */
  private async failed({ d, m }: Due, e: unknown): Promise<Outcome> {
    const retry = d.attempts + 1;
    const http = d.protocol === 'http' || d.protocol === 'https';
    const clientSide = !http && e instanceof AwsError && e.status < 500;
    const wait = clientSide ? undefined : retryDelayMs(http ? this.httpPolicy(d, m).retry : MANAGED_POLICY, retry);
    if (wait !== undefined) return { id: d.id, attempts: retry, retryAt: this.clock.now() + wait };
    const why = e instanceof Error ? e.message : String(e);
    if (m.type === 'SubscriptionConfirmation') {
      this.log.warn('SNS subscription confirmation not delivered', { subscription: d.subscriptionArn, endpoint: d.endpoint, error: why });
    } else await this.deadLetter(d, m, why);
    return { id: d.id };
  }

  private async deadLetter(d: DeliveryRecord, m: StoredMessage, why: string): Promise<void> {
    const send = this.internal.get('sqs.sendMessages');
    if (!d.dlqArn || !send) {
      this.log.warn('SNS delivery dropped', { subscription: d.subscriptionArn, endpoint: d.endpoint, messageId: m.messageId, error: why });
      return;
    }
    // The dead-letter queue gets what the queue would have: raw only for a raw SQS subscription.
    const raw = d.protocol === 'sqs' && d.raw;
    try {
      const [result] = await send({
        queueArn: d.dlqArn,
        from: 'sns.amazonaws.com',
        sourceArn: m.topicArn,
        sourceAccount: accountOf(m.topicArn),
        messages: [queueMessage(m, raw, d.dlqArn, raw ? undefined : await this.parts(d, m, 'sqs'))],
      });
      if (result && 'error' in result) throw result.error;
    } catch (e) {
      this.log.warn('SNS delivery dropped: its dead-letter queue refused it', { subscription: d.subscriptionArn, dlq: d.dlqArn, error: String(e), cause: why });
    }
  }

  private httpPolicy(d: DeliveryRecord, m: StoredMessage) {
    const p = this.context.deliveryPolicies(d.subscriptionArn, m.topicArn);
    return httpDeliveryPolicy(p.topic, p.subscription);
  }

  /** The signature and links of a notification's envelope for a subscription of `protocol`. */
  private async parts(d: DeliveryRecord, m: StoredMessage, protocol = d.protocol): Promise<EnvelopeParts> {
    return {
      signature: await this.signer.message(m, protocol),
      signingCertUrl: this.links.cert(),
      unsubscribeUrl: this.links.unsubscribe(d.subscriptionArn, this.context.unsubscribeToken(d.subscriptionArn)),
    };
  }
}

/** The account in an ARN. */
export const accountOf = (arn: string) => arn.split(':')[4] ?? '';
