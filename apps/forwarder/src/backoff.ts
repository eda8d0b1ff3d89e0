/** How a failing call is retried: exponential delays, capped, until it succeeds or is aborted. */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  signal?: AbortSignal;
  /** Called with each failure before the wait, e.g. to log and count it. */
  onFailure?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Failures no retry can fix: thrown at once. */
  isFinal?: (error: unknown) => boolean;
}

/** Thrown when a retry loop stops because its signal was aborted. */
export class RetryAbortedError extends Error {
  constructor() {
    super('retry aborted');
    this.name = 'RetryAbortedError';
  }
}

/** The delay before retry number `attempt` (1-based): initial * 2^(attempt-1), at most max. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
}

/**
 * Calls `action` until it resolves. Store and queue outages are expected, so failures
 * are reported and retried; only an abort or a final failure (`isFinal`) ends the loop.
 */
export async function retryUntilDone<T>(action: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (policy.signal?.aborted) throw new RetryAbortedError();
    try {
      return await action();
    } catch (error) {
      if (policy.signal?.aborted) throw new RetryAbortedError();
      if (policy.isFinal?.(error)) throw error;
      const delay = backoffDelay(attempt, policy.initialMs, policy.maxMs);
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
