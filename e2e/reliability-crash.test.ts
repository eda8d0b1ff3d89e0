import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crashCollectorConfig, crashUnderLoad } from './crash-under-load.js';
import { killMoments } from './kill-schedule.js';
import { readStoredEvents } from './read-store.js';
import {
  eventFigures,
  recordFigures,
  SEED,
  scaled,
  secondsSince,
  seededRandom,
  testFile,
} from './reliability-figures.js';
import { type SluiceProcess, startSluiceProcess } from './reliability-process.js';
import { compare, storedCounts } from './scale-support.js';

// The default shape (`pnpm start`): the collector and the forwarder in one process on the
// embedded log, files in a directory, the dedup index in a state directory. A load of
// uniquely identified events goes through it while the process is SIGKILLed at random
// moments (during the load and while it drains) and started again each time. Every event the
// collector answered 200 for must be stored exactly once.

let dir: string;
let sluice: SluiceProcess | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-crash-'));
});
afterAll(async () => {
  await sluice?.kill();
  await rm(dir, { recursive: true, force: true });
});

it('stores every acknowledged event exactly once while collector and forwarder are killed at random moments', async () => {
  const started = Date.now();
  const total = scaled(50_000, 500_000);
  const kills = scaled(5, 25);
  const random = seededRandom(SEED);
  // Kill moments during the load, as shares of the events acknowledged; one more while draining.
  const moments = killMoments(kills - 1, total, random);
  const storeDir = join(dir, 'store');
  sluice = await startSluiceProcess({
    QUEUE_URL: `log:${join(dir, 'queue')}`,
    SLUICE_CONFIG: await crashCollectorConfig(dir),
    RELIABILITY_STORE_DIR: storeDir,
    RELIABILITY_STATE_DIR: join(dir, 'state'),
    RELIABILITY_FILE_AGE_MS: '500',
  });
  const pipeline = sluice;
  const killedAt: { acknowledged: number; uptimeMs: number }[] = [];
  let upSince = Date.now();
  const { load, store } = await crashUnderLoad({
    total,
    idPrefix: 'crash',
    urls: () => [pipeline.url],
    moments,
    random,
    killJitterMs: 400,
    // The last kill lands while the forwarder drains what the load left in the log.
    drainJitterMs: 1_500,
    async kill({ acknowledged }) {
      killedAt.push({ acknowledged, uptimeMs: Date.now() - upSince });
      await pipeline.kill();
      await pipeline.start();
      upSince = Date.now();
    },
    storeDir,
    storedWithinMs: 180_000,
  });
  const probe = await pipeline.probe();
  await pipeline.stop();
  const counts = await storedCounts(store);
  const result = compare(load.acked, counts);
  const neverSent = [...counts.keys()].filter((id) => !/^crash-\d+$/.test(id)).length;
  const quarantined = (await readStoredEvents(store, 'quarantine/')).length;

  const duringLoad = killedAt.filter((k) => k.acknowledged < total).length;
  await recordFigures('crash-embedded-log', {
    title: 'Crash: collector + forwarder process SIGKILLed (embedded log)',
    file: testFile(import.meta.url),
    what:
      `${total.toLocaleString('en')} events in batches of 50 from 4 concurrent senders through one ` +
      `process (collector and forwarder on the embedded log, fsync, files cut every 500 ms), ` +
      `SIGKILLed ${killedAt.length} times at random moments (${duringLoad} during the load, ` +
      `${killedAt.length - duringLoad} while draining) and restarted each time; failed batches ` +
      'resent with the same messageIds.',
    events: eventFigures(total, result),
    details: {
      kills: killedAt.length,
      'acknowledged at each kill': killedAt.map((k) => k.acknowledged).join(', '),
      'seconds up before each kill': killedAt.map((k) => (k.uptimeMs / 1000).toFixed(1)).join(', '),
      'batches resent after a failure': load.retriedBatches,
      'batches given up': load.abandonedBatches,
      seed: SEED,
    },
    seconds: secondsSince(started),
  });
  expect(killedAt.length).toBe(kills);
  expect(result.lost).toBe(0);
  expect(result.duplicated).toBe(0);
  expect(result.acked).toBe(total);
  expect(neverSent).toBe(0);
  expect(quarantined).toBe(0);
  expect(probe.poisoning).toBeNull();
}, 600_000);
