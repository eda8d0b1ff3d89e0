import { seededRandom as seeded } from '@sluice/testkit/random';
import { describe, expect, it } from 'vitest';
import {
  backoffCeiling,
  backoffDelay,
  RetryAbortedError,
  retryWithBackoff,
} from './retry-with-backoff.js';

describe('retryWithBackoff', () => {
  it('doubles the ceiling after each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 60].map((n) => backoffCeiling(n, 100, 1_000))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('spreads retries between half the ceiling and the ceiling, as the random source says', () => {
    const policy = { initialMs: 100, maxMs: 1_000 };
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(200);
    expect(backoffDelay(3, { ...policy, random: () => 0.5 })).toBe(300);
    expect(backoffDelay(3, { ...policy, random: () => 0.999_999 })).toBe(400);
    // Many clients failing together (seeded: each its own stream) do not retry in step.
    const firstRetries = Array.from({ length: 20 }, (_, client) =>
      backoffDelay(4, { ...policy, random: seeded(client) }),
    );
    expect(new Set(firstRetries).size).toBeGreaterThan(10);
    for (const delay of firstRetries) {
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
    // The same seed, the same delays: a run can be repeated.
    const delays = (seed: number) => {
      const random = seeded(seed);
      return [1, 2, 3, 4].map((n) => backoffDelay(n, { ...policy, random }));
    };
    expect(delays(7)).toEqual(delays(7));
  });

  it('keeps retrying a failing call until it succeeds, reporting each failure and its wait', async () => {
    let calls = 0;
    const failures: Array<[number, number]> = [];
    const result = await retryWithBackoff(
      async () => {
        calls++;
        if (calls < 4) throw new Error(`down ${calls}`);
        return 'ok';
      },
      {
        initialMs: 2,
        maxMs: 4,
        random: () => 0,
        onFailure: (_error, attempt, delay) => failures.push([attempt, delay]),
      },
    );
    expect(result).toBe('ok');
    expect(failures).toEqual([
      [1, 1],
      [2, 2],
      [3, 2],
    ]);
  });

  it('throws the error when giveUp says so, without waiting', async () => {
    const final = new Error('gone for good');
    let calls = 0;
    const attempt = retryWithBackoff(
      async () => {
        calls++;
        throw calls === 2 ? final : new Error('flaky');
      },
      { initialMs: 1, maxMs: 1, giveUp: (error) => error === final },
    );
    await expect(attempt).rejects.toBe(final);
    expect(calls).toBe(2);
  });

  it('ends in the middle of a long wait when aborted', async () => {
    const controller = new AbortController();
    let failed!: () => void;
    const firstFailure = new Promise<void>((resolve) => {
      failed = resolve;
    });
    const attempt = retryWithBackoff(() => Promise.reject(new Error('down')), {
      // Longer than the test's timeout: only the abort can end this wait.
      initialMs: 600_000,
      maxMs: 600_000,
      signal: controller.signal,
      onFailure: () => failed(),
    });
    await firstFailure;
    controller.abort();
    await expect(attempt).rejects.toBeInstanceOf(RetryAbortedError);
  });
});
