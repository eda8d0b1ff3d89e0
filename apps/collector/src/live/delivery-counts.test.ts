import { describe, expect, it } from 'vitest';
import { createDeliveryCounts, OTHER_SOURCES } from './delivery-counts.js';

const report = (source: string, transport: string | undefined, delaysMs: number[]) => ({
  source,
  accepted: delaysMs.length,
  quarantined: [],
  transport,
  delaysMs,
});

describe('createDeliveryCounts', () => {
  it('counts events per source and transport, with the delay p50/p99 as bucket bounds', () => {
    const counts = createDeliveryCounts();
    // 98 fast fetches and two slow ones: the median is fast, the 99th percentile is not.
    counts.add(report('shop', 'fetch', [...new Array(98).fill(40), 7_000, 8_000]));
    counts.add(report('shop', 'resend', [90_000]));
    counts.add(report('shop', 'resend', [-5])); // a fast client clock: no delay
    counts.add(report('blog', undefined, [300]));
    counts.add(report('blog', 'x"y', [300])); // not a transport the collector tells
    expect(counts.table(10)).toEqual([
      {
        source: 'blog',
        transport: 'unknown',
        events: 2,
        gaps: 0,
        delayP50Ms: 500,
        delayP99Ms: 500,
      },
      {
        source: 'shop',
        transport: 'fetch',
        events: 100,
        gaps: 0,
        delayP50Ms: 50,
        delayP99Ms: 10_000,
      },
      {
        source: 'shop',
        transport: 'resend',
        events: 2,
        gaps: 0,
        delayP50Ms: 10,
        delayP99Ms: 300_000,
      },
    ]);
  });

  it('says a delay past the last bound as null, and none when no event told its delay', () => {
    const counts = createDeliveryCounts();
    counts.add(report('shop', 'resend', [40 * 86_400_000]));
    counts.add({ source: 'shop', accepted: 3, quarantined: [], transport: 'beacon' });
    counts.add({ source: 'shop', accepted: 0, quarantined: ['invalid_type'], transport: 'pixel' });
    expect(counts.table(10)).toEqual([
      { source: 'shop', transport: 'beacon', events: 3, gaps: 0 },
      {
        source: 'shop',
        transport: 'resend',
        events: 1,
        gaps: 0,
        delayP50Ms: null,
        delayP99Ms: null,
      },
    ]);
  });

  it("counts a visit's missing numbers on the row that showed them, per source", () => {
    const counts = createDeliveryCounts();
    const numbered = (source: string, transport: string, indexes: number[]) =>
      counts.add({
        source,
        accepted: indexes.length,
        quarantined: [],
        transport,
        sequence: indexes.map((i) => ['anon\u0000s1', i] as const),
      });
    numbered('shop', 'fetch', [1, 2, 4]); // 3 missing
    numbered('shop', 'beacon', [7]); // 5 and 6 missing
    numbered('shop', 'resend', [3]); // 3 was late: no longer a gap
    numbered('blog', 'fetch', [5]); // the same ids on another source: another visit
    expect(counts.table(10).map((c) => [c.source, c.transport, c.gaps])).toEqual([
      ['blog', 'fetch', 0],
      ['shop', 'beacon', 2],
      ['shop', 'fetch', 0],
      ['shop', 'resend', 0],
    ]);
  });

  it('keeps at most maxRows pairs: the rest count under one source per transport', () => {
    const counts = createDeliveryCounts(2);
    for (const source of ['a', 'b', 'c', 'd']) counts.add(report(source, 'fetch', [1]));
    counts.add(report('a', 'fetch', [1]));
    expect(counts.table(10).map((c) => [c.source, c.events])).toEqual([
      [OTHER_SOURCES, 2],
      ['a', 2],
      ['b', 1],
    ]);
    expect(counts.table(1)).toHaveLength(1);
  });
});
