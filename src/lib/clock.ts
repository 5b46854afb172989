/**
 * The injected clock. Engines never call Date.now() or setTimeout directly: they ask the
 * clock, so tests can move time (visibility timeouts, delays, retention, dedup windows)
 * without sleeping.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs fn once the clock reaches `at` (epoch ms). */
  at(at: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    // setTimeout caps at 2^31-1 ms; re-arm for deadlines further away than that.
    const MAX = 2 ** 31 - 1;
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = at - Date.now();
      if (delay > MAX) handle = setTimeout(arm, MAX);
      else handle = setTimeout(fn, Math.max(0, delay));
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A clock that only moves when told to: for tests. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; fn: () => void; seq: number; cancelled: boolean }[] = [];
  private seq = 0;
  private waiters: { at: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  at(at: number, fn: () => void): Timer {
    const t = { at, fn, seq: this.seq++, cancelled: false };
    this.timers.push(t);
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.at === at);
      this.waiters = this.waiters.filter((w) => w.at !== at);
      for (const w of ready) w.resolve();
    }
    if (at <= this.current) queueMicrotask(() => this.fire());
    return { cancel: () => void (t.cancelled = true) };
  }

  /**
   * Resolves once a timer is pending for exactly `at` (epoch ms). A test waits with it until
   * Nimbus has scheduled the step it is about to move time past (a retry, a backoff), instead
   * of sleeping and hoping the server got there first.
   */
  timerAt(at: number): Promise<void> {
    if (this.timers.some((t) => !t.cancelled && t.at === at)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ at, resolve }));
  }

  /** Moves time forward by ms, firing due timers in deadline order. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(time: number): void {
    this.current = Math.max(this.current, time);
    this.fire();
  }

  private fire(): void {
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (due.length === 0) return;
      for (const t of due) {
        t.cancelled = true;
        t.fn();
      }
    }
  }
}
