import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runSluice, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

// Issue 23's reproductions with real processes: acknowledged events in the log of a collector
// killed with SIGKILL, one byte of state damaged, then `sluice start` on the same directory.

const READY = /Press Ctrl\+C to stop/;
const EVENTS = 600;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-damage-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const urlOf = (out: string) => /demo page\s+(http:\/\/127\.0\.0\.1:\d+)\/demo/.exec(out)![1]!;

/** Sends EVENTS acknowledged events in batches of 20, then kills the process. */
async function acknowledgedThenKilled(queueQuery = ''): Promise<void> {
  // Files are cut only at Ctrl+C (age 10 min): the log holds every event when it is killed.
  const args = ['start', '--data-dir', dir, '--port', '0', '--file-age-ms', '600000'];
  if (queueQuery) args.push('--queue', `log:${join(dir, 'queue')}?${queueQuery}`);
  const sluice = await startSluice(args, READY);
  const url = urlOf(sluice.stdout());
  for (let i = 0; i < EVENTS; i += 20) {
    const batch = Array.from({ length: 20 }, (_, j) => ({
      type: 'track',
      event: 'Damage Tested',
      messageId: `m-${i + j}`,
      anonymousId: 'a-1',
      properties: { n: i + j, pad: 'p'.repeat(60) },
    }));
    const answer = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'demo-key', batch }),
    });
    expect(answer.status).toBe(200);
  }
  await sluice.stop('SIGKILL');
}

async function flipMiddleByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  await writeFile(path, bytes);
}

/** Starts again, stops with Ctrl+C (which writes every file), returns the ids stored. */
async function restartAndStore() {
  const sluice = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  const stopped = await sluice.stop('SIGINT');
  const store = createFsStore({ root: join(dir, 'store') });
  const ids = (await readStoredEvents(store, 'events/')).map((l) => String(l.event.messageId));
  return { stopped, ids };
}

async function quarantined() {
  const damaged = join(dir, 'queue', 'damaged');
  const names = await readdir(damaged).catch(() => []);
  return Promise.all(
    names.map(async (n) => JSON.parse(await readFile(join(damaged, n), 'utf8'))),
  ) as Promise<Array<{ kind: string; lostPositions: { from: number; to: number } }>>;
}

function expectAllBut(ids: string[], lost: number) {
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBe(EVENTS - lost);
}

it('skips a flipped byte in a sealed segment and stores every other event once', async () => {
  await acknowledgedThenKilled('segmentBytes=16384');
  const segments = (await readdir(join(dir, 'queue', 'segments'))).sort();
  expect(segments.length).toBeGreaterThan(2);
  await flipMiddleByte(join(dir, 'queue', 'segments', segments[1]!));
  const verified = await runSluice(['log', 'verify', '--data-dir', dir]);
  expect(verified.code).toBe(1);
  expect(verified.stdout).toMatch(
    new RegExp(`DAMAGED: ${segments[1]} bytes \\d+-\\d+: positions \\d+-\\d+ lost`),
  );
  expect(verified.stdout.match(/DAMAGED/g), verified.stdout).toHaveLength(1);
  const { stopped, ids } = await restartAndStore();
  expect(stopped.code, stopped.stderr).toBe(0);
  expect(stopped.stderr).toMatch(/damaged: 1 record\(s\) lost .*sluice log verify/);
  const [record] = await quarantined();
  expect(record).toMatchObject({ kind: 'damaged' });
  expectAllBut(ids, record!.lostPositions.to - record!.lostPositions.from);
  // --repair rewrites the segment clean (erased records in the range), raw bytes still kept.
  const repaired = await runSluice(['log', 'verify', '--data-dir', dir, '--repair']);
  expect(repaired.stdout).toMatch(
    new RegExp(`${segments[1]} rewritten: 1 damaged range\\(s\\) replaced by 1 erased record`),
  );
  const clean = await runSluice(['log', 'verify', '--data-dir', dir]);
  expect(clean.code, clean.stdout).toBe(0);
  expect(clean.stdout).toContain('no damage found');
  expect(await quarantined()).toEqual([record]);
  const again = await restartAndStore();
  expect(again.stopped.stderr).not.toMatch(/damaged/);
  expectAllBut(again.ids, 1);
}, 120_000);

