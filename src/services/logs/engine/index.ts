/** The CloudWatch Logs engine: the group/stream registry, events, the append queue and the retention sweep, wired. */
import type { Logger } from '../../../lib/log.js';
import type { Clock } from '../../../lib/clock.js';
import type { Store } from '../../../store/store.js';
import type { LogsRepo } from '../repo.js';
import { Appender } from './appender.js';
import { EventEngine } from './events.js';
import { Registry } from './registry.js';

/** How often (on the injected clock) events past their retention are deleted. */
const SWEEP_MS = 60_000;

export class LogsEngine {
  readonly registry: Registry;
  readonly events: EventEngine;
  readonly appender: Appender;
  private sweepTimer: { cancel(): void } | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    repo: LogsRepo,
    private readonly env: { store: Store; clock: Clock; log: Logger },
  ) {
    this.log = env.log;
    this.registry = new Registry(repo, env.store, env.clock);
    this.events = new EventEngine(repo, env.store, this.registry, env.clock);
    this.appender = new Appender(env.store, this.registry, this.events, () => env.clock.now(), env.log);
  }

  start(): void {
    this.scheduleSweep();
  }

  stop(): void {
    this.stopped = true;
    this.sweepTimer?.cancel();
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.sweepTimer = this.env.clock.at(this.env.clock.now() + SWEEP_MS, () => {
      this.events
        .sweep()
        .catch((e) => this.log.error('logs retention sweep failed', { error: String(e) }))
        .finally(() => this.scheduleSweep());
    });
  }
}
