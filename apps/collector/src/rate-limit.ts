// In-process token buckets. Written here rather than taken from hono-rate-limiter, whose
// memory store counts fixed windows: a token bucket allows a page leave's burst, refills
// smoothly, and is checked at two points of one request (per IP before the body, per source
// once the key is known). Limits are per process: N collectors allow N times the rate.
// The same buckets count requests, events or bytes: a request costs 1, its events or its bytes.

/** A bucket's steady refill (tokens per second) and the most it holds. */
export interface BucketRate {
  perSecond: number;
  burst: number;
}

/** One bucket: `take` returns 0 when a request may pass, else the seconds until it may. */
export class TokenBucket {
  #tokens: number;
  #updatedMs: number;

  constructor(
    private readonly rate: BucketRate,
    nowMs: number,
  ) {
    this.#tokens = rate.burst;
    this.#updatedMs = nowMs;
  }

  /** Tokens held at `nowMs` (refilled since the last update, at most the burst). */
  tokensAt(nowMs: number): number {
    const refill = (Math.max(0, nowMs - this.#updatedMs) / 1000) * this.rate.perSecond;
    return Math.min(this.rate.burst, this.#tokens + refill);
  }

  /** Takes `cost` tokens (at most the burst, or it never passes) if the bucket holds them. */
  take(nowMs: number, cost = 1): number {
    const tokens = this.tokensAt(nowMs);
    this.#updatedMs = Math.max(this.#updatedMs, nowMs);
    if (tokens >= cost) {
      this.#tokens = tokens - cost;
      return 0;
    }
    this.#tokens = tokens;
    return Math.max(1, Math.ceil((cost - tokens) / this.rate.perSecond));
  }
}

/** Token buckets by key (client IPs), with memory bounded by `maxBuckets`. */
export interface KeyedRateLimiter {
  /** 0 when a request from `key` costing `cost` tokens may pass, else the seconds until it may. */
  take(key: string, nowMs: number, cost?: number): number;
  /** Buckets held now (for tests and metrics). */
  readonly size: number;
}

/**
 * Creates keyed buckets. When `maxBuckets` are held, idle buckets (refilled to the full
 * burst, so forgetting them changes nothing) are evicted; if that frees too little, the
 * oldest go, which can only grant their clients a fresh burst, never refuse anyone.
 */
export function createKeyedRateLimiter(rate: BucketRate, maxBuckets: number): KeyedRateLimiter {
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
    take(key, nowMs, cost = 1) {
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxBuckets) evict(nowMs);
        bucket = new TokenBucket(rate, nowMs);
        buckets.set(key, bucket);
      }
      return bucket.take(nowMs, cost);
    },
    get size() {
      return buckets.size;
    },
  };
}
