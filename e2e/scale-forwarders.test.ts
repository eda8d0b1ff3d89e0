import { type RunningCollector, startCollector } from '@sluice/collector';
import { type NatsQueue, openNatsQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { expect, it } from 'vitest';
import { natsTestSetup } from './nats-test-setup.js';
import {
  collectorConfig,
  compare,
  type ForwarderProcess,
  sendLoad,
  startForwarderProcess,
  storedCounts,
  waitUntil,
} from './scale-support.js';

// Two collectors publish to one JetStream stream of 4 shards; two forwarder processes share
// the shards. One forwarder is killed (SIGKILL, holding unuploaded events) in the middle of
// the load; the other takes its shards over once their leases expire, then the killed one is
// started again and gets its share back. Every event a collector acknowledged must be in the
// store exactly once.

const nats = natsTestSetup('sluice-scale-');

it('keeps every acknowledged event exactly once with 2 collectors, 2 forwarders and a forwarder killed', async () => {
  const { storeDir, forwarderEnv } = nats.shardedForwarders('300');
  const queues: NatsQueue[] = [];
  const collectors: RunningCollector[] = [];
  const forwarders: ForwarderProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const queue = await openNatsQueue({
        servers: nats.servers.url,
        shards: 4,
        leaseTtlMs: 2_000,
      });
      queues.push(queue);
      collectors.push(await startCollector({ queue, config: collectorConfig, logger: false }));
    }
    forwarders.push(await startForwarderProcess(forwarderEnv));
    forwarders.push(await startForwarderProcess(forwarderEnv));
    // The second forwarder gets its share once the first sees two members and gives shards back.
    await waitUntil(async () => forwarders[1]!.events.some((e) => e.type === 'acquired'), 20_000);

    let killed = false;
    const load = await sendLoad({
      urls: () => collectors.map((c) => c.url),
      total: 4_000,
      onProgress: async (acked) => {
        if (!killed && acked >= 1_500) {
          killed = true;
          await forwarders[0]!.kill();
        }
      },
    });
    expect(killed).toBe(true);
    // The survivor takes the killed forwarder's shards over once their leases expired.
    const shardsOf = (f: ForwarderProcess, type: string) =>
      f.events.filter((e) => e.type === type).map((e) => e.shard as number);
    const heldAtKill = shardsOf(forwarders[0]!, 'acquired').filter(
      (shard) => !shardsOf(forwarders[0]!, 'released').includes(shard),
    );
    expect(heldAtKill.length).toBeGreaterThan(0);
    expect(heldAtKill.length).toBeLessThan(4);
    await waitUntil(
      async () => heldAtKill.every((shard) => shardsOf(forwarders[1]!, 'acquired').includes(shard)),
      20_000,
    );
    // The killed one comes back and gets a share again.
    forwarders.push(await startForwarderProcess(forwarderEnv));

    const store = createFsStore({ root: storeDir });
    await waitUntil(async () => compare(load.acked, await storedCounts(store)).lost === 0, 30_000);
    await forwarders[1]!.stop();
    await forwarders[2]!.stop();
    const result = compare(load.acked, await storedCounts(store));
    expect(result).toEqual({ acked: 4_000, stored: 4_000, unique: 4_000, lost: 0, duplicated: 0 });
    console.log('2 collectors, 2 forwarders, one killed:', result, {
      retriedBatches: load.retriedBatches,
    });
  } finally {
    for (const forwarder of forwarders) await forwarder.kill();
    for (const collector of collectors) await collector.close();
    for (const queue of queues) await queue.close();
  }
});
