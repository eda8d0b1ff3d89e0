import { describe, expect, it } from 'vitest';
import { isPartitionClosed, partitionEndOf } from './partition-time.js';

const HOUR_MS = 3_600_000;

describe('isPartitionClosed', () => {
  it('closes an event hour once the hour and the grace have passed', () => {
    const partition = 'events/source=shop/dt=2026-11-24/hh=10/';
    const end = Date.UTC(2026, 10, 24, 11);
    expect(partitionEndOf(partition)).toBe(end);
    expect(isPartitionClosed(partition, end + 2 * HOUR_MS - 1, 2 * HOUR_MS)).toBe(false);
    expect(isPartitionClosed(partition, end + 2 * HOUR_MS, 2 * HOUR_MS)).toBe(true);
  });

  it('closes a quarantine day at the end of the day plus grace, under any prefix', () => {
    const partition = 'replay-1/quarantine/source=shop/dt=2026-11-24/';
    expect(partitionEndOf(partition)).toBe(Date.UTC(2026, 10, 25));
    expect(isPartitionClosed(partition, Date.UTC(2026, 10, 25, 1), 2 * HOUR_MS)).toBe(false);
  });

  it('never closes a folder that names no real date', () => {
    for (const folder of ['events/source=shop/', 'events/source=shop/dt=2026-02-30/hh=01/']) {
      expect(isPartitionClosed(folder, Date.UTC(2100, 0, 1), 0)).toBe(false);
    }
  });
});
