/**
 * Committing what Publish accepted: each message with its fan-out, in one write.
 *
 * Subscribed SQS queues get the message inside that same commit (SQS's in-write enqueue), so
 * a Publish that is answered has already made its message receivable in every queue, exactly
 * once, with no outbox round trip. Their envelopes are signed before the write, off the event
 * loop. A queue that refuses (gone, its policy, the message) is the subscriber's fault: the
 * message goes to the subscription's dead-letter queue in the same commit, or is dropped with
 * a warning. Every other subscription (Lambda, HTTP/HTTPS, a queue when SQS is not running)
 * gets a pending delivery in the outbox, which the drainer (delivery.ts) works through.
 *
 * FIFO topics deduplicate by MessageDeduplicationId or by content for five minutes on the
 * injected clock, and number their messages; their queues get them in that order.
 */
import type { Clock } from '../../../lib/clock.js';
import type { Ids } from '../../../lib/ids.js';
import type { InternalApi, InternalCalls } from '../../../lib/internal.js';
import type { Logger } from '../../../lib/log.js';
import { AwsError } from '../../../protocols/errors.js';
import type { Store, Tx } from '../../../store/store.js';
import { NotFound } from '../errors.js';
import type { NewDelivery, SnsRepo, StoredMessage, SubscriptionRecord } from '../repo.js';
import { messageFor, queueMessage, type Links } from './envelope.js';
import { policyMatches } from './filter-policy.js';
import type { PreparedPublish, PublishResult } from './prepare-publish.js';
import type { Signer } from './signature.js';
import type { SubscriptionView, Subscriptions } from './subscriptions.js';
import type { Topic, Topics } from './topics.js';

const DEDUP_WINDOW_MS = 5 * 60_000;

/** SNS FIFO sequence numbers: 20 digits, growing per topic. */
const sequenceNumber = (seq: number) => (10n ** 19n + BigInt(seq)).toString();

export interface PublisherDeps {
  repo: SnsRepo;
  store: Store;
  topics: Topics;
  subscriptions: Subscriptions;
  clock: Clock;
  ids: Ids;
  internal: InternalApi;
  signer: Signer;
  links: Links;
  log: Logger;
  /** Called after the commit with each subscription that got an outbox delivery. */
  queued: (subscriptionArn: string) => void;
}

interface Planned {
  p: PreparedPublish;
  m: StoredMessage;
  targets: SubscriptionView[];
  /** The envelope's signature, when an enveloped queue subscription gets the message now. */
  signature?: string;
}

export class Publisher {
  constructor(private readonly d: PublisherDeps) {}

  /** Commits the messages and their fan-out in one write; answers each message's ids. */
  async publish(topic: Topic, batch: PreparedPublish[]): Promise<PublishResult[]> {
    const { clock, ids } = this.d;
    const now = clock.now();
    const subs = this.d.subscriptions.ofTopic(topic.arn);
    const enqueue = this.d.internal.get('sqs.enqueueInWrite');
    const planned: Planned[] = batch.map((p) => {
      const { size: _size, ...fields } = p;
      const m: StoredMessage = { ...fields, messageId: ids.uuid(), topicArn: topic.arn, timestamp: now };
      if (topic.attributes.SignatureVersion === '2') m.signatureVersion = '2';
      return { p, m, targets: this.targets(subs, m) };
    });
    if (enqueue) {
      await Promise.all(
        planned
          .filter((x) => x.targets.some((s) => s.protocol === 'sqs' && !s.raw))
          .map(async (x) => {
            x.signature = await this.d.signer.message(x.m, 'sqs');
          }),
      );
    }
    const queued = new Set<string>();
    const results: PublishResult[] = await this.d.store.write(async (tx) => {
      // The signing above let other writes in: the topic may be gone, its subscriptions changed.
      if (!this.d.topics.byArn(topic.arn)) throw new NotFound('Topic does not exist');
      const current = this.d.subscriptions.ofTopic(topic.arn);
      const out: PublishResult[] = new Array(planned.length);
      for (let i = 0; i < planned.length; i++) {
        const x = planned[i]!;
        out[i] = await this.commitOne(tx, topic, x, current === subs ? x.targets : this.targets(current, x.m), enqueue, queued, now);
      }
      return out;
    });
    for (const arn of queued) this.d.queued(arn);
    return results;
  }

