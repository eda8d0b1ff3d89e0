import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime, parseIsoTime } from './iso-time.js';

const MAX_MS = 8.64e15;

describe('isoTime', () => {
  it('writes what toISOString writes, on the day at hand and any other', () => {
    const near = Date.parse('2026-03-01T00:00:00.000Z');
    const ms = fc.oneof(
      fc.integer({ min: near - 2 * 86_400_000, max: near + 2 * 86_400_000 }),
      fc.integer({ min: -MAX_MS, max: MAX_MS }),
      fc.double({ min: -MAX_MS, max: MAX_MS, noNaN: true }),
      fc.constantFrom(0, -1, 253402300799999, 253402300800000, -62167219200001),
    );
    fc.assert(
      fc.property(fc.array(ms, { minLength: 1, maxLength: 8 }), (times) => {
        for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('throws for a time out of range, as toISOString', () => {
    expect(() => isoTime(MAX_MS + 1)).toThrow(RangeError);
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});

describe('parseIsoTime', () => {
  it('reads what Date.parse reads, canonical or not', () => {
    const day = '2026-03-01T';
    const digit = fc.constantFrom(...'0123456789'.split(''));
    const clock = fc
      .array(fc.oneof(digit, digit, digit, fc.constantFrom(':', '.', 'Z', 'z', '+', ' ', '-')), {
        minLength: 12,
        maxLength: 14,
      })
      .map((chars) => chars.join(''));
    const text = fc.oneof(
      fc.integer({ min: -MAX_MS, max: MAX_MS }).map((t) => new Date(t).toISOString()),
      clock.map((c) => `${day}${c}`),
      fc
        .tuple(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 61 }))
        .map(
          ([h, m]) => `${day}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000Z`,
        ),
      fc.constantFrom(`${day}24:00:00.000Z`, `${day}23:59:60.000Z`, `${day}12:00:00.000+01:00`),
    );
    // The day it knows is the one of the last time it wrote.
    isoTime(Date.parse('2026-03-01T10:00:00.000Z'));
    fc.assert(
      fc.property(text, (t) => {
        expect(parseIsoTime(t)).toBe(Date.parse(t));
      }),
      { numRuns: 3000 },
    );
  });
});
