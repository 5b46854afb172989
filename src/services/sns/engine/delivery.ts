/**
 * The outbox drainer. Publish commits Lambda and HTTP/HTTPS deliveries (and a queue's, when
 * it could not be enqueued in the Publish's own commit) as pending rows beside the message;
 * this hands them to their sink (sinks.ts) and removes them.
 *
 * Each subscription drains in its own lane, so a slow or failing endpoint holds up only its
 * own deliveries. A lane reads its deliveries in publish order, a batch at a time, from a
 * cursor that only moves forward; a publish wakes the lanes it added to. Deliveries waiting
 * for a retry are passed over (on a FIFO topic they hold back the rest of their message
 * group, and a lane delivers one at a time), and the lane reads again from its start when the
 * earliest of them is due. Several deliveries of a standard topic's subscription are in flight
 * at once, or as many a second as the DeliveryPolicy's throttlePolicy allows.
 *
 * A failed attempt is retried as its sink says (SNS's policy for AWS-managed endpoints, the
 * DeliveryPolicy in force for HTTP/HTTPS); after the last retry the message goes to the
 * subscription's dead-letter queue (RedrivePolicy) if it has one, else it is dropped with a
 * warning; a SubscriptionConfirmation is just dropped. At least once: a crash between a
 * delivery and its removal delivers it again.
 */
import type { Clock, Timer } from '../../../lib/clock.js';
import type { InternalApi } from '../../../lib/internal.js';
import type { Logger } from '../../../lib/log.js';
import type { Store } from '../../../store/store.js';
import type { DeliveryRecord, DeliveryRetry, SnsRepo, StoredMessage } from '../repo.js';
import type { EnvelopeParts, Links } from './envelope.js';
import type { Signer } from './signature.js';
import { sendToQueue, SINKS, type SinkContext } from './sinks.js';

/** Deliveries a lane reads at a time. */
const BATCH = 256;
/** Deliveries in flight at once per subscription of a standard topic. */
const PARALLEL = 8;

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
export interface DeliveryContext extends Pick<SinkContext, 'deliveryPolicies' | 'isPending' | 'outbound'> {
  /** The subscription's UnsubscribeURL token. */
  unsubscribeToken(subscriptionArn: string): string | undefined;
}

export class Deliveries {
  private started = false;
  private stopped = false;
  private readonly lanes = new Map<string, Lane>();
  private readonly running = new Set<Promise<void>>();
  /** Ends deliveries in flight at stop: they stay pending for the next run. */
  private readonly abort = new AbortController();
  private readonly sinkContext: SinkContext;

  constructor(
    private readonly repo: SnsRepo,
    private readonly store: Store,
    internal: InternalApi,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly links: Links,
    private readonly signer: Signer,
    private readonly context: DeliveryContext,
  ) {
    this.sinkContext = {
      internal,
      links,
      signer,
      stopping: this.abort.signal,
      parts: (d, m, protocol) => this.parts(d, m, protocol),
      deliveryPolicies: context.deliveryPolicies,
      isPending: context.isPending,
      outbound: context.outbound,
    };
  }

