import { describe, expect, it } from 'vitest';
import { createKeyedRateLimiter, TokenBucket } from './rate-limit.js';

const rate = { perSecond: 2, burst: 3 };

describe('TokenBucket', () => {
  it('lets a burst through, then refuses with the seconds until the next token', () => {
    const bucket = new TokenBucket(rate, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(1);
  });

  it('refills at the configured rate, up to the burst', () => {
    const bucket = new TokenBucket(rate, 0);
    for (let i = 0; i < 3; i++) bucket.take(0);
    expect(bucket.take(499)).toBe(1);
    expect(bucket.take(500)).toBe(0);
    // A long pause refills only to the burst.
    const later = 60_000;
    expect([0, 1, 2, 3].map(() => bucket.take(later))).toEqual([0, 0, 0, 1]);
  });

  it('asks a slow rate to wait several seconds', () => {
    const bucket = new TokenBucket({ perSecond: 0.1, burst: 1 }, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(10);
  });
});

describe('createKeyedRateLimiter', () => {
  it('keeps a bucket per key: one client cannot use up another', () => {
    const limiter = createKeyedRateLimiter(rate, 100);
    for (let i = 0; i < 3; i++) limiter.take('a', 0);
    expect(limiter.take('a', 0)).toBeGreaterThan(0);
    expect(limiter.take('b', 0)).toBe(0);
  });

  it('never holds more than maxBuckets, however many clients come', () => {
    const limiter = createKeyedRateLimiter(rate, 100);
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`client-${i}`, i);
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
  });

  it('evicts idle buckets first, so a client still being limited stays limited', () => {
    const limiter = createKeyedRateLimiter({ perSecond: 1, burst: 1 }, 100);
    // 99 one-off clients at t=0: a second later their buckets are full again (idle).
    for (let i = 0; i < 99; i++) limiter.take(`once-${i}`, 0);
    expect(limiter.take('flooder', 1_000)).toBe(0);
    // The 101st client makes room: the idle buckets go, the flooder's empty one stays.
    expect(limiter.take('newcomer', 1_000)).toBe(0);
    expect(limiter.size).toBe(2);
    expect(limiter.take('flooder', 1_001)).toBeGreaterThan(0);
  });
});
