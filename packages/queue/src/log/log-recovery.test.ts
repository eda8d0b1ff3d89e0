import { appendFile, readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLogQueue } from './log-queue.js';
import { encodeFrame } from './record-codec.js';
import { logMessage, tempDirEachTest } from './test-support.js';

let dir: string;
tempDirEachTest('sluice-log-recovery-', (d) => {
  dir = d;
});

const message = (i: number) => logMessage(i);
const segment = () => join(dir, 'segments', '00000000000000000000.log');

/** Writes three messages, lets `damage` mangle the tail, reopens and appends one more. */
async function recoverAfter(damage: () => Promise<void>) {
  const queue = await openLogQueue({ dir });
  await queue.append([message(0), message(1), message(2)]);
  await queue.close();
  const cleanSize = (await stat(segment())).size;
  await damage();
  const reopened = await openLogQueue({ dir });
  try {
    await reopened.append([message(3)]);
    const read = await (await reopened.consumer('c')).read(10, 0);
    return { cleanSize, stats: reopened.stats(), ids: read.map((e) => `${e.position}:${e.id}`) };
  } finally {
    await reopened.close();
  }
}

describe('log recovery', () => {
  it('cuts garbage off the tail and appends after the last good record', async () => {
    const result = await recoverAfter(() =>
      appendFile(segment(), Buffer.from('\x00\x00\x01\x00junk')),
    );
    expect(result.stats.recoveredTruncatedBytes).toBe(8);
    expect(result.ids).toEqual(['0:id-0', '1:id-1', '2:id-2', '3:id-3']);
  });

  it('drops a record cut short by a crash mid-write', async () => {
    const frame = encodeFrame(message(99));
    const result = await recoverAfter(() => appendFile(segment(), frame.subarray(0, 20)));
    expect(result.ids).toEqual(['0:id-0', '1:id-1', '2:id-2', '3:id-3']);
  });

  it('drops a last record whose bytes were only partly written', async () => {
    const result = await recoverAfter(async () => {
      const size = (await stat(segment())).size;
      await truncate(segment(), size - 3);
    });
    expect(result.ids).toEqual(['0:id-0', '1:id-1', '2:id-3']);
  });

  it('drops a last record whose CRC does not match and a zero-filled tail', async () => {
    const result = await recoverAfter(async () => {
      const bytes = await readFile(segment());
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
      await rm(segment());
      await appendFile(segment(), Buffer.concat([bytes, Buffer.alloc(4096)]));
    });
    expect(result.ids).toEqual(['0:id-0', '1:id-1', '2:id-3']);
    expect(result.stats.recoveredTruncatedBytes).toBeGreaterThan(4096);
    expect(result.cleanSize).toBeGreaterThan(0);
  });
});
