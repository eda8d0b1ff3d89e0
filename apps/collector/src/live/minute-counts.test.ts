import { describe, expect, it } from 'vitest';
import { createMinuteCounts } from './minute-counts.js';

describe('createMinuteCounts', () => {
  it('counts each kind per minute and forgets minutes that left the window', () => {
    let t = Date.UTC(2026, 10, 24, 10, 0, 5);
    const counts = createMinuteCounts(() => t, 3);
    counts.add('accepted', 5);
    counts.add('quarantined', 1);
    t += 60_000;
    counts.add('accepted', 2);
    counts.add('rejected', 1);
    counts.add('accepted', 0);
    expect(counts.series()).toEqual([
      { minute: Date.UTC(2026, 10, 24, 10, 0), accepted: 5, quarantined: 1, rejected: 0 },
      { minute: Date.UTC(2026, 10, 24, 10, 1), accepted: 2, quarantined: 0, rejected: 1 },
    ]);
    t += 3 * 60_000;
    expect(counts.series()).toEqual([]);
    // The bucket of 10:00 is reused for 10:04 and starts from zero.
    counts.add('accepted', 1);
    expect(counts.series()).toEqual([
      { minute: Date.UTC(2026, 10, 24, 10, 4), accepted: 1, quarantined: 0, rejected: 0 },
    ]);
  });
});
