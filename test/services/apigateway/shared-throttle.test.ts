import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../../src/lib/clock.js';
import { ACCOUNT_DEFAULT_LIMIT, TokenBuckets } from '../../../src/services/apigateway/shared/throttle.js';

/** How many of n takes at this instant succeed. */
function burst(buckets: TokenBuckets, key: string, limit: { rateLimit: number; burstLimit: number }, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (buckets.take(key, limit)) ok++;
  return ok;
}

describe('TokenBuckets', () => {
  test('a bucket starts full: burstLimit requests pass at once, then 429s', () => {
    const b = new TokenBuckets(new ManualClock());
    assert.equal(burst(b, 'k', { rateLimit: 10, burstLimit: 5 }, 20), 5);
  });

  test('it refills at rateLimit per second, up to burstLimit', () => {
    const clock = new ManualClock();
    const b = new TokenBuckets(clock);
    const limit = { rateLimit: 10, burstLimit: 5 };
    assert.equal(burst(b, 'k', limit, 5), 5);
    clock.advance(100);
    assert.equal(burst(b, 'k', limit, 5), 1);
    clock.advance(250);
    assert.equal(burst(b, 'k', limit, 5), 2);
    // The half token left over accumulates.
    clock.advance(50);
    assert.equal(burst(b, 'k', limit, 5), 1);
    clock.advance(60_000);
    assert.equal(burst(b, 'k', limit, 50), 5);
  });

  test('a fractional rate accumulates across seconds', () => {
    const clock = new ManualClock();
    const b = new TokenBuckets(clock);
    const limit = { rateLimit: 0.5, burstLimit: 1 };
    assert.equal(b.take('k', limit), true);
    clock.advance(1000);
    assert.equal(b.take('k', limit), false);
    clock.advance(1000);
    assert.equal(b.take('k', limit), true);
  });

  test('sustained load passes at the rate', () => {
    const clock = new ManualClock();
    const b = new TokenBuckets(clock);
    const limit = { rateLimit: 100, burstLimit: 10 };
    let ok = 0;
    // 1,000 requests a second for 10 seconds.
    for (let ms = 0; ms < 10_000; ms++) {
      if (b.take('k', limit)) ok++;
      clock.advance(1);
    }
    assert.ok(ok >= 1000 && ok <= 1010, String(ok));
  });

  test('rate 0 or burst 0 refuses everything', () => {
    const b = new TokenBuckets(new ManualClock());
    assert.equal(burst(b, 'a', { rateLimit: 0, burstLimit: 100 }, 3), 0);
    assert.equal(burst(b, 'b', { rateLimit: 100, burstLimit: 0 }, 3), 0);
    assert.equal(burst(b, 'c', { rateLimit: Number.NaN, burstLimit: 5 }, 3), 0);
  });

  test('keys are independent', () => {
    const b = new TokenBuckets(new ManualClock());
    const limit = { rateLimit: 1, burstLimit: 2 };
    assert.equal(burst(b, 'x', limit, 5), 2);
    assert.equal(burst(b, 'y', limit, 5), 2);
  });

  test('a lowered burst limit applies at once; a raised one fills over time', () => {
    const clock = new ManualClock();
    const b = new TokenBuckets(clock);
    assert.equal(b.take('k', { rateLimit: 10, burstLimit: 100 }), true);
    assert.equal(burst(b, 'k', { rateLimit: 10, burstLimit: 3 }, 10), 3);
    assert.equal(burst(b, 'k', { rateLimit: 10, burstLimit: 100 }, 10), 0);
    clock.advance(1000);
    assert.equal(burst(b, 'k', { rateLimit: 10, burstLimit: 100 }, 100), 10);
  });

  test('the account default is 10,000 rps with a burst of 5,000', () => {
    assert.deepEqual({ ...ACCOUNT_DEFAULT_LIMIT }, { rateLimit: 10000, burstLimit: 5000 });
    const b = new TokenBuckets(new ManualClock());
    assert.equal(burst(b, 'acct', ACCOUNT_DEFAULT_LIMIT, 6000), 5000);
  });

  test('idle full buckets are dropped; busy ones are kept', () => {
    const clock = new ManualClock();
    const b = new TokenBuckets(clock, { sweepAt: 100 });
    const limit = { rateLimit: 1, burstLimit: 5 };
    assert.equal(burst(b, 'busy', limit, 10), 5);
    for (let i = 0; i < 99; i++) b.take(`idle-${i}`, limit);
    assert.equal(b.size(), 100);
    clock.advance(2000);
    b.take('new', limit);
    // The idle ones (one token short) refilled and went; busy is still 3 short and stays.
    assert.equal(b.size(), 2);
    assert.equal(burst(b, 'busy', limit, 10), 2);
  });

  test('a hard cap bounds the buckets even when none is full', () => {
    const b = new TokenBuckets(new ManualClock(), { sweepAt: 10, maxBuckets: 50 });
    for (let i = 0; i < 1000; i++) b.take(`k${i}`, { rateLimit: 1, burstLimit: 1 });
    assert.ok(b.size() <= 50, String(b.size()));
  });
});
