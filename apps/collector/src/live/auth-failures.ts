// Wrong admin secrets, counted per client so guessing costs time. Every attempt counts as a
// failure until it proves right, so a burst of concurrent guesses is throttled like a
// sequence. Written here: hono-rate-limiter counts requests in windows, not failures with a
// growing lockout, and rate-limit.ts's buckets refill on their own.

/** How failures are forgiven and punished. */
export interface FailureRules {
  /** Failures allowed before the first lockout. */
  freeFailures: number;
  /** The first lockout; each further failure doubles it. */
  firstLockoutMs: number;
  /** The longest lockout. */
  maxLockoutMs: number;
  /** A client with no failure for this long starts afresh. */
  forgetAfterMs: number;
  /** Most clients tracked at once (memory bound). */
  maxClients: number;
}

export const ADMIN_FAILURE_RULES: FailureRules = {
  freeFailures: 5,
  firstLockoutMs: 1_000,
  maxLockoutMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxClients: 10_000,
};

export interface FailureThrottle {
  /** 0 when `key` may try now, else the whole seconds until it may. */
  wait(key: string, nowMs: number): number;
  /** Counts an attempt as failed (call before checking it). */
  attempt(key: string, nowMs: number): void;
  /** Forgets the client's failures: it presented the right secret. */
  succeeded(key: string): void;
  /** Clients tracked now (tests). */
  readonly size: number;
}

interface Failures {
  count: number;
  lastMs: number;
  lockedUntilMs: number;
}

/**
 * Creates the throttle. When `maxClients` are tracked, forgotten ones go first, then the
 * least recently failed (the Map is kept in that order): an attacker must spread over that
 * many addresses to win back free tries, and the KDF and secret length still stand.
 */
export function createFailureThrottle(rules: FailureRules = ADMIN_FAILURE_RULES): FailureThrottle {
  const clients = new Map<string, Failures>();

  function current(key: string, nowMs: number): Failures | undefined {
    const failures = clients.get(key);
    if (failures && nowMs - failures.lastMs >= rules.forgetAfterMs) {
      clients.delete(key);
      return undefined;
    }
    return failures;
  }

  function evict(nowMs: number): void {
    for (const [key, failures] of clients) {
      if (nowMs - failures.lastMs >= rules.forgetAfterMs) clients.delete(key);
    }
    const target = Math.floor(rules.maxClients * 0.9);
    for (const key of clients.keys()) {
      if (clients.size <= target) break;
      clients.delete(key);
    }
  }

  return {
    wait(key, nowMs) {
      const failures = current(key, nowMs);
      if (!failures || failures.lockedUntilMs <= nowMs) return 0;
      return Math.ceil((failures.lockedUntilMs - nowMs) / 1000);
    },
    attempt(key, nowMs) {
      const failures = current(key, nowMs) ?? { count: 0, lastMs: nowMs, lockedUntilMs: 0 };
      clients.delete(key);
      if (clients.size >= rules.maxClients) evict(nowMs);
      failures.count += 1;
      failures.lastMs = nowMs;
      const over = failures.count - rules.freeFailures;
      if (over > 0) {
        const lockout = Math.min(rules.maxLockoutMs, rules.firstLockoutMs * 2 ** (over - 1));
        failures.lockedUntilMs = nowMs + lockout;
      }
      clients.set(key, failures);
    },
    succeeded(key) {
      clients.delete(key);
    },
    get size() {
      return clients.size;
    },
  };
}
