import { expect, it } from 'vitest';
import {
  crashCollectorConfig,
  crashUnderLoad,
  expectStoredOnce,
  recordCrash,
} from './crash-under-load.js';
import { killMoments } from './kill-schedule.js';
import { natsTestSetup } from './nats-test-setup.js';
import { SEED, scaled, seededRandom } from './reliability-figures.js';
import { type SluiceProcess, startSluiceProcess } from './reliability-process.js';
import { type ForwarderProcess, startForwarderProcess, storedCounts } from './scale-support.js';

// The scale-out shape: two collector processes and two forwarder processes on one JetStream
// stream of 4 shards. Collectors and forwarders are SIGKILLed independently at random moments
// and started again; a killed forwarder's shards move to the other once their leases expire.
// Every event a collector answered 200 for must be stored exactly once.

const collectors: SluiceProcess[] = [];
const forwarders: ForwarderProcess[] = [];
const nats = natsTestSetup('sluice-reliability-nats-', async () => {
  for (const collector of collectors) await collector.kill();
  for (const forwarder of forwarders) await forwarder.kill();
});

it('stores every acknowledged event exactly once while collectors and forwarders are killed independently', async () => {
  const started = Date.now();
  const total = scaled(50_000, 300_000);
  const kills = scaled(6, 24);
  const random = seededRandom(SEED + 1);
  const { queueUrl, storeDir, forwarderEnv } = nats.shardedForwarders('500');
  const config = await crashCollectorConfig(nats.dir);
  for (let i = 0; i < 2; i++) {
    collectors.push(
      await startSluiceProcess({
        RELIABILITY_ROLE: 'collector',
        QUEUE_URL: queueUrl,
        SLUICE_CONFIG: config,
      }),
    );
  }
  forwarders.push(await startForwarderProcess(forwarderEnv));
  forwarders.push(await startForwarderProcess(forwarderEnv));

  const killed: string[] = [];
  const { load, store } = await crashUnderLoad({
    total,
    idPrefix: 'nats',
    urls: () => collectors.map((c) => c.url),
    moments: killMoments(kills - 1, total, random),
    random,
    killJitterMs: 400,
    drainJitterMs: 1_500,
    // Collectors and forwarders take turns; which of the two is random. The last kill hits a
    // forwarder while the stream drains.
    async kill({ acknowledged, draining }) {
      const kind = draining || killed.length % 2 === 1 ? 'forwarder' : 'collector';
      const index = random() < 0.5 ? 0 : 1;
      killed.push(`${kind} ${index + 1} at ${acknowledged}`);
      if (kind === 'collector') {
        await collectors[index]!.kill();
        await collectors[index]!.start();
      } else {
        await forwarders[index]!.kill();
        forwarders[index] = await startForwarderProcess(forwarderEnv);
      }
    },
    storeDir,
    storedWithinMs: 180_000,
  });
  const probes = await Promise.all(collectors.map((c) => c.probe()));
  for (const forwarder of forwarders) await forwarder.stop();
  const counts = await storedCounts(store);

  const result = await recordCrash(
    'crash-nats',
    { started, total, seed: SEED + 1, load, counts },
    {
      title: 'Crash: collectors and forwarders SIGKILLed (NATS JetStream)',
      testUrl: import.meta.url,
      through:
        '2 collector processes into a JetStream stream of 4 shards, read by 2 forwarder processes ' +
        `(leases of 2 s); ${killed.length} SIGKILLs at random moments, collectors and forwarders ` +
        'in turn, each restarted at once',
      details: {
        kills: killed.length,
        'killed (process at events acknowledged)': killed.join('; '),
      },
    },
  );
  expect(killed.length).toBe(kills);
  expect(killed.filter((k) => k.startsWith('collector')).length).toBeGreaterThanOrEqual(2);
  expect(killed.filter((k) => k.startsWith('forwarder')).length).toBeGreaterThanOrEqual(2);
  expectStoredOnce(result, total);
  expect(probes.map((p) => p.poisoning)).toEqual([null, null]);
}, 600_000);