it('keeps the acknowledged events after a flipped byte in the active segment', async () => {
  await acknowledgedThenKilled();
  await flipMiddleByte(join(dir, 'queue', 'segments', '00000000000000000000.log'));
  const { stopped, ids } = await restartAndStore();
  expect(stopped.code, stopped.stderr).toBe(0);
  const [record] = await quarantined();
  expect(record!.lostPositions.to - record!.lostPositions.from).toBe(1);
  expectAllBut(ids, 1);
}, 120_000);

it('refuses to serve with a damaged consumer file, naming it and the way out', async () => {
  await acknowledgedThenKilled();
  await writeFile(join(dir, 'queue', 'consumers', 'forwarder.json'), '{"committ');
  const args = ['start', '--data-dir', dir, '--port', '0'];
  const sluice = startSluice(args, READY);
  await expect(sluice).rejects.toThrow(/exited \(1\) before it was ready/);
  await expect(sluice).rejects.toThrow(
    /queue\/consumers\/forwarder\.json is damaged .*sluice log verify --repair/,
  );
  const verified = await runSluice(['log', 'verify', '--data-dir', dir]);
  expect(verified.code).toBe(1);
  expect(verified.stdout).toMatch(/DAMAGED: consumer file .*forwarder\.json is damaged/);
  const repaired = await runSluice(['log', 'verify', '--data-dir', dir, '--repair']);
  expect(repaired.stdout, repaired.stderr).toMatch(/forwarder\.json (rebuilt|reset)/);
  expect((await runSluice(['log', 'verify', '--data-dir', dir])).code).toBe(0);
  const { stopped, ids } = await restartAndStore();
  expect(stopped.code, stopped.stderr).toBe(0);
  expectAllBut(ids, 0);
}, 120_000);

it('rebuilds a damaged consumer file from the checkpoint: events forwarded before are not stored again', async () => {
  await acknowledgedThenKilled();
  const first = await restartAndStore();
  expectAllBut(first.ids, 0);
  await writeFile(join(dir, 'queue', 'consumers', 'forwarder.json'), '\u0000\u0000garbage');
  const repaired = await runSluice(['log', 'verify', '--data-dir', dir, '--repair']);
  expect(repaired.stdout).toMatch(
    /forwarder\.json rebuilt from _sluice\/checkpoints\/forwarder\.json/,
  );
  const again = await restartAndStore();
  expectAllBut(again.ids, 0);
}, 120_000);

it('refuses a damaged dedup index by name instead of dying in LMDB; --repair starts an empty one', async () => {
  await acknowledgedThenKilled();
  expectAllBut((await restartAndStore()).ids, 0);
  const index = join(dir, 'forwarder', 'dedup', 'forwarder');
  const data = await readFile(join(index, 'data.mdb'));
  await writeFile(join(index, 'data.mdb'), data.fill(0, 0, 8192));
  const refused = await runSluice(['start', '--data-dir', dir, '--port', '0']);
  expect(refused.signal).toBeNull(); // not SIGSEGV
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`dedup index ${index} is damaged`);
  const verified = await runSluice(['log', 'verify', '--data-dir', dir]);
  expect(verified.code).toBe(1);
  expect(verified.stdout).toContain(`DAMAGED: dedup index ${index} is damaged`);
  const repaired = await runSluice(['log', 'verify', '--data-dir', dir, '--repair']);
  expect(repaired.stdout).toMatch(/moved to .*forwarder\.damaged-/);
  expect((await runSluice(['log', 'verify', '--data-dir', dir])).code).toBe(0);
  const again = await restartAndStore();
  expect(again.stopped.code, again.stopped.stderr).toBe(0);
  expectAllBut(again.ids, 0);
}, 180_000);

it('finds a damaged forwarder checkpoint in the store, naming its key and the way out', async () => {
  await acknowledgedThenKilled();
  expectAllBut((await restartAndStore()).ids, 0);
  await writeFile(join(dir, 'store', '_sluice', 'checkpoints', 'forwarder.json'), '{"vers\u0000');
  const verified = await runSluice(['log', 'verify', '--data-dir', dir]);
  expect(verified.code).toBe(1);
  expect(verified.stdout).toMatch(
    /DAMAGED: checkpoint _sluice\/checkpoints\/forwarder\.json is not JSON: restore it .* or delete it/,
  );
}, 120_000);
