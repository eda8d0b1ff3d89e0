import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  crashCollectorConfig,
  crashUnderLoad,
  expectStoredOnce,
  recordCrash,
} from './crash-under-load.js';
import { killMoments } from './kill-schedule.js';
import { readStoredEvents } from './read-store.js';
import { SEED, scaled, seededRandom } from './reliability-figures.js';
import { type SluiceProcess, startSluiceProcess } from './reliability-process.js';
import { storedCounts } from './scale-support.js';
import { scratchDirPerFile } from './scratch-dir.js';

// The default shape (`pnpm start`): the collector and the forwarder in one process on the
// embedded log, files in a directory, the dedup index in a state directory. A load of
// uniquely identified events goes through it while the process is SIGKILLed at random
// moments (during the load and while it drains) and started again each time. Every event the
// collector answered 200 for must be stored exactly once.

let sluice: SluiceProcess | undefined;
const scratch = scratchDirPerFile('sluice-reliability-crash-', () => sluice?.kill());

it('stores every acknowledged event exactly once while collector and forwarder are killed at random moments', async () => {
  const started = Date.now();
  const total = scaled(50_000, 500_000);
  const kills = scaled(5, 25);
  const random = seededRandom(SEED);
  // Kill moments during the load, as shares of the events acknowledged; one more while draining.
  const moments = killMoments(kills - 1, total, random);
  const { dir } = scratch;
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
  const neverSent = [...counts.keys()].filter((id) => !/^crash-\d+$/.test(id)).length;
  const quarantined = (await readStoredEvents(store, 'quarantine/')).length;

  const duringLoad = killedAt.filter((k) => k.acknowledged < total).length;
  const result = await recordCrash(
    'crash-embedded-log',
    { started, total, seed: SEED, load, counts },
    {
      title: 'Crash: collector + forwarder process SIGKILLed (embedded log)',
      testUrl: import.meta.url,
      through:
        'one process (collector and forwarder on the embedded log, fsync, files cut every 500 ms), ' +
        `SIGKILLed ${killedAt.length} times at random moments (${duringLoad} during the load, ` +
        `${killedAt.length - duringLoad} while draining) and restarted each time`,
      details: {
        kills: killedAt.length,
        'acknowledged at each kill': killedAt.map((k) => k.acknowledged).join(', '),
        'seconds up before each kill': killedAt
          .map((k) => (k.uptimeMs / 1000).toFixed(1))
          .join(', '),
      },
    },
  );
  expect(killedAt.length).toBe(kills);
  expectStoredOnce(result, total);
  expect(neverSent).toBe(0);
  expect(quarantined).toBe(0);
  expect(probe.poisoning).toBeNull();
}, 600_000);
