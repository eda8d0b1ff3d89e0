import { describe, expect, it } from 'vitest';
import { logPartitionUrl } from './log-partitions.js';

describe('logPartitionUrl', () => {
  it('names partition i as <dir>/w<i>, keeping the URL of partition 0 as it is with one partition', () => {
    expect(logPartitionUrl('log:/d/queue?durability=none', 0)).toBe('log:/d/queue?durability=none');
    expect(logPartitionUrl('log:/d/queue/', 2, 3)).toBe('log:/d/queue/w2');
  });

  it('divides the byte budgets of the data directory among the partitions, not the time limit', () => {
    const url = 'log:/d/queue?maxBytes=1000&retainBytes=301&retainMs=60000&durability=none';
    const parts = [0, 1, 2].map(
      (i) => new URL(logPartitionUrl(url, i, 3).replace(/^log:/, 'file:')),
    );
    expect(parts.map((u) => u.pathname)).toEqual(['/d/queue', '/d/queue/w1', '/d/queue/w2']);
    for (const u of parts) {
      expect(u.searchParams.get('maxBytes')).toBe('333');
      expect(u.searchParams.get('retainBytes')).toBe('100');
      expect(u.searchParams.get('retainMs')).toBe('60000');
      expect(u.searchParams.get('durability')).toBe('none');
    }
  });
});
