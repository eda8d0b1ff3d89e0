import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetZstd } from '@sluice/forwarder';
import { type NatsQueue, openNatsQueue, type QueueMessage, shardOf } from '@sluice/queue';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { parquetReadObjects } from 'hyparquet';
import { expect, it } from 'vitest';
import { natsTestSetup } from './nats-test-setup.js';
import { type ForwarderProcess, startForwarderProcess, waitUntil } from './scale-support.js';

// `sluice forwarder` on a stream of 4 shards is assembled like the single-consumer one: each
// shard's dedup index lives on disk under --state-dir, and files are in the --format chosen.
// A repeat of an already stored event that arrives after a restart must still be dropped:
// an index in memory (what the shard path had before) forgets every id when the process ends.

const nats = natsTestSetup('sluice-shard-state-');
const SHARDS = 4;
const TIME = Date.UTC(2026, 10, 24, 10, 30);

function event(id: string): QueueMessage {
  const body = { type: 'track', event: 'Shard Test', messageId: id, timestamp: TIME };
  return {
    id,
    source: 'shop',
    time: TIME,
    kind: 'event',
    body: new TextEncoder().encode(JSON.stringify(body)),
  };
}

/** messageId -> how many times the store's Parquet files hold it; throws on any other file. */
async function storedIds(store: ObjectStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const { key } of store.list('events/')) {
    if (!key.endsWith('.parquet')) throw new Error(`not a Parquet file: ${key}`);
    const file = new Uint8Array((await store.get(key))!).buffer;
    await parquetZstd.ready?.();
    const compressors = { ZSTD: parquetZstd.decompress };
    for (const row of await parquetReadObjects({ file, columns: ['messageId'], compressors })) {
      const id = String(row.messageId);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** One id per shard, so that once all are stored every shard has read what came before. */
function markerPerShard(prefix: string): string[] {
  const ids: string[] = [];
  for (let n = 0; ids.length < SHARDS; n++) {
    const id = `${prefix}-${n}`;
    if (shardOf(id, SHARDS) === ids.length) ids.push(id);
  }
  return ids;
}

it('drops a repeat that reaches a shard after the forwarder restarted, and writes Parquet', async () => {
  const { storeDir, forwarderEnv } = nats.shardedForwarders('300');
  const stateDir = join(nats.dir, 'state');
  const args = ['--state-dir', stateDir, '--format', 'parquet'];
  const store = createFsStore({ root: storeDir });
  // JetStream's own duplicate window would hide the repeat: this producer sends it through.
  const producer: NatsQueue = await openNatsQueue({
    servers: nats.servers.url,
    shards: SHARDS,
    leaseTtlMs: 2_000,
    deduplicate: false,
  });
  const running: ForwarderProcess[] = [];
  const startOwningAll = async () => {
    const forwarder = await startForwarderProcess(forwarderEnv, args);
    running.push(forwarder);
    await waitUntil(
      async () => forwarder.events.filter((e) => e.type === 'acquired').length === SHARDS,
      20_000,
    );
    return forwarder;
  };
  const allStored = (ids: string[]) => async () => {
    const counts = await storedIds(store);
    return ids.every((id) => counts.has(id));
  };
  try {
    const ids = Array.from({ length: 40 }, (_, n) => `ev-${n}`);
    const first = await startOwningAll();
    await producer.append(ids.map(event));
    await waitUntil(allStored(ids), 30_000);
    await first.stop();
    // Each shard's index is its own LMDB environment under --state-dir.
    expect((await readdir(join(stateDir, 'dedup'))).sort()).toEqual(
      Array.from({ length: SHARDS }, (_, n) => `forwarder-shard-${n}`),
    );

    await startOwningAll();
    await producer.append(ids.map(event));
    const markers = markerPerShard('after-restart');
    await producer.append(markers.map(event));
    await waitUntil(allStored(markers), 30_000);

    const counts = await storedIds(store);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect([...counts.keys()].sort()).toEqual([...ids, ...markers].sort());
  } finally {
    for (const forwarder of running) await forwarder.stop();
    await producer.close();
  }
}, 90_000);
