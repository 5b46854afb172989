/**
 * Jobs that run in the background after their request was answered (exports, imports):
 * started, awaited (tests, shutdown) and stopped at their next step, unsaved, so a restart
 * runs them again from what is stored.
 */
import type { Logger } from '../../../lib/log.js';

/** Thrown at a job's next step once the jobs are stopped. */
export class Stopped extends Error {}

export class BackgroundJobs {
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly log: Logger,
    /** What the jobs are, for the log ('export', 'import'). */
    private readonly kind: string,
  ) {}

  /** Runs `job` in the background; `after` once it ended, whichever way. */
  run(arn: string, job: () => Promise<void>, after?: () => void): void {
    if (this.stopped) return after?.();
    const p = job()
      .catch((e) => {
        if (!(e instanceof Stopped)) this.log.error(`${this.kind} failed`, { [this.kind]: arn, error: e instanceof Error ? e.stack : String(e) });
      })
      .finally(() => {
        after?.();
        this.running.delete(p);
      });
    this.running.add(p);
  }

  /** Resolves once no job is running. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }

  /** Lets running jobs stop at their next step. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** A job's next step: throws Stopped once the jobs are stopped. */
  check(): void {
    if (this.stopped) throw new Stopped();
  }

  /** Lets requests (and the writes they queue) in between two steps of a job. */
  async between(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.check();
  }
}
