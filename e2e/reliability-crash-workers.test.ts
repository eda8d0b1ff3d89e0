import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectOutput, demoUrl, REPO_ROOT, SLUICE_FROM_SOURCE } from './cli-process.js';
import { killMoments, killsDuringLoad, sleep } from './kill-schedule.js';
import {
  eventFigures,
  recordFigures,
  SEED,
  scaled,
  secondsSince,
  seededRandom,
  testFile,
} from './reliability-figures.js';
import { writeCollectorConfig } from './reliability-process.js';
import { collectorConfig, compare, storedCounts, waitUntil } from './scale-support.js';

// The crash test of reliability-crash.test.ts, smaller, on `sluice start --workers 2` itself:
// two collector threads on one port, each appending to its own log partition, one forwarder per
// partition sharing one dedup window. The process is SIGKILLed at random moments (twice during
// the load, once while it drains; more with --soak) and started again on the same port and data each time. A
// batch resent after a kill may reach the other thread, so land in the other partition: every
// event the collector answered 200 for must still be stored exactly once.

let dir: string;
let child: ChildProcess | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-crash-workers-'));
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Starts `sluice start --workers 2` on `port` (0 the first time); resolves with its URL. */
async function startWorkers(port: number, config: string): Promise<string> {
  const [program, ...prefix] = SLUICE_FROM_SOURCE;
  const args = ['start', '--data-dir', dir, '--port', String(port), '--workers', '2'];
  for (let attempt = 1; ; attempt++) {
    const next = spawn(program!, [...prefix, ...args, '--file-age-ms', '300', '--config', config], {
      cwd: REPO_ROOT,
      env: { ...process.env, npm_lifecycle_event: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = next;
    const output = collectOutput(next);
    const url = await new Promise<string | undefined>((resolve) => {
      next.stdout!.on('data', () => {
        const found = demoUrl(output().stdout);
        if (found) resolve(found);
      });
      next.once('exit', () => resolve(undefined));
    });
    if (url) return url;
    // The port may linger for a moment after a kill; try again briefly.
    if (attempt >= 5 || !output().stderr.includes('EADDRINUSE')) {
      throw new Error(`sluice start --workers 2 exited before it was ready:\n${output().stderr}`);
    }
    await sleep(300);
  }
}

async function exitOf(signal: NodeJS.Signals): Promise<number | null> {
  const running = child;
  if (!running || running.exitCode !== null || running.signalCode !== null) return null;
  const exited = new Promise<number | null>((resolve) => running.once('exit', resolve));
  running.kill(signal);
  return exited;
}

it('stores every acknowledged event exactly once while sluice start --workers 2 is killed at random moments', async () => {
  const started = Date.now();
  const total = scaled(4_000, 100_000);
  const kills = scaled(3, 10);
  const random = seededRandom(SEED);
  // Spread over the load (each in its own slice of it): the load is short beside a restart
  // (a few seconds), so two random moments close together would both pass during one kill.
  const moments = killMoments(kills - 1, total, random).map((moment, i) =>
    Math.floor((total * i) / (kills - 1) + moment / (kills - 1)),
  );
  const config = await writeCollectorConfig(dir, {
    ...collectorConfig,
    limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
  });
  let url = await startWorkers(0, config);
  const port = Number(new URL(url).port);
  const killedAt: number[] = [];
  const schedule = killsDuringLoad(moments, killAndRestart);
  async function killAndRestart(): Promise<void> {
    await sleep(Math.floor(random() * 100));
    killedAt.push(schedule.acknowledged);
    await exitOf('SIGKILL');
    url = await startWorkers(port, config);
  }

  const load = await schedule.sendLoad({ urls: () => [url], total, idPrefix: 'crash' });
  // The last kill lands while the forwarders drain what the load left in the partitions.
  await sleep(Math.floor(random() * 800));
  await killAndRestart();

  const store = createFsStore({ root: join(dir, 'store') });
  await waitUntil(async () => compare(load.acked, await storedCounts(store)).lost === 0, 60_000);
  expect(await exitOf('SIGTERM')).toBe(0);
  const result = compare(load.acked, await storedCounts(store));
  // Both threads took batches: partition 1 has records too, so the kills hit both.
  const w1 = join(dir, 'queue', 'w1', 'segments');
  const w1Bytes = (await Promise.all((await readdir(w1)).map((n) => stat(join(w1, n))))).reduce(
    (sum, s) => sum + s.size,
    0,
  );

  await recordFigures('crash-embedded-log-workers', {
    title: 'Crash: sluice start --workers 2 SIGKILLed (embedded log, 2 partitions)',
    file: testFile(import.meta.url),
    what:
      `${total.toLocaleString('en')} events in batches of 50 from 4 concurrent senders through ` +
      '`sluice start --workers 2` (two collector threads on one port, a log partition and a ' +
      `forwarder each, fsync, files cut every 300 ms), SIGKILLed ${kills} times at random ` +
      `moments (${kills - 1} planned during the load, 1 while draining) and restarted each ` +
      'time; failed batches resent with the same messageIds.',
    events: eventFigures(total, result),
    details: {
      kills: killedAt.length,
      'acknowledged at each kill': killedAt.join(', '),
      'batches resent after a failure': load.retriedBatches,
      'bytes in partition 1': w1Bytes,
      seed: SEED,
    },
    seconds: secondsSince(started),
  });
  expect(killedAt).toHaveLength(kills);
  expect(w1Bytes).toBeGreaterThan(0);
  expect(result.lost).toBe(0);
  expect(result.duplicated).toBe(0);
  expect(result.acked).toBe(total);
}, 120_000);
