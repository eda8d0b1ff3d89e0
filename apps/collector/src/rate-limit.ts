// In-process token buckets. Written here rather than taken from hono-rate-limiter, whose
// memory store counts fixed windows: a token bucket allows a page leave's burst, refills
// smoothly, and is checked at two points of one request (per IP before the body, per source
// once the key is known). Limits are per process: N collectors allow N times the rate.
import type { RateLimit } from './config.js';

/** One bucket: `take` returns 0 when a request may pass, else the seconds until it may. */
export class TokenBucket {
  #tokens: number;
  #updatedMs: number;

  constructor(
    private readonly rate: RateLimit,
    nowMs: number,
  ) {
    this.#tokens = rate.burst;
    this.#updatedMs = nowMs;
  }

  /** Tokens held at `nowMs` (refilled since the last update, at most the burst). */
  tokensAt(nowMs: number): number {
    const refill = (Math.max(0, nowMs - this.#updatedMs) / 1000) * this.rate.requestsPerSecond;
    return Math.min(this.rate.burst, this.#tokens + refill);
  }

  take(nowMs: number): number {
    const tokens = this.tokensAt(nowMs);
    this.#updatedMs = Math.max(this.#updatedMs, nowMs);
    if (tokens >= 1) {
      this.#tokens = tokens - 1;
      return 0;
    }
    this.#tokens = tokens;
    return Math.max(1, Math.ceil((1 - tokens) / this.rate.requestsPerSecond));
  }
}

/** Token buckets by key (client IPs), with memory bounded by `maxBuckets`. */
export interface KeyedRateLimiter {
  /** 0 when a request from `key` may pass, else the seconds until one may. */
  take(key: string, nowMs: number): number;
  /** Buckets held now (for tests and metrics). */
  readonly size: number;
}

/**
 * Creates keyed buckets. When `maxBuckets` are held, idle buckets (refilled to the full
 * burst, so forgetting them changes nothing) are evicted; if that frees too little, the
 * oldest go, which can only grant their clients a fresh burst, never refuse anyone.
 */
export function createKeyedRateLimiter(rate: RateLimit, maxBuckets: number): KeyedRateLimiter {
  const buckets = new Map<string, TokenBucket>();

  function evict(nowMs: number): void {
    for (const [key, bucket] of buckets) {
      if (bucket.tokensAt(nowMs) >= rate.burst) buckets.delete(key);
    }
    // Keep a tenth free so the next sweep is not one request away.
    const target = Math.floor(maxBuckets * 0.9);
    for (const key of buckets.keys()) {
      if (buckets.size <= target) break;
      buckets.delete(key);
    }
  }

  return {
    take(key, nowMs) {
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxBuckets) evict(nowMs);
        bucket = new TokenBucket(rate, nowMs);
        buckets.set(key, bucket);
      }
      return bucket.take(nowMs);
    },
    get size() {
      return buckets.size;
    },
  };
}
