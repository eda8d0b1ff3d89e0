import { MAX_RETRY_DOUBLINGS, RETRY_BASE_MS } from './limits.js';

/**
 * How long to wait before retry number `failures` (1 after the first failure): exponential
 * backoff with full jitter (anywhere up to 2^failures × RETRY_BASE_MS, so a fleet of
 * browsers does not come back in step), never sooner than the collector's `Retry-After`
 * (seconds; 0 or NaN when it gave none).
 */
export const retryDelay = (failures: number, retryAfterSeconds: number): number =>
  Math.max(
    retryAfterSeconds * 1000 || 0,
    RETRY_BASE_MS * 2 ** Math.min(failures, MAX_RETRY_DOUBLINGS) * Math.random(),
  );
