import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { digests, linesOf, runBulkCli, snapshot, trackMessage } from '../bulk/test-support.js';
import { runImportCli } from './cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-import-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (argv: string[]) => runBulkCli(runImportCli, argv);

it('imports files into a directory, prints progress per file, and repeats exactly', async () => {
  const day = Date.UTC(2026, 0, 15);
  const lines = Array.from({ length: 2_500 }, (_, n) =>
    new TextDecoder().decode(trackMessage(n, day + (n % 24) * 3_600_000).body),
  );
  const ndjson = join(dir, 'a.jsonl');
  await writeFile(ndjson, `${lines.join('\n')}\n`);
  const csv = join(dir, 'b.txt');
  await writeFile(
    csv,
    'type,event,messageId,userId,timestamp\ntrack,Signed Up,x-1,u-1,2026-01-15T08:00:00Z\n',
  );
  const storeDir = join(dir, 'store');
  const argv = ['--source', 'shop', '--store-dir', storeDir, ndjson, '--format', 'csv', csv];

  // --format applies to every file: the NDJSON one read as CSV fails on its first line.
  expect((await run(argv)).code).toBe(1);
  const ok = ['--source', 'shop', '--store-dir', storeDir, ndjson];
  const first = await run(ok);
  expect(first.code).toBe(0);
  expect(first.err.length).toBeGreaterThanOrEqual(3);
  expect(first.err.at(-1)).toMatch(
    /^import .*a\.jsonl: 100\.0% of the file, 2,500 records, [\d.]+ MB read, 24 files, [\d,]+ records\/s, [\d.]+ MB\/s, 0 quarantined$/,
  );
  expect(JSON.parse(first.out[0] as string)).toMatchObject({
    file: ndjson,
    records: 2500,
    events: 2500,
    files: 24,
  });

  const store = createFsStore({ root: storeDir });
  const files = await snapshot(store);
  expect([...files.values()].flatMap(linesOf).sort()).toEqual(lines.sort());
  expect((await run(ok)).code).toBe(0);
  expect(digests(await snapshot(store))).toEqual(digests(files));

  const csvRun = await run([
    '--source',
    'shop',
    '--store-dir',
    storeDir,
    '--format',
    'csv',
    '--prefix',
    'csv/',
    csv,
  ]);
  expect(JSON.parse(csvRun.out[0] as string)).toMatchObject({
    records: 1,
    events: 1,
    prefix: 'csv/',
  });
});

it('explains what is missing', async () => {
  expect((await run([])).err[0]).toMatch(/^give --source and at least one file/);
  expect(
    (await run(['--source', 'Shop!', '--store-dir', dir, join(dir, 'x.ndjson')])).err[0],
  ).toMatch(/^import failed: invalid import options:\n✖ must be a slug.*\n {2}→ at source$/);
  expect((await run(['--source', 's', '--store-dir', dir, join(dir, 'x.ndjson')])).err[0]).toMatch(
    /^import failed: .*ENOENT/,
  );
  expect((await run(['--source', 's', '--store-dir', dir, join(dir, 'x.xml')])).err[0]).toMatch(
    /cannot tell the format/,
  );
});
