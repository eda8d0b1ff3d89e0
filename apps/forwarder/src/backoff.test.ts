import { describe, expect, it } from 'vitest';
import { backoffDelay, RetryAbortedError, retryUntilDone } from './backoff.js';

describe('retryUntilDone', () => {
  it('doubles the delay after each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 60].map((n) => backoffDelay(n, 100, 1_000))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('keeps retrying a failing call until it succeeds, reporting each failure', async () => {
    let calls = 0;
    const failures: number[] = [];
    const result = await retryUntilDone(
      async () => {
        calls++;
        if (calls < 4) throw new Error(`down ${calls}`);
        return 'ok';
      },
      { initialMs: 1, maxMs: 4, onFailure: (_error, attempt) => failures.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(failures).toEqual([1, 2, 3]);
  });

  it('gives up only when aborted, without waiting out the delay', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const attempt = retryUntilDone(() => Promise.reject(new Error('down')), {
      initialMs: 60_000,
      maxMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(attempt).rejects.toBeInstanceOf(RetryAbortedError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
