import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { digests, linesOf, runBulkCli, snapshot, trackMessage } from '../bulk/test-support.js';
import { runReplayCli } from './cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-replay-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (argv: string[]) => runBulkCli(runReplayCli, argv);

it('replays a time range of the log into a directory, prints progress, and repeats exactly', async () => {
  const queueDir = join(dir, 'queue');
  const storeDir = join(dir, 'store');
  const queue = await openLogQueue({ dir: queueDir, durability: 'none' });
  const day = Date.UTC(2026, 0, 15);
  await queue.append(
    Array.from({ length: 3_000 }, (_, n) => trackMessage(n, day + (n % 48) * 1_800_000)),
  );
  // The queue stays open: the replay only reads the directory.
  const argv = [
    ...['--queue-dir', queueDir, '--store-dir', storeDir],
    ...['--since', '2026-01-15T00:00:00Z', '--until', '2026-01-16T00:00:00Z', '--from', '100'],
  ];
  const first = await run(argv);
  expect(first.err.filter((line) => !line.startsWith('replay 100-3000 -> '))).toEqual([]);
  expect(first.err.length).toBeGreaterThanOrEqual(3);
  expect(first.err.at(-1)).toMatch(
    /: 100\.0% 2,900\/2,900 positions, [\d.]+ MB read, 24 files, [\d,]+ positions\/s, [\d.]+ MB\/s$/,
  );
  expect(first.code).toBe(0);
  const result = JSON.parse(first.out[0] as string);
  const prefix = 'replay/100-3000_20260115T000000Z-20260116T000000Z/';
  expect(result).toMatchObject({ from: 100, to: 3000, prefix, read: 2900, files: 24 });

  const store = createFsStore({ root: storeDir });
  const files = await snapshot(store);
  expect(
    [...files.keys()].every((key) => key.startsWith(`${prefix}events/source=shop/dt=2026-01-15/`)),
  ).toBe(true);
  expect([...files.values()].flatMap(linesOf)).toHaveLength(result.lines);

  expect((await run(argv)).code).toBe(0);
  expect(digests(await snapshot(store))).toEqual(digests(files));
  await queue.close();
});

it('explains bad flags and a range the log does not hold', async () => {
  const queueDir = join(dir, 'queue');
  await (await openLogQueue({ dir: queueDir, durability: 'none' })).close();
  const bad = await run(['--from', 'ten', '--queue-dir', queueDir, '--store-dir', dir]);
  expect(bad).toMatchObject({
    code: 1,
    err: ['replay failed: --from must be a whole number, got "ten"'],
  });
  const past = await run(['--to', '5', '--queue-dir', queueDir, '--store-dir', dir]);
  expect(past.err).toEqual(['replay failed: to 5 is past the end of the log (0)']);
  expect((await run(['--nope'])).code).toBe(2);
  expect((await run(['--help'])).out[0]).toMatch(
    /^usage: tsx apps\/forwarder\/src\/replay\/cli\.ts/,
  );
});
