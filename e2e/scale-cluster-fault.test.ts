import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningCollector, startCollector } from '@sluice/collector';
import { type Forwarding, startForwarding } from '@sluice/forwarder';
import { type NatsQueue, openNatsQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { type NatsTestServers, startNatsCluster } from '@sluice/testkit/nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectorConfig, compare, sendLoad, storedCounts, waitUntil } from './scale-support.js';

// A 3-node JetStream cluster on loopback and a stream with 3 replicas. During a bounded load
// through two collectors, the node leading the stream is killed (SIGKILL by pid) and started
// again later. Publishes fail over to a new leader (the collectors retry with the same
// messageId, so nothing is stored twice); every acknowledged event must end in the store once.

let cluster: NatsTestServers;
let dir: string;
beforeAll(async () => {
  cluster = await startNatsCluster(3);
  dir = await mkdtemp(join(tmpdir(), 'sluice-cluster-'));
});
afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('keeps every acknowledged event exactly once when the stream leader is killed and restarted', async () => {
  const options = { servers: cluster.url, replicas: 3, shards: 2, leaseTtlMs: 20_000 };
  const queues: NatsQueue[] = [];
  const collectors: RunningCollector[] = [];
  let forwarding: Forwarding | undefined;
  try {
    for (let i = 0; i < 3; i++) queues.push(await openNatsQueue(options));
    for (const queue of queues.slice(0, 2)) {
      collectors.push(await startCollector({ queue, config: collectorConfig, logger: false }));
    }
    const store = createFsStore({ root: join(dir, 'store') });
    forwarding = await startForwarding({
      queue: queues[2]!,
      store,
      options: { maxFileAgeMs: 300, retryMaxMs: 1_000 },
    });

    let killed: string | undefined;
    let restarted: Promise<void> | undefined;
    const load = await sendLoad({
      urls: () => collectors.map((c) => c.url),
      total: 3_000,
      concurrency: 4,
      onProgress: async (acked) => {
        if (killed === undefined && acked >= 1_000) {
          killed = 'pending'; // the other senders must not kill a second node meanwhile
          const leader = await queues[0]!.streamLeader().catch(() => undefined);
          const node = cluster.nodes.find((n) => n.name === leader) ?? cluster.nodes[0]!;
          killed = node.name;
          await node.kill();
          // Back after a while, while the load goes on.
          restarted = new Promise((resolve) => setTimeout(resolve, 3_000)).then(() =>
            node.restart(),
          );
        }
      },
    });
    await restarted;
    expect(killed).toBeDefined();
    expect(load.abandonedBatches).toBe(0);

    await waitUntil(async () => compare(load.acked, await storedCounts(store)).lost === 0, 45_000);
    await forwarding.stop();
    forwarding = undefined;
    const result = compare(load.acked, await storedCounts(store));
    expect(result).toEqual({ acked: 3_000, stored: 3_000, unique: 3_000, lost: 0, duplicated: 0 });
    console.log(`3-node cluster, ${killed} (stream leader) killed and restarted:`, result, {
      retriedBatches: load.retriedBatches,
      publishes: queues.slice(0, 2).map((q) => q.publishStats()),
    });
  } finally {
    await forwarding?.stop().catch(() => undefined);
    for (const collector of collectors) await collector.close();
    for (const queue of queues) await queue.close().catch(() => undefined);
  }
});
