import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryDelay } from './retry-delay.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('retryDelay', () => {
  it('doubles the longest wait with each failure, up to 2^8 seconds', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999999);
    const longest = [1, 2, 3, 4, 8, 9, 30].map((failures) => Math.round(retryDelay(failures, NaN)));
    expect(longest).toEqual([2000, 4000, 8000, 16_000, 256_000, 256_000, 256_000]);
  });

  it('spreads retries over the whole window (full jitter)', () => {
    const delays = Array.from({ length: 2000 }, () => retryDelay(3, NaN));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8000);
    expect(delays.filter((d) => d < 2000).length).toBeGreaterThan(200);
    expect(delays.filter((d) => d > 6000).length).toBeGreaterThan(200);
  });

  it("never retries sooner than the collector's Retry-After", () => {
    for (let i = 0; i < 200; i++) expect(retryDelay(1, 30)).toBeGreaterThanOrEqual(30_000);
    vi.spyOn(Math, 'random').mockReturnValue(0.999999);
    expect(retryDelay(8, 30)).toBeGreaterThan(250_000); // the backoff wins when longer
  });

  it('treats a missing or unreadable Retry-After (NaN, 0) as none', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    expect(retryDelay(1, NaN)).toBe(1000);
    expect(retryDelay(1, 0)).toBe(1000);
  });
});
