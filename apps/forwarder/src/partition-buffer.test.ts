import type { QueueEntry } from '@sluice/queue';
import { describe, expect, it } from 'vitest';
import { PartitionBuffer } from './partition-buffer.js';

function entry(position: number, id: string, body: string): QueueEntry {
  const bytes = new TextEncoder().encode(body);
  return { position, id, source: 's', time: 0, kind: 'event', body: bytes };
}

describe('PartitionBuffer', () => {
  it('builds NDJSON from the bodies byte for byte, one newline each', () => {
    const buffer = new PartitionBuffer('p/', 0);
    // Odd spacing and non-ASCII prove the body is copied, not re-serialized.
    buffer.add(entry(3, 'a', '{ "x" : 1 ,"é":"☃"}'));
    buffer.add(entry(4, 'b', '{"y":2}'));
    const text = new TextDecoder().decode(buffer.toNdjson());
    expect(text).toBe('{ "x" : 1 ,"é":"☃"}\n{"y":2}\n');
    expect(buffer.bytes).toBe(buffer.toNdjson().byteLength);
    expect([buffer.firstPosition, buffer.lastPosition]).toEqual([3, 4]);
  });

  it('accounts for a dropped repeat without writing it: acknowledged with the file, and naming it when first', () => {
    const buffer = new PartitionBuffer('p/', 0);
    buffer.addRepeat(entry(1, 'a', '{"n":1}'));
    buffer.add(entry(2, 'b', '{"n":2}'));
    buffer.addRepeat(entry(3, 'b', '{"n":2}'));
    expect(new TextDecoder().decode(buffer.toNdjson())).toBe('{"n":2}\n');
    expect(buffer.consumed.map((e) => e.position)).toEqual([1, 2, 3]);
    expect([buffer.firstPosition, buffer.lastPosition]).toEqual([1, 3]);
    expect([buffer.bytes, buffer.heldBytes]).toEqual([8, 22]);
  });
});
