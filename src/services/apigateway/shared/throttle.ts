/**
 * API Gateway throttling: token buckets, as AWS describes them ("Throttle requests to your
 * REST APIs", "Throttling requests to your HTTP API"): a bucket holds up to `burstLimit`
 * tokens, refills at `rateLimit` tokens per second, and each request takes one; an empty bucket
 * means 429. A bucket starts full. A limit of 0 (rate or burst) refuses every request, as AWS
 * does for a stage or route throttled to zero.
 *
 * Buckets are kept per key (account, stage, route, API key, ...); the caller picks the keys and
 * checks them from the most specific to the account's. Memory stays bounded: once there are
 * many buckets, those that have refilled to full (idle long enough) are dropped, since a full
 * bucket is what a new one starts as; past a hard cap the oldest go first (a
 * dropped bucket comes back full: the error is on the lenient side).
 */
import type { Clock } from '../../../lib/clock.js';

export interface ThrottleLimit {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Bucket size: the most requests served at once after an idle period. */
  burstLimit: number;
}

/** The account-level default per region (AWS: 10,000 requests per second with a burst of 5,000). */
export const ACCOUNT_DEFAULT_LIMIT: ThrottleLimit = Object.freeze({ rateLimit: 10000, burstLimit: 5000 });

interface Bucket {
  tokens: number;
  /** Clock time of the last refill (epoch ms). */
  at: number;
  rate: number;
  burst: number;
}

export interface TokenBucketsOptions {
  /** Bucket count past which full buckets are swept (default 1,024; it grows with what a sweep keeps). */
  sweepAt?: number;
  /** Hard cap on buckets; past it the oldest go (default 100,000). */
  maxBuckets?: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly minSweepAt: number;
  private readonly maxBuckets: number;
  private sweepAt: number;

  constructor(
    private readonly clock: Clock,
    opts: TokenBucketsOptions = {},
  ) {
    this.minSweepAt = opts.sweepAt ?? 1024;
    this.sweepAt = this.minSweepAt;
    this.maxBuckets = opts.maxBuckets ?? 100_000;
  }

  /** Takes one token from `key`'s bucket: true when the request may go on, false for a 429. */
  take(key: string, limit: ThrottleLimit): boolean {
    const rate = limit.rateLimit;
    const burst = Math.floor(limit.burstLimit);
    if (!(rate > 0) || !(burst > 0)) return false;
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { tokens: burst, at: now, rate, burst };
      this.add(key, b);
    } else {
      const elapsed = now - b.at;
      // A limit changed since the last request applies from now on: never more than the new burst.
      if (elapsed > 0) b.tokens = Math.min(burst, b.tokens + (elapsed * rate) / 1000);
      else if (b.tokens > burst) b.tokens = burst;
      b.at = Math.max(b.at, now);
      b.rate = rate;
      b.burst = burst;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** How many buckets are kept (for tests and metrics). */
  size(): number {
    return this.buckets.size;
  }

  private add(key: string, b: Bucket): void {
    if (this.buckets.size >= this.sweepAt) this.sweep();
    if (this.buckets.size >= this.maxBuckets) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    this.buckets.set(key, b);
  }

  /** Drops every bucket that has refilled to full by now: forgetting it changes nothing. */
  private sweep(): void {
    const now = this.clock.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * b.rate) / 1000 >= b.burst) this.buckets.delete(key);
    }
    this.sweepAt = Math.max(this.minSweepAt, this.buckets.size * 2);
  }
}
