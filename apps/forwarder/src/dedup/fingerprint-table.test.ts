import { describe, expect, it } from 'vitest';
import { FingerprintTable, hashId } from './fingerprint-table.js';

const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, n) => `${prefix}-${n}-0f6c2a9e-4b1d`);

describe('FingerprintTable', () => {
  it('finds a stored id under the slot it was stored in', () => {
    const table = new FingerprintTable(64 * 1024);
    const hash = (id: string) => hashId(id, table.bucketMask);
    expect(table.add(hash('a'), 7)).toBe(true);
    expect(table.add(hash('b'), 8)).toBe(true);
    expect(table.candidates(hash('a'))).toEqual([7]);
    expect(table.candidates(hash('b'))).toEqual([8]);
    expect(table.size).toBe(2);
    expect(table.liveSlots()).toEqual([7, 8]);
  });

  it('rarely names a candidate for an id never stored (24-bit fingerprints)', () => {
    const table = new FingerprintTable(1024 * 1024);
    for (const id of ids('stored', 100_000)) table.add(hashId(id, table.bucketMask), 1);
    let candidates = 0;
    for (const id of ids('other', 100_000)) {
      candidates += table.candidates(hashId(id, table.bucketMask)).length;
    }
    // Each lookup compares 16 cells with 2^24 fingerprints: about 0.1 per 100k lookups.
    expect(candidates).toBeLessThanOrEqual(5);
  });

  it('forgets a dropped slot whole and keeps the others', () => {
    const table = new FingerprintTable(256 * 1024);
    for (const id of ids('old', 1_000)) table.add(hashId(id, table.bucketMask), 1);
    for (const id of ids('new', 1_000)) table.add(hashId(id, table.bucketMask), 2);
    table.drop(1);
    expect(table.size).toBe(1_000);
    expect(
      ids('old', 1_000).filter((id) => table.candidates(hashId(id, table.bucketMask)).length),
    ).toEqual([]);
    expect(
      ids('new', 1_000).every((id) => table.candidates(hashId(id, table.bucketMask)).includes(2)),
    ).toBe(true);
    // The freed tag serves a slot 255 later without mixing the two.
    table.add(hashId('later', table.bucketMask), 256);
    expect(table.candidates(hashId('later', table.bucketMask))).toEqual([256]);
  });

  it('says so when an id finds both its buckets full, and never holds more than its memory', () => {
    const table = new FingerprintTable(64 * 1024);
    expect(table.byteLength).toBe(64 * 1024);
    let firstRefusal: number | undefined;
    for (const [n, id] of ids('fill', 40_000).entries()) {
      if (!table.add(hashId(id, table.bucketMask), 1)) firstRefusal ??= n;
    }
    // Two choices of 8 cells fill most of the table before the first refusal.
    expect(firstRefusal! / table.capacity).toBeGreaterThan(0.7);
    expect(table.size).toBeLessThanOrEqual(table.capacity);
    expect(table.capacity * 4).toBe(64 * 1024);
  });
});
