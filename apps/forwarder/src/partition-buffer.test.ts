import type { QueueEntry } from '@sluice/queue';
import { describe, expect, it } from 'vitest';
import { PartitionBuffer } from './partition-buffer.js';
import { createRepeatFilter } from './repeat-filter.js';

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

  it('drops a repeated messageId but still accounts for it, so it is acknowledged with the file', () => {
    const buffer = new PartitionBuffer('p/', 0);
    expect(buffer.add(entry(1, 'a', '{"n":1}'))).toBe(true);
    expect(buffer.add(entry(2, 'a', '{"n":1}'))).toBe(false);
    expect(buffer.add(entry(3, 'b', '{"n":2}'))).toBe(true);
    expect(new TextDecoder().decode(buffer.toNdjson())).toBe('{"n":1}\n{"n":2}\n');
    expect(buffer.consumed.map((e) => e.position)).toEqual([1, 2, 3]);
    expect(buffer.lastPosition).toBe(3);
  });
});

describe('createRepeatFilter', () => {
  it('reports an id seen since the last reset as a repeat', () => {
    const filter = createRepeatFilter();
    expect(filter.isRepeat('a')).toBe(false);
    expect(filter.isRepeat('a')).toBe(true);
    filter.reset();
    expect(filter.isRepeat('a')).toBe(false);
    expect(filter.size).toBe(1);
  });
});
