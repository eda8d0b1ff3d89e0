import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DamagedConsumerFileError, readCommitted, writeCommitted } from './consumer-offsets.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-consumer-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it('refuses every single flipped bit of a consumer file instead of resuming at a wrong position', async () => {
  await writeCommitted(dir, 'forwarder', 1024, false, 0o600);
  const path = join(dir, 'forwarder.json');
  const good = await readFile(path);
  expect(await readCommitted(dir, 'forwarder')).toBe(1024);
  for (let bit = 0; bit < good.length * 8; bit++) {
    const bad = Buffer.from(good);
    bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
    await writeFile(path, bad);
    await expect(readCommitted(dir, 'forwarder'), `bit ${bit}`).rejects.toBeInstanceOf(
      DamagedConsumerFileError,
    );
  }
});

it('still reads a consumer file written before it had a checksum', async () => {
  await writeFile(join(dir, 'old.json'), '{"committed":77}\n');
  expect(await readCommitted(dir, 'old')).toBe(77);
});
