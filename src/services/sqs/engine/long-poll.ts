/**
 * Long polling without polling: a ReceiveMessage that finds nothing waits here until a send,
 * a visibility change or a deadline on the clock wakes its queue.
 */
import type { Clock, Timer } from '../../../lib/clock.js';

interface Waiter {
  wake(): void;
}

export class LongPolls {
  private waiters = new Map<number, Set<Waiter>>();
  private alarms = new Map<number, { at: number; timer: Timer }>();
  /** Bumped by every wake of a queue, so a receive can tell that it missed one. */
  private generations = new Map<number, number>();
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** The queue's wake count: read it before looking at the queue, pass it to wait(). */
  generation(queueId: number): number {
    return this.generations.get(queueId) ?? 0;
  }

  /**
   * Resolves when the queue is woken, the deadline passes or `signal` aborts (this wait only),
   * or on shutdown; at once when the queue was woken since `since` (its generation when the
   * caller last looked).
   */
  wait(queueId: number, deadline: number, since?: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted || (since !== undefined && since !== this.generation(queueId))) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(queueId);
      if (!set) this.waiters.set(queueId, (set = new Set()));
      const waiters = set;
      const w: Waiter = {
        wake: () => {
          timer.cancel();
          waiters.delete(w);
          signal?.removeEventListener('abort', w.wake);
          resolve();
        },
      };
      const timer = this.clock.at(deadline, () => w.wake());
      signal?.addEventListener('abort', w.wake, { once: true });
      waiters.add(w);
    });
  }

  /** True once shut down: waits end at once. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Wakes every waiter of the queue; each retries its receive. */
  wake(queueId: number): void {
    this.generations.set(queueId, this.generation(queueId) + 1);
    const set = this.waiters.get(queueId);
    if (!set || set.size === 0) return;
    this.waiters.delete(queueId);
    for (const w of set) w.wake();
  }

  /** Wakes the queue's waiters at `at` (a message becoming visible), keeping the earliest alarm. */
  wakeAt(queueId: number, at: number): void {
    const current = this.alarms.get(queueId);
    if (current && current.at <= at && current.at > this.clock.now()) return;
    current?.timer.cancel();
    const timer = this.clock.at(at, () => {
      this.alarms.delete(queueId);
      this.wake(queueId);
    });
    this.alarms.set(queueId, { at, timer });
  }

  /** Answers every waiting poll (empty) so shutdown can drain. */
  close(): void {
    this.closed = true;
    for (const a of this.alarms.values()) a.timer.cancel();
    this.alarms.clear();
    for (const id of [...this.waiters.keys()]) this.wake(id);
  }
}
