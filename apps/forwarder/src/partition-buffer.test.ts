import { gunzipSync } from 'node:zlib';
import type { FileWriter } from '@sluice/layout';
import type { QueueEntry } from '@sluice/queue';
import { describe, expect, it } from 'vitest';
import { gzipWriter } from './formats/gzip.js';
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

describe('PartitionBuffer with a writer (compressed as lines arrive)', () => {
  const lineOf = (n: number, size: number) => `{"n":${n},"pad":"${'x'.repeat(size)}"}`;

  it('writes the same NDJSON as a buffer without one, across many pieces and buffers', async () => {
    // Two partitions fill at once, over several 256 KiB pieces each: a piece reused before
    // the compressor took it in would mix their lines up.
    const a = new PartitionBuffer('events/a/', 0, gzipWriter);
    const b = new PartitionBuffer('events/b/', 0, gzipWriter);
    const expected = { a: [] as string[], b: [] as string[] };
    for (let n = 0; n < 3_000; n++) {
      const line = lineOf(n, 100 + (n % 700));
      const target = n % 3 === 0 ? 'b' : 'a';
      (target === 'a' ? a : b).add(entry(n, `id-${n}`, line));
      expected[target].push(line);
      if (a.backlogged) await a.drained();
      if (b.backlogged) await b.drained();
    }
    const [fileA, fileB] = await Promise.all([a.finish(), b.finish()]);
    expect(gunzipSync(fileA).toString()).toBe(`${expected.a.join('\n')}\n`);
    expect(gunzipSync(fileB).toString()).toBe(`${expected.b.join('\n')}\n`);
    expect(a.bytes).toBe(Buffer.byteLength(`${expected.a.join('\n')}\n`));
  });

  it('keeps what the acknowledgement and the dedup record need, not the bodies', () => {
    const buffer = new PartitionBuffer('events/a/', 0, gzipWriter);
    buffer.add(entry(5, 'a', '{"n":1}'));
    buffer.addRepeat(entry(6, 'a', '{"n":1}'));
    buffer.add(entry(7, 'b', '{"n":2}'));
    expect(buffer.lineCount).toBe(2);
    expect(buffer.storedIds()).toEqual([
      { id: 'a', position: 5 },
      { id: 'b', position: 7 },
    ]);
    expect(buffer.consumed.map((e) => e.position)).toEqual([5, 6, 7]);
    expect([buffer.firstPosition, buffer.lastPosition]).toEqual([5, 7]);
    expect(() => buffer.toNdjson()).toThrow(/writer/);
  });

  it('records no ids for quarantined messages', () => {
    const buffer = new PartitionBuffer('quarantine/source=s/dt=2026-01-01/', 0, gzipWriter);
    buffer.add({ ...entry(1, 'q', '{"reason":[]}'), kind: 'quarantine' });
    expect(buffer.storedIds()).toEqual([]);
    expect(buffer.consumed.map((e) => [e.position, e.kind])).toEqual([[1, 'quarantine']]);
  });

  it('tells the reader to wait while the writer holds too much, until it drained', async () => {
    let release: () => void = () => {};
    const pieces: Uint8Array[] = [];
    const slowWriter = (): FileWriter => ({
      write: (piece) => {
        pieces.push(piece);
        return false;
      },
      drained: () => new Promise<void>((resolve) => (release = resolve)),
      finish: async () => new Uint8Array(0),
    });
    const buffer = new PartitionBuffer('events/a/', 0, slowWriter);
    // A line that does not fit the current piece hands the piece over.
    buffer.add(entry(1, 'a', lineOf(1, 200_000)));
    buffer.add(entry(2, 'b', lineOf(2, 200_000)));
    expect(pieces).toHaveLength(1);
    expect(buffer.backlogged).toBe(true);
    const waiting = buffer.drained();
    release();
    await waiting;
    expect(buffer.backlogged).toBe(false);
  });
});
