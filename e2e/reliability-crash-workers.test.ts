import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoUrl, startSluice } from './cli-process.js';
import { crashCollectorConfig, crashUnderLoad } from './crash-under-load.js';
import { killMoments, sleep } from './kill-schedule.js';
import {
  eventFigures,
  recordFigures,
  SEED,
  scaled,
  secondsSince,
  seededRandom,
  testFile,
} from './reliability-figures.js';
import { compare, storedCounts } from './scale-support.js';
import { segmentBytes } from './workers-support.js';

// The crash test of reliability-crash.test.ts, smaller, on `sluice start --workers 2` itself:
// two collector threads on one port, each appending to its own log partition, one forwarder per
// partition sharing one dedup window. The process is SIGKILLed at random moments (twice during
// the load, once while it drains; more with --soak) and started again on the same port and data each time. A
// batch resent after a kill may reach the other thread, so land in the other partition: every
// event the collector answered 200 for must still be stored exactly once.

let dir: string;
let sluice: Awaited<ReturnType<typeof startSluice>> | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-crash-workers-'));
});
afterAll(async () => {
  await sluice?.stop('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const READY = /demo page\s+http:\/\/127\.0\.0\.1:\d+\/demo/;

/** Starts `sluice start --workers 2` on `port` (0 the first time); resolves with its URL. */
async function startWorkers(port: number, config: string): Promise<string> {
  const args = ['start', '--data-dir', dir, '--port', String(port), '--workers', '2'];
  for (let attempt = 1; ; attempt++) {
    try {
      sluice = await startSluice([...args, '--file-age-ms', '300', '--config', config], READY);
      return demoUrl(sluice.stdout())!;
    } catch (error) {
      // The port may linger for a moment after a kill; try again briefly.
      if (attempt >= 5 || !String(error).includes('EADDRINUSE')) throw error;
    }
    await sleep(300);
  }
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
  const config = await crashCollectorConfig(dir);
  let url = await startWorkers(0, config);
  const port = Number(new URL(url).port);
  const killedAt: number[] = [];
  const { load, store } = await crashUnderLoad({
    total,
    idPrefix: 'crash',
    urls: () => [url],
    moments,
    random,
    killJitterMs: 100,
    // The last kill lands while the forwarders drain what the load left in the partitions.
    drainJitterMs: 800,
    async kill({ acknowledged }) {
      killedAt.push(acknowledged);
      await sluice?.stop('SIGKILL');
      url = await startWorkers(port, config);
    },
    storeDir: join(dir, 'store'),
    storedWithinMs: 60_000,
  });
  expect((await sluice!.stop('SIGTERM')).code).toBe(0);
  const result = compare(load.acked, await storedCounts(store));
  // Both threads took batches: partition 1 has records too, so the kills hit both.
  const w1Bytes = await segmentBytes(join(dir, 'queue', 'w1'));

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
