import { describe, expect, it } from 'vitest';
import { createRecentIds } from './recent-ids.js';

describe('createRecentIds', () => {
  it('counts the ids of a source seen before, within the window, and remembers every one', () => {
    const recent = createRecentIds(3);
    expect(recent.repeats('s', ['a', 'b'])).toBe(0);
    expect(recent.repeats('s', ['a', 'c'])).toBe(1);
    expect(recent.repeats('other', ['a'])).toBe(0); // another source's id is another event
    expect(recent.repeats('s', ['a', 'b', 'c'])).toBe(1); // b went first: the window is 3
  });

  it('counts a repeat inside one batch', () => {
    expect(createRecentIds().repeats('s', ['a', 'a'])).toBe(1);
  });
});
