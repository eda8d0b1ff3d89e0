import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockLogDir } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUrl, jsonLines, runSluice, startSluice } from './cli-process.js';
import { eraseVictim, readEveryFile } from './erasure-support.js';
import { readStoredEvents } from './read-store.js';
import { postBatchOnNewConnection, segmentBytes } from './workers-support.js';

// The commands that read or rewrite a data directory, after collectors ran with `--workers 2`
// (one log partition each: <data>/queue and <data>/queue/w1), run as a user runs them: every
// one of them must see every partition, or it forwards, erases or checks only half the events.

let dir: string;
let queueDir: string;
let storeDir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-workers-maintenance-'));
  queueDir = join(dir, 'queue');
  storeDir = join(dir, 'store');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const userOf = (n: number) => (n % 4 === 0 ? 'victim-1' : `user-${n}`);
const allIds: string[] = [];

/** Posts batches `from`..`from + count` (4 events each), every batch on a new connection. */
async function postBatches(url: string, from: number, count: number): Promise<void> {
  for (let b = from; b < from + count; b++) {
    const batch = Array.from({ length: 4 }, (_, e) => {
      const n = b * 4 + e;
      allIds.push(`m-${n}`);
      return { type: 'track', event: 'Viewed', messageId: `m-${n}`, userId: userOf(n) };
    });
    expect(
      (await postBatchOnNewConnection(url, JSON.stringify({ writeKey: 'demo-key', batch }))).status,
    ).toBe(200);
  }
}

const storedIds = async () =>
  (await readStoredEvents(createFsStore({ root: storeDir }), 'events/')).map((line) =>
    String(line.event.messageId),
  );

