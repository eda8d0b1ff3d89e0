import { join } from 'node:path';
import { expect, it } from 'vitest';
import { demoUrl, startSluice } from './cli-process.js';
import {
  crashCollectorConfig,
  crashUnderLoad,
  expectStoredOnce,
  recordCrash,
} from './crash-under-load.js';
import { killMoments, sleep } from './kill-schedule.js';
import { SEED, scaled, seededRandom } from './reliability-figures.js';
import { storedCounts } from './scale-support.js';
import { scratchDirPerFile } from './scratch-dir.js';
import { segmentBytes } from './workers-support.js';

// The crash test of reliability-crash.test.ts, smaller, on `sluice start --workers 2` itself:
// two collector threads on one port, each appending to its own log partition, one forwarder per
// partition sharing one dedup window. The process is SIGKILLed at random moments (twice during
// the load, once while it drains; more with --soak) and started again on the same port and data each time. A
// batch resent after a kill may reach the other thread, so land in the other partition: every
// event the collector answered 200 for must still be stored exactly once.

let sluice: Awaited<ReturnType<typeof startSluice>> | undefined;
const scratch = scratchDirPerFile('sluice-reliability-crash-workers-', () =>
  sluice?.stop('SIGKILL'),
);

const READY = /demo page\s+http:\/\/127\.0\.0\.1:\d+\/demo/;

/** Starts `sluice start --workers 2` on `port` (0 the first time); resolves with its URL. */
async function startWorkers(port: number, config: string): Promise<string> {
  const args = ['start', '--data-dir', scratch.dir, '--port', String(port), '--workers', '2'];
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
  const config = await crashCollectorConfig(scratch.dir);
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
    storeDir: join(scratch.dir, 'store'),
    storedWithinMs: 60_000,
  });
  expect((await sluice!.stop('SIGTERM')).code).toBe(0);
  const counts = await storedCounts(store);
  // Both threads took batches: partition 1 has records too, so the kills hit both.
  const w1Bytes = await segmentBytes(join(scratch.dir, 'queue', 'w1'));

  const result = await recordCrash(
    'crash-embedded-log-workers',
    { started, total, seed: SEED, load, counts },
    {
      title: 'Crash: sluice start --workers 2 SIGKILLed (embedded log, 2 partitions)',
      testUrl: import.meta.url,
      through:
        '`sluice start --workers 2` (two collector threads on one port, a log partition and a ' +
        `forwarder each, fsync, files cut every 300 ms), SIGKILLed ${kills} times at random ` +
        `moments (${kills - 1} planned during the load, 1 while draining) and restarted each time`,
      details: {
        kills: killedAt.length,
        'acknowledged at each kill': killedAt.join(', '),
        'bytes in partition 1': w1Bytes,
      },
    },
  );
  expect(killedAt).toHaveLength(kills);
  expect(w1Bytes).toBeGreaterThan(0);
  expectStoredOnce(result, total);
}, 120_000);
