import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIsoMs } from './iso-time.js';

const times = fc.integer({
  min: Date.parse('0000-01-01T00:00:00.000Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
});

describe('canonicalIsoMs', () => {
  it('reads every time as Date#toISOString writes it (years 0 to 9999)', () => {
    fc.assert(
      fc.property(times, (ms) => {
        expect(canonicalIsoMs(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 5_000 },
    );
  });

  it('gives undefined for anything toISOString would not write, so the caller keeps it as sent', () => {
    for (const value of [
      '2026-11-24T10:30:00Z',
      '2026-11-24T10:30:00.000+00:00',
      '2026-02-30T10:30:00.000Z',
      '2026-13-01T10:30:00.000Z',
      '2026-11-24T24:00:00.000Z',
      '2026-11-24T10:60:00.000Z',
      '2026-11-24T10:30:60.000Z',
      '2026-11-24T10:30:00.-01Z',
      '2026-11-24 10:30:00.000Z',
      '+02026-11-24T10:30:00.000Z',
    ]) {
      expect(canonicalIsoMs(value)).toBeUndefined();
    }
    // A time's string with one character changed: read only if toISOString writes it so.
    const chars = fc.constantFrom(...'0123456789-:.TZ+ x');
    fc.assert(
      fc.property(times, fc.nat(23), chars, (ms, at, char) => {
        const iso = new Date(ms).toISOString();
        const value = iso.slice(0, at) + char + iso.slice(at + 1);
        const read = canonicalIsoMs(value);
        if (read !== undefined) expect(new Date(read).toISOString()).toBe(value);
        else expect(Date.parse(value) === ms && value === iso).toBe(false);
      }),
      { numRuns: 10_000 },
    );
  });
});
