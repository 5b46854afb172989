/** The SNS engine: topics, subscriptions, publishing and the fan-out drainer, over one repo. */
import type { Timer } from '../../../lib/clock.js';
import type { ServiceEnv } from '../../service.js';
import type { SnsRepo } from '../repo.js';
import { Deliveries } from './delivery.js';
import { Publisher } from './publish.js';
import { Subscriptions } from './subscriptions.js';
import { Topics } from './topics.js';

/** How often expired FIFO deduplication entries and unconfirmed subscriptions are swept. */
const SWEEP_MS = 60_000;

export class SnsEngine {
  readonly topics: Topics;
  readonly subscriptions: Subscriptions;
  readonly publisher: Publisher;
  readonly deliveries: Deliveries;
  private sweepTimer: Timer | undefined;
  private stopped = false;

  constructor(
    repo: SnsRepo,
    private readonly env: ServiceEnv,
  ) {
    this.topics = new Topics(repo, env.store, env.clock);
    this.subscriptions = new Subscriptions(repo, env.store, env.clock, env.ids);
    this.publisher = new Publisher(repo, env.store, this.subscriptions, env.clock, env.ids);
    this.deliveries = new Deliveries(repo, env.store, env.internal, env.clock, env.log, env.endpoint);
  }

  /** Called once Nimbus listens: deliveries left pending by a previous run go out first. */
  start(): void {
    this.deliveries.start();
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
