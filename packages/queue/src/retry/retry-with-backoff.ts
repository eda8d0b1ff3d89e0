// The one retry loop of the server side: the forwarder's store and queue calls, the bulk
// writer's uploads, the MQTT bridge's appends and JetStream publishes all wait this way.
// Written here rather than taken from p-retry: p-retry 9 needs Node 22, never retries a
// TypeError (some store clients throw one for a refused connection) and draws its jitter from
// Math.random, which a test cannot seed; this loop is short and takes its random source.

/** The first retry's ceiling for store and queue calls, unless a setting says otherwise. */
export const DEFAULT_RETRY_INITIAL_MS = 200;
/** The longest wait between retries of a store or queue call, unless a setting says otherwise. */
export const DEFAULT_RETRY_MAX_MS = 30_000;

/** How a failing call is retried: capped exponential delays with jitter, until done. */
export interface RetryPolicy {
  /** The first delay's ceiling; each later one doubles it, up to `maxMs`. */
  initialMs: number;
  maxMs: number;
  /** Uniform in [0, 1): the jitter's source. Default Math.random; tests pass a seeded one. */
  random?: () => number;
  /** Ends the loop (RetryAbortedError), also in the middle of a wait. */
  signal?: AbortSignal;
  /** Called with each failure before the wait, e.g. to log and count it. */
  onFailure?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Failures no retry can fix, or no time left for the next wait: the error is thrown. */
  giveUp?: (error: unknown, attempt: number, delayMs: number) => boolean;
}

/** Thrown when a retry loop stops because its signal was aborted. */
export class RetryAbortedError extends Error {
  constructor() {
    super('retry aborted');
    this.name = 'RetryAbortedError';
  }
}

/** The ceiling before retry number `attempt` (1-based): initial * 2^(attempt-1), at most max. */
export function backoffCeiling(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
}

/**
 * The delay before retry number `attempt`: "equal jitter", half the ceiling plus a random
 * share of the other half. Many forwarders or bridges that failed together (a store outage)
 * then come back spread out instead of all at once; the fixed half keeps a floor, so a
 * failing call is never hammered in a tight loop.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = backoffCeiling(attempt, policy.initialMs, policy.maxMs);
  const random = policy.random ?? Math.random;
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Calls `action` until it resolves. Store and queue outages are expected, so failures are
 * reported and retried; only an abort (RetryAbortedError) or `giveUp` ends the loop.
 */
export async function retryWithBackoff<T>(
  action: () => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (policy.signal?.aborted) throw new RetryAbortedError();
    try {
      return await action();
    } catch (error) {
      if (policy.signal?.aborted) throw new RetryAbortedError();
      const delay = backoffDelay(attempt, policy);
      if (policy.giveUp?.(error, attempt, delay)) throw error;
      policy.onFailure?.(error, attempt, delay);
      await sleep(delay, policy.signal);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (it then resolves; the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
