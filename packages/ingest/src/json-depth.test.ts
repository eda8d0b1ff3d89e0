import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan, valueNestsDeeperThan } from './json-depth.js';

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, the outermost value as level 1', () => {
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(nestsDeeperThan('1', 0)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[[","b":"\\\\"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\",  "b":[[]]}', 2)).toBe(true);
  });

  it('finds a nesting far deeper than any event needs', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(nestsDeeperThan(`{"batch":[{"properties":{"x":${deep}}}]}`, 64)).toBe(true);
    expect(nestsDeeperThan(deep, 100_000)).toBe(false);
  });
});

describe('valueNestsDeeperThan', () => {
  it("gives the text's answer for any JSON, strings with brackets and __proto__ keys included", () => {
    const text = fc.oneof(
      fc.json({ maxDepth: 8 }),
      // Brackets and quotes inside strings and keys, an own __proto__ key, nested arrays.
      fc
        .jsonValue({ maxDepth: 6 })
        .map((v) => JSON.stringify({ '[{': v, a: ['"]', { '}': [v] }] })),
      fc.jsonValue({ maxDepth: 6 }).map((v) => `{"__proto__":${JSON.stringify([v, [v]])}}`),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 10 }), (json, max) => {
        expect(valueNestsDeeperThan(JSON.parse(json), max)).toBe(nestsDeeperThan(json, max));
      }),
      { numRuns: 3000 },
    );
  });

  it('measures an own __proto__ key, not the prototype', () => {
    const parsed = JSON.parse('{"__proto__":[[[]]]}');
    expect(valueNestsDeeperThan(parsed, 3)).toBe(true);
    expect(valueNestsDeeperThan(parsed, 4)).toBe(false);
  });

  it('stops at the limit on a value far deeper, without overflowing the stack', () => {
    const deep = JSON.parse(
      `{"batch":[{"properties":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}]}`,
    );
    expect(valueNestsDeeperThan(deep, 64)).toBe(true);
    expect(valueNestsDeeperThan(1, 0)).toBe(false);
  });
});