  /** One message of a publish, inside its write: deduplicated, numbered, enqueued or put in the outbox. */
  private async commitOne(
    tx: Tx,
    topic: Topic,
    { p, m, signature }: Planned,
    targets: SubscriptionView[],
    enqueue: InternalCalls['sqs.enqueueInWrite'] | undefined,
    queued: Set<string>,
    now: number,
  ): Promise<PublishResult> {
    const { repo } = this.d;
    if (topic.fifo) {
      const prior = await repo.getDedup(topic.arn, p.dedupId!, tx);
      // A duplicate inside the window is acknowledged as the original and not delivered again.
      if (prior && prior.expiresAt > now) return { MessageId: prior.messageId, SequenceNumber: prior.sequenceNumber };
      m.sequenceNumber = sequenceNumber(await repo.nextTopicSeq(tx, topic.arn));
      await repo.putDedup(tx, topic.arn, p.dedupId!, { messageId: m.messageId, sequenceNumber: m.sequenceNumber, expiresAt: now + DEDUP_WINDOW_MS });
    }
    const outbox: NewDelivery[] = [];
    for (const s of targets) {
      if (s.protocol === 'sqs' && enqueue && (s.raw || signature !== undefined) && !(topic.fifo && (await repo.hasPendingDeliveries(s.arn, tx)))) {
        if (await this.toQueueNow(tx, enqueue, s, m, signature)) continue;
      }
      outbox.push({ subscriptionArn: s.arn, protocol: s.protocol, endpoint: s.endpoint, raw: s.raw, dlqArn: s.dlqArn });
      queued.add(s.arn);
    }
    await repo.insertMessage(tx, m, outbox, now);
    return m.sequenceNumber ? { MessageId: m.messageId, SequenceNumber: m.sequenceNumber } : { MessageId: m.messageId };
  }

  /** The subscriptions a message goes to: confirmed, and passing their filter policy. */
  private targets(subs: readonly SubscriptionRecord[], m: StoredMessage): SubscriptionView[] {
    const { subscriptions } = this.d;
    const out: SubscriptionView[] = [];
    for (const record of subs) {
      if (record.pending) continue;
      const s = subscriptions.view(record);
      const policy = subscriptions.filterPolicy(s);
      if (policy && !policyMatches(policy, s.scope, messageFor(m, s.protocol), m.attributes)) continue;
      out.push(s);
    }
    return out;
  }

  /**
   * Enqueues a message to a subscribed queue inside the publish's write. True once it is
   * settled (enqueued, dead-lettered or dropped); false when something unexpected failed: then
   * the outbox takes the delivery and retries it, and the Publish of the others goes on.
   * (A FIFO topic's subscription with deliveries still in the outbox keeps using it, so its
   * queue gets them in order.)
   */
  private async toQueueNow(tx: Tx, enqueue: InternalCalls['sqs.enqueueInWrite'], s: SubscriptionView, m: StoredMessage, signature: string | undefined): Promise<boolean> {
    const parts = signature === undefined ? undefined : { signature, signingCertUrl: this.d.links.cert(), unsubscribeUrl: this.d.links.unsubscribe(s.arn, s.unsubscribeToken) };
    const send = async (queueArn: string) => {
      const [result] = await enqueue(tx, { queueArn, from: 'sns.amazonaws.com', sourceArn: m.topicArn, sourceAccount: s.topicOwner, messages: [queueMessage(m, s.raw, queueArn, parts)] });
      if (result && 'error' in result) throw result.error;
    };
    try {
      await send(s.endpoint);
      return true;
    } catch (e) {
      if (!(e instanceof AwsError) || e.status >= 500) {
        this.d.log.error('SNS delivery to a queue failed; the outbox retries it', { subscription: s.arn, error: e instanceof Error ? e.stack : String(e) });
        return false;
      }
      await this.deadLetter(s, m, e, () => send(s.dlqArn!));
      return true;
    }
  }

  /** A message the subscriber's queue refused: to its dead-letter queue when it has one (in the same commit). */
  private async deadLetter(s: SubscriptionView, m: StoredMessage, cause: AwsError, send: () => Promise<void>): Promise<void> {
    if (s.dlqArn) {
      try {
        await send();
        return;
      } catch (e) {
        if (!(e instanceof AwsError) || e.status >= 500) {
          this.d.log.error('SNS dead-lettering failed', { subscription: s.arn, dlq: s.dlqArn, error: e instanceof Error ? e.stack : String(e) });
          return;
        }
        this.d.log.warn('SNS delivery dropped: its dead-letter queue refused it', { subscription: s.arn, dlq: s.dlqArn, error: e.message, cause: cause.message });
        return;
      }
    }
    this.d.log.warn('SNS delivery dropped', { subscription: s.arn, endpoint: s.endpoint, messageId: m.messageId, error: cause.message });
  }

  /** Drops deduplication entries past their window. */
  async sweep(): Promise<void> {
    const now = this.d.clock.now();
    await this.d.store.write((tx) => this.d.repo.sweepDedup(tx, now));
  }
}
