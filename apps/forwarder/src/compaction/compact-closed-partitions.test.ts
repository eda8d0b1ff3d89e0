// The real forwarder writes small files into several hours; compaction takes only the closed ones.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogQueue, type QueueMessage } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { createForwarder } from '../forwarder.js';
import { listPartitionFolders } from '../live-files.js';
import { gzipLevel6 } from '../node.js';
import { FAST, NOW } from '../test-support.js';
import { compactClosedPartitions } from './compact-closed-partitions.js';
import {
  dataNames,
  digests,
  eventLine,
  readLiveLines,
  readPlainLines,
  storeKinds,
} from './test-support.js';

const kinds = storeKinds();
const dirs: string[] = [];
afterAll(async () => {
  for (const kind of kinds) await kind.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const HOUR_MS = 3_600_000;
const encoder = new TextEncoder();

/** 24 events in each of the hours 08, 09 and 10 (NOW is 10:30), and quarantine of two days. */
function messages(): QueueMessage[] {
  const all: QueueMessage[] = [];
  for (const [h, hourStart] of [8, 9, 10].map((h) => [h, Date.UTC(2026, 10, 24, h)] as const)) {
    for (let i = 0; i < 24; i++) {
      const n = h * 100 + i;
      all.push({
        id: `m-${n}`,
        source: 'shop',
        time: hourStart + i * 60_000,
        kind: 'event',
        body: encoder.encode(eventLine(n)),
      });
    }
  }
  for (const [day, time] of [
    ['23', NOW - 24 * HOUR_MS],
    ['24', NOW],
  ] as const) {
    for (let i = 0; i < 12; i++) {
      const record = {
        reason: [{ path: 'type', message: 'invalid' }],
        event: { messageId: `q-${day}-${i}` },
        receivedAt: new Date(time).toISOString(),
      };
      all.push({
        id: `q-${day}-${i}`,
        source: 'shop',
        time,
        kind: 'quarantine',
        body: encoder.encode(JSON.stringify(record)),
      });
    }
  }
  return all;
}

/**
 * Forwards each batch in turn through one log queue into `store`, in small files, with a new
 * forwarder per batch (so the checkpoint moves on past the first batch's partitions).
 * Returns the consumer's committed position.
 */
async function forward(store: ObjectStore, batches: QueueMessage[][]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-compaction-queue-'));
  dirs.push(dir);
  const queue = await openLogQueue({ dir, durability: 'none' });
  try {
    const consumer = await queue.consumer('forwarder');
    let read = 0;
    for (const batch of batches) {
      await queue.append(batch);
      read += batch.length;
      const forwarder = createForwarder({
        consumer,
        store,
        compress: gzipLevel6,
        now: () => NOW,
        options: { ...FAST, maxFileBytes: 500, maxFileAgeMs: 60_000 },
      });
      const running = forwarder.run();
      const target = batch.length;
      while (forwarder.stats().read < target)
        await new Promise((resolve) => setTimeout(resolve, 5));
      await forwarder.stop();
      await running;
    }
    expect(consumer.committed).toBe(read);
    return consumer.committed;
  } finally {
    await queue.close();
  }
}

describe.each(kinds)('compactClosedPartitions on the $name store', (kind) => {
  it('compacts partitions whose hour (day, for quarantine) plus grace has passed, and no other', async () => {
    const store = await kind.create();
    const all = messages();
    const first = (message: QueueMessage) => message.time < Date.UTC(2026, 10, 24, 9);
    const committed = await forward(store, [all.filter(first), all.filter((m) => !first(m))]);
    const partitions = await listPartitionFolders(store, '');
    const closed = [
      'events/source=shop/dt=2026-11-24/hh=08/',
      'quarantine/source=shop/dt=2026-11-23/',
    ];
    const open = partitions.filter((partition) => !closed.includes(partition));
    expect(open).toEqual([
      'events/source=shop/dt=2026-11-24/hh=09/',
      'events/source=shop/dt=2026-11-24/hh=10/',
      'quarantine/source=shop/dt=2026-11-24/',
    ]);
    const lines = new Map<string, string[]>();
    for (const partition of partitions)
      lines.set(partition, await readPlainLines(store, partition));
    const openFiles = await Promise.all(open.map((partition) => digests(store, partition)));
    for (const partition of closed)
      expect((await dataNames(store, partition)).length).toBeGreaterThan(2);

    // 10:30 with one hour of grace: hour 08 closed at 10:00, hour 09 closes at 11:00.
    const deps = { store, codecs: nodeFileCodecs, now: () => NOW };
    const options = { targetFileBytes: 64 * 1024, minFileBytes: 1, graceMs: HOUR_MS };
    const once = await compactClosedPartitions(deps, options);
    expect(once).toMatchObject({ open: 3, failed: [] });
    expect(once.partitions.map((result) => result.partition)).toEqual(closed);
    // The forwarder's checkpoint no longer covers these partitions: each newest file waits.
    for (const partition of closed) {
      const names = await dataNames(store, partition);
      expect(names).toEqual([expect.stringMatching(/\.c1\.ndjson\.gz$/), expect.any(String)]);
      expect(once.partitions.find((p) => p.partition === partition)?.kept).toEqual([
        `${partition}${names[1]}`,
      ]);
    }

    const twice = await compactClosedPartitions(deps, { ...options, acknowledgedBelow: committed });
    expect(twice.failed).toEqual([]);
    for (const partition of closed) {
      expect(await dataNames(store, partition)).toEqual([
        expect.stringMatching(/^\d{20}\.c2\.ndjson\.gz$/),
      ]);
    }
    for (const partition of partitions) {
      expect(await readLiveLines(store, partition)).toEqual(lines.get(partition));
      expect(await readPlainLines(store, partition)).toEqual(lines.get(partition));
    }
    expect(await Promise.all(open.map((partition) => digests(store, partition)))).toEqual(
      openFiles,
    );
    expect((await readLiveLines(store, '')).length).toBe(all.length);
  });
});
