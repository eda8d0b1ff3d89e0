import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readIdKey, writeIdKey } from './id-key.js';

function keyOf(id: string): Buffer {
  const target = Buffer.alloc(2048);
  return target.subarray(0, writeIdKey(id, target, 0));
}

const readBack = (id: string) => {
  const key = keyOf(id);
  return readIdKey(key, 0, key.length);
};

describe('dedup index keys', () => {
  it('keeps a lowercase UUID in 16 bytes and the tag’s 40-digit ids in 21', () => {
    const uuid = randomUUID();
    expect(keyOf(uuid)).toHaveLength(16);
    expect(readBack(uuid)).toBe(uuid);
    const tagId = '4294967295429496729542949672954294967295';
    expect(keyOf(tagId)).toHaveLength(21);
    expect(readBack(tagId)).toBe(tagId);
  });

  it('reads every id back from its key, whatever its shape', () => {
    const uuid = '0f8e2c1a-5b3d-4e6f-9a7b-8c9d0e1f2a3b';
    const ids = [
      '',
      '0',
      '007',
      uuid,
      uuid.toUpperCase(),
      `${uuid.slice(0, 8)}_${uuid.slice(9)}`,
      '1'.repeat(29),
      '2'.repeat(30),
      'a'.repeat(15),
      'é'.repeat(7),
      'ajs-next-1234567890abcdef',
      '🙂 id',
      'x'.repeat(255),
    ];
    for (const id of ids) expect(readBack(id)).toBe(id);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uuid(), fc.stringMatching(/^[0-9]{1,60}$/)), (id) => {
        expect(readBack(id)).toBe(id);
      }),
    );
  });

  it('gives different ids different keys (an uppercase UUID is not its lowercase form)', () => {
    const uuid = randomUUID();
    const ids = [uuid, uuid.toUpperCase(), '1'.repeat(29), '1'.repeat(30), '12', '012', ''];
    const keys = new Set(ids.map((id) => keyOf(id).toString('hex')));
    expect(keys.size).toBe(ids.length);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(keyOf(a).equals(keyOf(b))).toBe(false);
      }),
    );
  });
});
