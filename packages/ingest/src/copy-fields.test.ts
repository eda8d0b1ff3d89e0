import { describe, expect, it } from 'vitest';
import { copyFields } from './copy-fields.js';

describe('copyFields', () => {
  it('copies own fields in order into a new object, leaving the source as it was', () => {
    const source = { b: 1, a: { nested: true }, c: null };
    const copy = copyFields(source);
    expect(Object.keys(copy)).toEqual(['b', 'a', 'c']);
    expect(copy).toEqual(source);
    copy.d = 4;
    expect(source).not.toHaveProperty('d');
  });

  it('leaves out one named field, and adds to a given target after its own fields', () => {
    expect(copyFields({ writeKey: 'k', type: 'track' }, {}, 'writeKey')).toEqual({ type: 'track' });
    expect(Object.keys(copyFields({ b: 2, a: 9 }, { a: 1 }))).toEqual(['a', 'b']);
  });

  it('never lets a "__proto__" field of parsed JSON change the copy prototype', () => {
    const parsed = JSON.parse('{"__proto__":{"userId":"forged"},"type":"track"}');
    const copy = copyFields(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.userId).toBeUndefined();
    expect(JSON.stringify(copy)).toBe('{"type":"track"}');
  });
});
