/** The SNS engine: topics, subscriptions, publishing and the fan-out drainer, over one repo. */
import type { Timer } from '../../../lib/clock.js';
import type { ServiceEnv } from '../../service.js';
import type { SnsRepo } from '../repo.js';
import { join } from 'node:path';
import { Deliveries } from './delivery.js';
import { Signer } from './signature.js';
import { Links } from './envelope.js';
import { Publisher } from './publisher.js';
import { Subscriptions } from './subscriptions.js';
import { Topics } from './topics.js';

/** How often expired FIFO deduplication entries and unconfirmed subscriptions are swept. */
const SWEEP_MS = 60_000;

export class SnsEngine {
  readonly topics: Topics;
  readonly subscriptions: Subscriptions;
  readonly publisher: Publisher;
  readonly deliveries: Deliveries;
  readonly signer: Signer;
  private sweepTimer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly repo: SnsRepo,
    private readonly env: ServiceEnv,
  ) {
    this.topics = new Topics(repo, env.store, env.clock, {
      ofTopic: (topicArn) => this.subscriptions.ofTopic(topicArn),
      topicDeleted: (topicArn) => this.subscriptions.topicDeleted(topicArn),
    });
    const wake = (subscriptionArn: string) => this.deliveries.wake(subscriptionArn);
    this.subscriptions = new Subscriptions(repo, env.store, env.clock, env.ids, (arn) => this.topics.byArn(arn) !== undefined, wake);
    this.signer = new Signer(env.memory ? undefined : join(env.dataDir, 'sns'));
    const links = new Links(env.endpoint);
    this.publisher = new Publisher({ ...env, repo, topics: this.topics, subscriptions: this.subscriptions, signer: this.signer, links, queued: wake });
    this.deliveries = new Deliveries(repo, env.store, env.internal, env.clock, env.log, links, this.signer, {
      deliveryPolicies: (subscriptionArn, topicArn) => ({
        subscription: this.subscriptions.get(subscriptionArn)?.attributes.DeliveryPolicy,
        topic: this.topics.byArn(topicArn)?.attributes.DeliveryPolicy,
      }),
      unsubscribeToken: (arn) => this.unsubscribeTokens(arn),
      isPending: (arn) => this.subscriptions.get(arn)?.pending === true,
      outbound: env.outbound,
    });
  }

  /** UnsubscribeURL tokens by subscription ARN: they never change while the subscription lives. */
  private readonly tokens = new Map<string, string>();

  private unsubscribeTokens(arn: string): string | undefined {
    let token = this.tokens.get(arn);
    if (token === undefined) {
      token = this.subscriptions.get(arn)?.unsubscribeToken;
      if (token !== undefined) {
        if (this.tokens.size >= 10_000) this.tokens.clear();
        this.tokens.set(arn, token);
      }
    }
    return token;
  }

  /** Called once Nimbus listens: deliveries left pending by a previous run go out first. */
  async start(): Promise<void> {
    await this.deliveries.start();
    this.scheduleSweep();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sweepTimer?.cancel();
    await this.deliveries.stop();
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.sweepTimer = this.env.clock.at(this.env.clock.now() + SWEEP_MS, () => {
      Promise.all([this.publisher.sweep(), this.subscriptions.expire()])
        .catch((e) => this.env.log.error('sns sweep failed', { error: String(e) }))
        .finally(() => this.scheduleSweep());
    });
  }
}
