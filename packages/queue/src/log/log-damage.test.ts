import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { QueueMessage } from '../queue.js';
import type { LogDamage, LogDamageRecord } from './log-damage.js';
import { openLogQueue } from './log-queue.js';
import { openLogReader } from './log-reader.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './record-codec.js';
import { listSegments, segmentPath } from './segment-files.js';
import { logMessage, tempDirEachTest } from './test-support.js';

let dir: string;
const lines: string[] = [];
tempDirEachTest('sluice-log-damage-', (d) => {
  dir = d;
  lines.length = 0;
});

const message = (i: number) => logMessage(i, JSON.stringify({ n: i, pad: 'x'.repeat(40) }));

/** Appends `count` acknowledged messages, one append each, and closes the log. */
async function writeLog(count: number, segmentBytes?: number): Promise<void> {
  const queue = await openLogQueue({ dir, segmentBytes });
  for (let i = 0; i < count; i++) await queue.append([message(i)]);
  await queue.close();
}

async function flipByte(path: string, at: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] = (bytes[at] as number) ^ 0x10;
  await writeFile(path, bytes);
}

/** Reads everything a consumer gets, acknowledging as it goes. */
async function consumeAll(): Promise<{ ids: string[]; corruptBytes: number }> {
  const queue = await openLogQueue({ dir, logDamage: (line) => lines.push(line) });
  try {
    const consumer = await queue.consumer('forwarder');
    const ids: string[] = [];
    for (;;) {
      const entries = await consumer.read(50, 0);
      if (entries.length === 0) break;
      ids.push(...entries.map((e) => e.id));
      await consumer.ack(entries);
    }
    return { ids, corruptBytes: queue.stats().corruptBytes };
  } finally {
    await queue.close();
  }
}

async function damageRecords(): Promise<LogDamageRecord[]> {
  const names = await readdir(join(dir, 'damaged')).catch(() => []);
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(dir, 'damaged', name), 'utf8'))),
  );
}

const expectedIds = (count: number, lost: Set<number>) =>
  Array.from({ length: count }, (_, i) => i)
    .filter((i) => !lost.has(i))
    .map((i) => `id-${i}`);

describe('a damaged log', () => {
  it('skips a flipped byte in a sealed segment, delivers the rest once, and reports the range', async () => {
    await writeLog(60, 1024);
    const firsts = await listSegments(join(dir, 'segments'));
    const sealed = segmentPath(join(dir, 'segments'), firsts[1] as number);
    await flipByte(sealed, 300);
    const { ids, corruptBytes } = await consumeAll();
    const [record] = await damageRecords();
    expect(record).toMatchObject({ segment: sealed.split('/').pop(), kind: 'damaged' });
    const lost = new Set<number>();
    for (let p = record!.lostPositions!.from; p < record!.lostPositions!.to; p++) lost.add(p);
    expect(lost.size).toBe(1);
    expect(ids).toEqual(expectedIds(60, lost));
    expect(record!.start).toBeLessThanOrEqual(300);
    expect(record!.end).toBeGreaterThan(300);
    expect(Buffer.from(record!.rawBase64, 'base64')).toHaveLength(record!.end - record!.start);
    expect(corruptBytes).toBe(record!.end - record!.start);
    expect(lines.join('\n')).toMatch(
      /bytes \d+-\d+ damaged: 1 record\(s\) lost .*sluice log verify/,
    );
  });

  it('keeps the acknowledged records after a flipped byte in the active segment', async () => {
    await writeLog(40);
    const active = segmentPath(join(dir, 'segments'), 0);
    const size = (await stat(active)).size;
    await flipByte(active, Math.floor(size / 2));
    const { ids } = await consumeAll();
    const [record] = await damageRecords();
    const { from, to } = record!.lostPositions!;
    expect(to - from).toBe(1);
    expect(ids).toEqual(expectedIds(40, new Set([from])));
    expect((await stat(active)).size).toBe(size);
    // Appending after recovery goes on at the next position, after the damage.
    const queue = await openLogQueue({ dir, logDamage: () => {} });
    expect(queue.stats().nextPosition).toBe(40);
    await queue.close();
  });

  it('keeps going through a zeroed 4 KiB page, resynchronising on the next frame', async () => {
    await writeLog(300, 64 * 1024);
    const active = segmentPath(join(dir, 'segments'), 0);
    const bytes = await readFile(active);
    bytes.fill(0, 4096, 8192);
    await writeFile(active, bytes);
    const { ids } = await consumeAll();
    const [record] = await damageRecords();
    const { from, to } = record!.lostPositions!;
    const lost = new Set(Array.from({ length: to - from }, (_, i) => from + i));
    expect(lost.size).toBeGreaterThan(40);
    expect(ids).toEqual(expectedIds(300, lost));
  });

  it('lets a replay skip a damaged range and tell it', async () => {
    await writeLog(60, 1024);
    const firsts = await listSegments(join(dir, 'segments'));
    await flipByte(segmentPath(join(dir, 'segments'), firsts[2] as number), 100);
    const told: LogDamage[] = [];
    const reader = openLogReader(dir, { onDamage: (damage) => void told.push(damage) });
    const { next } = await reader.range();
    const ids: string[] = [];
    for await (const batch of reader.read(0, next)) ids.push(...batch.map((e) => e.id));
    expect(told).toHaveLength(1);
    const lost = told[0]!.lastPositionBefore! + 1;
    expect(told[0]!.firstPositionAfter).toBe(lost + 1);
    expect(ids).toEqual(expectedIds(60, new Set([lost])));
  });
});

/** A frame as logs written before frame v2 hold it: length, CRC of the payload, payload. */
function v1Frame(m: QueueMessage): Buffer {
  const payload = encodeFrame(m).subarray(FRAME_HEADER_BYTES);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

describe('a log written before frame v2', () => {
  it('stays readable, takes new frames after the old ones, and survives damage among them', async () => {
    await mkdir(join(dir, 'segments'), { recursive: true });
    const old = Buffer.concat(Array.from({ length: 10 }, (_, i) => v1Frame(message(i))));
    await writeFile(segmentPath(join(dir, 'segments'), 0), old);
    const queue = await openLogQueue({ dir });
    expect(queue.stats().nextPosition).toBe(10);
    for (let i = 10; i < 20; i++) await queue.append([message(i)]);
    await queue.close();
    expect((await consumeAll()).ids).toEqual(expectedIds(20, new Set()));
  });
});