  /** Starts delivering, beginning with what a previous run left pending. */
  async start(): Promise<void> {
    this.started = true;
    this.signer.warm();
    for (const arn of await this.repo.subscriptionsWithPending()) this.wake(arn);
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
    // A FIFO topic's subscription ARN is `<topic>.fifo:<id>`.
    const fifo = arn.slice(0, arn.lastIndexOf(':')).endsWith('.fifo');
    while (!this.stopped) {
      const rows = await this.repo.deliveriesOf(arn, lane.cursor, BATCH);
      if (rows.length === 0) return;
      lane.cursor = rows[rows.length - 1]!.delivery.id;
      const now = this.clock.now();
      const due: Due[] = [];
      const orphans: number[] = [];
      for (const { delivery: d, message } of rows) {
        // A standard topic's delivery waiting for its retry is passed over without reading its message.
        if (!fifo && d.nextAt > now) {
          lane.nextDue = Math.min(lane.nextDue, d.nextAt);
          continue;
        }
        const m = message();
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
      if (orphans.length) await this.store.write((tx) => this.repo.settleDeliveries(tx, orphans, []));
      if (due.length === 0) continue;
      const outcomes = await this.deliverAll(due, lane);
      if (outcomes.length) {
        const finished: number[] = [];
        const retries: DeliveryRetry[] = [];
        for (const o of outcomes) {
          if (o.retryAt === undefined) finished.push(o.id);
          else retries.push({ id: o.id, attempts: o.attempts!, nextAt: o.retryAt });
        }
        await this.store.write((tx) => this.repo.settleDeliveries(tx, finished, retries));
      }
    }
  }

  /**
   * One attempt at each due delivery of a lane: several at a time on a standard topic, one at
   * a time in order on a FIFO topic (a failure there holds back the rest of its group).
   * Answers what to record: done, or to retry at a time. Attempts cut short by stop are left out.
   */
  private async deliverAll(due: Due[], lane: Lane): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const { d: first, m: firstMessage } = due[0]!;
    const sink = SINKS[first.protocol];
    const fifo = firstMessage.sequenceNumber !== undefined;
    const maxPerSecond = sink?.maxPerSecond?.(first, firstMessage, this.sinkContext);
    let next = 0;
    const worker = async () => {
      while (next < due.length && !this.stopped) {
        const x = due[next++]!;
        const group = fifo ? (x.m.groupId ?? '') : undefined;
        if (group !== undefined && lane.held.has(group)) continue;
        if (maxPerSecond !== undefined && !(await this.pace(lane, maxPerSecond))) return;
        try {
          if (!sink) throw new Error(`Nimbus does not deliver to ${x.d.protocol}`);
          await sink.deliver(x.d, x.m, this.sinkContext);
          outcomes.push({ id: x.d.id });
        } catch (e) {
          // Cut short by stop: not an attempt; the delivery stays as it was.
          if (this.stopped) return;
          const o = await this.failed(x, e);
          outcomes.push(o);
          if (o.retryAt !== undefined) {
            lane.nextDue = Math.min(lane.nextDue, o.retryAt);
            if (group !== undefined) lane.held.add(group);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: fifo ? 1 : Math.min(PARALLEL, due.length) }, worker));
    return outcomes;
  }

  /** A failed attempt: retried when the sink's policy allows, else dead-lettered (or dropped) and done. */
  private async failed({ d, m }: Due, e: unknown): Promise<Outcome> {
    const retry = d.attempts + 1;
    const wait = SINKS[d.protocol]?.retryDelay(d, m, retry, e, this.sinkContext);
    if (wait !== undefined) return { id: d.id, attempts: retry, retryAt: this.clock.now() + wait };
    const why = e instanceof Error ? e.message : String(e);
    if (m.type === 'SubscriptionConfirmation') {
      this.log.warn('SNS subscription confirmation not delivered', { subscription: d.subscriptionArn, endpoint: d.endpoint, error: why });
    } else await this.deadLetter(d, m, why);
    return { id: d.id };
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



  private async deadLetter(d: DeliveryRecord, m: StoredMessage, why: string): Promise<void> {
    if (!d.dlqArn) {
      this.log.warn('SNS delivery dropped', { subscription: d.subscriptionArn, endpoint: d.endpoint, messageId: m.messageId, error: why });
      return;
    }
    // The dead-letter queue gets what the queue would have: raw only for a raw SQS subscription.
    const raw = d.protocol === 'sqs' && d.raw;
    try {
      await sendToQueue(this.sinkContext, d.dlqArn, m, raw ? undefined : await this.parts(d, m, 'sqs'));
    } catch (e) {
      this.log.warn('SNS delivery dropped: its dead-letter queue refused it', { subscription: d.subscriptionArn, dlq: d.dlqArn, error: String(e), cause: why });
    }
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

