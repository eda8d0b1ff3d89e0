import { describe, expect, it } from 'vitest';
import { randomId } from './random-id.js';

describe('randomId', () => {
  it('makes ids of four random 32-bit numbers, different every time', () => {
    const ids = Array.from({ length: 10_000 }, randomId);
    for (const id of ids) expect(id).toMatch(/^\d{4,40}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws its digits evenly (128 random bits, not a counter or a clock)', () => {
    const digits = Array.from({ length: 2000 }, randomId).join('');
    const counts = Array.from({ length: 10 }, (_, d) => digits.split(String(d)).length - 1);
    // Leading digits favour 1–4 a little (numbers below 2^32); every digit still shows up often.
    for (const count of counts) expect(count / digits.length).toBeGreaterThan(0.05);
    expect(randomId().length).toBeGreaterThanOrEqual(30); // almost always 36–40 digits
  });
});
