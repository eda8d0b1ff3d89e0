// The maintenance commands, run in-process against a local directory.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterEach, expect, it } from 'vitest';
import { runErasureCli } from '../erasure/cli.js';
import { runCompactionCli } from './cli.js';
import { dataNames, eventLine, HOUR, putForwarderFile, readLiveLines } from './test-support.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) },
  };
}

it('compacts the closed partitions of a directory, then erases a user from it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  dirs.push(dir);
  const store = createFsStore({ root: dir });
  const lines = [0, 1, 2, 3].map((n) => eventLine(n, { userId: n === 2 ? 'u-1' : 'u-2' }));
  for (const [n, line] of lines.entries()) await putForwarderFile(store, HOUR, n, [line]);

  const compaction = capture();
  const args = [
    '--dir',
    dir,
    '--grace-hours',
    '1',
    '--target-mib',
    '1',
    '--acknowledged-below',
    '4',
  ];
  const now = () => Date.UTC(2026, 10, 24, 12);
  expect(await runCompactionCli(args, { ...compaction.io, now })).toBe(0);
  expect(JSON.parse(compaction.out.join(''))).toEqual({
    compacted: 1,
    unchanged: 0,
    open: 0,
    failed: [],
  });
  expect(compaction.err.at(-1)).toBe(`${HOUR}: done, 4 files merged`);
  expect(await dataNames(store, HOUR)).toEqual(['00000000000000000000.c1.ndjson.gz']);

  const erasure = capture();
  expect(await runErasureCli(['--dir', dir, '--user-id', 'u-1'], erasure.io)).toBe(0);
  expect(JSON.parse(erasure.out.join(''))).toMatchObject({ eventsRemoved: 1, filesRewritten: 1 });
  expect(await readLiveLines(store, HOUR)).toEqual([lines[0], lines[1], lines[3]]);
});

it('answers a mistake in the command line with the usage and exit code 2', async () => {
  const noStore = capture();
  expect(await runCompactionCli([], noStore.io)).toBe(2);
  expect(noStore.err.join('\n')).toMatch(/give --dir or --s3-bucket[\s\S]*usage: compaction/);

  const tooSmall = capture();
  expect(await runCompactionCli(['--dir', 'x', '--target-mib', '0.5'], tooSmall.io)).toBe(2);
  expect(tooSmall.err.join('\n')).toMatch(/targetFileBytes/);

  const noSubject = capture();
  expect(await runErasureCli(['--dir', 'x'], noSubject.io)).toBe(2);
  expect(noSubject.err.join('\n')).toMatch(/--user-id or --anonymous-id[\s\S]*usage: erasure/);

  const unknown = capture();
  expect(await runErasureCli(['--dir', 'x', '--user', 'u'], unknown.io)).toBe(2);
});
