import fc from 'fast-check';
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

describe('createRecentIds, against the window it keeps', () => {
  it('counts what a list of the last sightings counts, with no false repeat across sources', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(
          fc.tuple(
            fc.constantFrom('s', 't', 's\n'),
            fc.array(fc.oneof(fc.string({ maxLength: 2 }), fc.constantFrom('\na', 'a', '\n'))),
          ),
          { maxLength: 60 },
        ),
        (capacity, requests) => {
          const recent = createRecentIds(capacity);
          let window: string[] = [];
          for (const [source, ids] of requests) {
            let expected = 0;
            for (const id of ids) {
              if (window.includes(JSON.stringify([source, id]))) expected++;
              window = [...window, JSON.stringify([source, id])].slice(-capacity);
            }
            expect(recent.repeats(source, ids)).toBe(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