describe('a data directory that collectors wrote with --workers 2', () => {
  it('sluice start --workers 2, then sluice collector --workers 2 and sluice forwarder: every event stored once, from both partitions', async () => {
    const started = await startSluice(
      ['start', '--data-dir', dir, '--port', '0', '--workers', '2', '--file-age-ms', '200'],
      /Press Ctrl\+C to stop/,
    );
    await postBatches(demoUrl(started.stdout())!, 0, 40);
    expect((await started.stop('SIGINT')).code).toBe(0);

    // The collector alone (the forwarder runs later, as after an outage of the forwarder).
    const collector = await startSluice(
      ['collector', '--queue', `log:${queueDir}`, '--port', '0', '--workers', '2'],
      /"collector"/,
      { cwd: dir },
    );
    const { url } = jsonLines<{ url: string }>(collector.stdout())[0]!;
    const before = await segmentBytes(join(queueDir, 'w1'));
    await postBatches(url, 40, 40);
    expect((await collector.stop('SIGTERM')).code).toBe(0);
    // Partition 1 got some of these: the forwarder must read it to store them.
    expect(await segmentBytes(join(queueDir, 'w1'))).toBeGreaterThan(before);

    const forwarder = await startSluice(
      [
        'forwarder',
        '--queue',
        `log:${queueDir}`,
        '--store-dir',
        storeDir,
        '--state-dir',
        join(dir, 'forwarder'),
        '--file-age-ms',
        '200',
      ],
      /"ready":true/,
    );
    for (let i = 0; i < 150 && (await storedIds()).length < allIds.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stopped = await forwarder.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
    const ids = await storedIds();
    expect(ids.toSorted()).toEqual(allIds.toSorted());
  }, 90_000);

  it('sluice compact --acknowledged-below refuses one number for several log partitions, and takes one each', async () => {
    const one = await runSluice(['compact', '--store-dir', storeDir, '--acknowledged-below', '5']);
    expect(one.code).not.toBe(0);
    expect(one.stderr).toMatch(/log partitions w1 .*w<i>=<position>/);
    const each = await runSluice([
      'compact',
      '--store-dir',
      storeDir,
      '--acknowledged-below',
      '5',
      '--acknowledged-below',
      'w1=5',
    ]);
    expect(each.code, each.stderr).toBe(0);
  }, 30_000);

  it('sluice erase leaves no copy of the victim in any partition or the store, and waits for every partition lock', async () => {
    const before = [...(await readEveryFile(dir))].filter(([, t]) => t.includes('victim-1'));
    const where = before.map(([path]) => path);
    // The victim is in both partitions of the log (and the store): the erasure must reach both.
    expect(where.some((path) => path.startsWith('queue/segments/'))).toBe(true);
    expect(where.some((path) => path.startsWith('queue/w1/segments/'))).toBe(true);
    expect(where.some((path) => path.startsWith('store/events/'))).toBe(true);

    const erase = () => eraseVictim(queueDir, storeDir);
    // A sluice holding partition 1 only (as a collector thread's partition would be): refused.
    const lock = await lockLogDir(join(queueDir, 'w1'));
    const refused = await erase();
    await lock.release();
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(join(queueDir, 'w1'));

    const erased = await erase();
    expect(erased.code, erased.stderr).toBe(0);
    const evidence = JSON.parse(erased.stdout) as {
      log: { segmentsRewritten: { segment: string }[]; recordsErased: number };
    };
    expect(evidence.log.segmentsRewritten.some((s) => s.segment.startsWith('w1/'))).toBe(true);
    const left = [...(await readEveryFile(dir))].filter(([, t]) => t.includes('victim-1'));
    expect(left.map(([path]) => path)).toEqual([]);
    // Everyone else still stored exactly once.
    const others = allIds.filter((id) => userOf(Number(id.slice(2))) !== 'victim-1');
    expect((await storedIds()).toSorted()).toEqual(others.toSorted());
  }, 60_000);

  it('sluice log verify finds damage in partition 1 and --repair clears it', async () => {
    const segments = join(queueDir, 'w1', 'segments');
    const [name] = await readdir(segments);
    const path = join(segments, name!);
    const { size } = await stat(path);
    const file = await open(path, 'r+');
    await file.write(Buffer.from('XXXXXXXX'), 0, 8, Math.floor(size / 2));
    await file.close();

    const found = await runSluice(['log', 'verify', '--data-dir', dir, '--store-dir', storeDir]);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain(`${join(queueDir, 'w1')}:`);
    expect(found.stdout).toMatch(/DAMAGED: \d{20}\.log bytes/);
    const repaired = await runSluice([
      'log',
      'verify',
      '--data-dir',
      dir,
      '--store-dir',
      storeDir,
      '--repair',
    ]);
    expect(repaired.code, repaired.stdout).toBe(0);
    const again = await runSluice(['log', 'verify', '--data-dir', dir, '--store-dir', storeDir]);
    expect(again.stdout).toContain('no damage found');
    expect(again.code).toBe(0);
  }, 60_000);

  it('sluice replay says the log has partitions, and will not write a partition into the replay folder of partition 0', async () => {
    const zero = await runSluice(['replay', '--queue-dir', queueDir, '--store-dir', storeDir]);
    expect(zero.code, zero.stderr).toBe(0);
    expect(zero.stderr).toContain('has log partitions w1');
    const w1 = join(queueDir, 'w1');
    const refused = await runSluice(['replay', '--queue-dir', w1, '--store-dir', storeDir]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('give --prefix');
    const own = await runSluice([
      'replay',
      '--queue-dir',
      w1,
      '--store-dir',
      storeDir,
      '--prefix',
      'replay/w1/',
    ]);
    expect(own.code, own.stderr).toBe(0);
    const replayed = await readStoredEvents(createFsStore({ root: storeDir }), 'replay/');
    const ids = replayed.map((line) => String(line.event.messageId));
    // Each partition's replay in its own folder, no event in both, none of the victim's.
    expect(replayed.some((line) => line.key.startsWith('replay/w1/'))).toBe(true);
    expect(replayed.some((line) => !line.key.startsWith('replay/w1/'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => userOf(Number(id.slice(2))) === 'victim-1')).toEqual([]);
  }, 60_000);
});
