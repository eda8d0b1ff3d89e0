import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { openLogQueue, type Queue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FlakyNetwork, startFlakyNetwork } from './mobile-network-proxy.js';
import {
  type AppEvent,
  createMobileApp,
  type MobileApp,
  seededRandom,
} from './mobile-sdk-simulator.js';
import { readStoredEvents } from './read-store.js';

// Phones with clocks hours off, offline for long stretches, on a network that drops
// connections and loses answers: the Segment route of the real collector, the real log, the
// real forwarder and file store. Every event must be stored once, in its own hour.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-mobile-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const partitionOf = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return `dt=${iso.slice(0, 10)}/hh=${iso.slice(11, 13)}`;
};

/** The network's day: offline, then answers lost, then flapping, then good. */
async function playNetwork(network: FlakyNetwork, random: () => number): Promise<void> {
  network.setMode('down');
  await sleep(1_500);
  network.setMode('lose-responses');
  await sleep(2_500);
  for (let i = 0; i < 12; i++) {
    const r = random();
    network.setMode(r < 0.4 ? 'up' : r < 0.7 ? 'down' : 'lose-responses');
    await sleep(150 + random() * 300);
  }
  network.setMode('up');
}

it('stores every event of offline phones with wrong clocks once, in the hour it happened', {
  timeout: 180_000,
}, async () => {
  const queue = await openLogQueue({ dir: join(dir, 'queue') });
  // The order the collector appended in (the queue observed, not replaced).
  const appendedIds: string[] = [];
  const observed: Queue = {
    append: async (messages) => {
      await queue.append(messages);
      for (const m of messages) appendedIds.push(m.id);
    },
    consumer: (name) => queue.consumer(name),
    close: () => queue.close(),
  };
  const collector = await startCollector({
    queue: observed,
    logger: false,
    config: { sources: [{ id: 'app', writeKeys: ['ios-key'] }] },
  });
  const target = new URL(collector.url);
  const network = await startFlakyNetwork({ host: target.hostname, port: Number(target.port) });
  const store = createFsStore({ root: join(dir, 'store') });
  const forwarder = await startForwarder({ queue, store, options: { maxFileAgeMs: 500 } });
  try {
    const random = seededRandom(20261124);
    const now = Date.now();
    const thisHour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const phones: MobileApp[] = [
      { id: 'phone-ahead', skew: 7 * HOUR_MS + 12 * 60_000 },
      { id: 'phone-behind', skew: -(5 * HOUR_MS + 41 * 60_000) },
      { id: 'phone-day-ahead', skew: 26 * HOUR_MS },
    ].map(({ id, skew }) =>
      createMobileApp({
        url: () => network.url,
        writeKey: 'ios-key',
        deviceId: id,
        clockSkewMs: skew,
        random,
      }),
    );

    // Events from the last three days, kept on the phones while offline. Each lies 5 to 54
    // minutes into its hour, so the correction's few milliseconds cannot move it across.
    const events: AppEvent[] = [];
    for (const phone of phones) {
      for (let j = 0; j < 150; j++) {
        const hoursAgo = 1 + ((j * 37) % 71);
        const trueTime = thisHour - hoursAgo * HOUR_MS + (5 + (j % 50)) * 60_000;
        events.push(phone.track('Screen Viewed', trueTime, { j }));
      }
    }
    // Kept offline for 40 days: past the 30-day bound, stored in the hour it arrived.
    const tooOld = phones.map((phone) =>
      phone.track('Stale Event', now - 40 * DAY_MS, { stale: true }),
    );

    const deadline = Date.now() + 90_000;
    const networkDay = playNetwork(network, random);
    await Promise.all([networkDay, ...phones.map((phone) => phone.drain(deadline))]);
    for (const phone of phones) expect(phone.pending()).toBe(0);

    const total = events.length + tooOld.length;
    // A request the phone gave up on may still be appended after the last 200: wait until the
    // appends settle and the forwarder has read them all, then let it flush and stop.
    let seen = -1;
    while (
      (seen !== appendedIds.length || forwarder.stats().read < appendedIds.length) &&
      Date.now() < deadline
    ) {
      seen = appendedIds.length;
      await sleep(300);
    }
    await forwarder.stop();
    const read = forwarder.stats().read;
    const stored = await readStoredEvents(store, 'events/');

    // Once each, nothing else.
    const ids = stored.map((s) => s.event.messageId as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...events, ...tooOld].map((e) => e.messageId).sort());

    const byId = new Map(stored.map((s) => [s.event.messageId as string, s]));
    for (const e of events) {
      const { key, event } = byId.get(e.messageId)!;
      // The phone's clock error is removed: the event is in the hour it really happened.
      expect(key).toContain(`/source=app/${partitionOf(e.trueTimeMs)}/`);
      const storedMs = Date.parse(event.timestamp as string);
      expect(Math.abs(storedMs - e.trueTimeMs)).toBeLessThan(60_000);
      expect(event.originalTimestamp).toBe(e.body.timestamp);
      expect(event.timestampClamped).toBeUndefined();
    }
    for (const e of tooOld) {
      const { key, event } = byId.get(e.messageId)!;
      expect(event.timestampClamped).toBe('past');
      expect(event.timestamp).toBe(event.receivedAt);
      expect(key).toContain(`/${partitionOf(Date.parse(event.receivedAt as string))}/`);
    }
    // 71 hours over three days (and the stale events' hour), not one folder of arrival time.
    expect(new Set(stored.map((s) => s.key.split('/').slice(2, 4).join('/'))).size).toBeGreaterThan(
      60,
    );

    // The bad network really did what the test claims.
    const stats = phones.map((phone) => phone.stats);
    const sum = (f: (s: (typeof stats)[number]) => number) => stats.reduce((a, s) => a + f(s), 0);
    expect(network.stats.refused).toBeGreaterThan(0);
    // Delivered, answer lost, sent again: the duplicates that reached the queue.
    expect(network.stats.responsesLost).toBeGreaterThan(0);
    expect(sum((s) => s.timedOut)).toBeGreaterThan(0);
    expect(sum((s) => s.resentEvents)).toBeGreaterThan(0);
    expect(read).toBeGreaterThan(total);
    expect(forwarder.stats().repeatsDropped).toBe(read - total);
    // Arrival order is not creation order.
    const created = new Map(events.map((e, i) => [e.messageId, i]));
    const arrival = appendedIds.filter((id) => created.has(id)).map((id) => created.get(id)!);
    expect(arrival.some((v, i) => i > 0 && v < arrival[i - 1]!)).toBe(true);
    expect(await readStoredEvents(store, 'quarantine/')).toEqual([]);
  } finally {
    await forwarder.stop();
    await network.close();
    await collector.close();
    await queue.close();
  }
});
