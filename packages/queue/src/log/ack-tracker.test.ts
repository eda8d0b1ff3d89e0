import { describe, expect, it } from 'vitest';
import { AckTracker } from './ack-tracker.js';

describe('AckTracker', () => {
  it('commits only up to the first gap when acks come out of order', () => {
    const tracker = new AckTracker(10);
    expect(tracker.ack([12, 13])).toBe(false);
    expect(tracker.committed).toBe(10);
    expect(tracker.ack([10])).toBe(true);
    expect(tracker.committed).toBe(11);
    expect(tracker.ack([11])).toBe(true);
    expect(tracker.committed).toBe(14);
    expect(tracker.pending).toBe(0);
  });

  it('ignores positions already committed and repeated acks', () => {
    const tracker = new AckTracker(5);
    expect(tracker.ack([1, 2, 3])).toBe(false);
    expect(tracker.ack([5, 5, 6])).toBe(true);
    expect(tracker.ack([6])).toBe(false);
    expect(tracker.committed).toBe(7);
    expect(tracker.pending).toBe(0);
  });

  it('commits in-order runs at once, also when they reach positions already waiting', () => {
    const tracker = new AckTracker(0);
    expect(tracker.ack([0, 1, 2])).toBe(true);
    expect(tracker.committed).toBe(3);
    expect(tracker.ack([4])).toBe(false);
    // 3 closes the gap; 4 is acknowledged a second time in the same run.
    expect(tracker.ack([3, 4, 5])).toBe(true);
    expect(tracker.committed).toBe(6);
    expect(tracker.pending).toBe(0);
    expect(tracker.ack([7, 6])).toBe(true);
    expect(tracker.committed).toBe(8);
    expect(tracker.pending).toBe(0);
  });
});
