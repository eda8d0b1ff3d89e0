import { describe, expect, it } from 'vitest';
import { createVisitGaps } from './visit-gaps.js';

describe('createVisitGaps', () => {
  it('counts the numbers skipped on the row that shows them, and takes back late ones', () => {
    const gaps = createVisitGaps();
    const fetch = { gaps: 0 };
    const resend = { gaps: 0 };
    for (const index of [1, 2, 5]) gaps.see('v1', index, fetch); // 3 and 4 missing
    expect(fetch.gaps).toBe(2);
    gaps.see('v1', 4, resend); // 4 was only late
    gaps.see('v1', 4, resend); // a repeat changes nothing
    gaps.see('v1', 2, fetch);
    expect([fetch.gaps, resend.gaps]).toEqual([1, 0]);
    gaps.see('v2', 7, fetch); // first seen mid-visit: no gap below it
    expect(fetch.gaps).toBe(1);
  });

  it('keeps at most maxVisits visits and maxHoles holes each: the rest stay counted', () => {
    const gaps = createVisitGaps(2, 3);
    const row = { gaps: 0 };
    gaps.see('a', 1, row);
    gaps.see('a', 10, row); // 2..9 missing; only 7, 8, 9 remembered
    expect(row.gaps).toBe(8);
    gaps.see('a', 2, row);
    gaps.see('a', 8, row);
    expect(row.gaps).toBe(7);
    gaps.see('b', 1, row);
    gaps.see('c', 1, row); // 'a' is forgotten
    expect(gaps.visits()).toBe(2);
    gaps.see('a', 9, row); // a new visit to this process now
    expect(row.gaps).toBe(7);
  });
});
