import { describe, expect, it } from 'vitest';
import { createViolationCounts, OTHER_VIOLATIONS } from './violation-counts.js';

describe('createViolationCounts', () => {
  it('counts each source and label apart, with the time of the last one', () => {
    let now = 1_000;
    const counts = createViolationCounts(() => now);
    counts.add('shop', ['Buy']);
    now = 2_000;
    counts.add('shop', ['Buy', 'View']);
    counts.add('blog', ['Buy']);
    expect(counts.top(10)).toEqual([
      { source: 'shop', event: 'Buy', count: 2, last: 2_000 },
      { source: 'shop', event: 'View', count: 1, last: 2_000 },
      { source: 'blog', event: 'Buy', count: 1, last: 2_000 },
    ]);
  });

  it('keeps at most maxKeys pairs: the rest of a source counts under one row', () => {
    const counts = createViolationCounts(() => 0, 2);
    counts.add('shop', ['A', 'B', 'C', 'D', 'A']);
    expect(counts.top(10).map((c) => [c.event, c.count])).toEqual([
      ['A', 2],
      [OTHER_VIOLATIONS, 2],
      ['B', 1],
    ]);
  });
});
