import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { openLogQueue, openLogReader } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { type MosquittoBroker, startMosquitto } from '@sluice/testkit/mosquitto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BridgeProcess, startBridgeProcess } from './mqtt-bridge-process.js';
import { readStoredEvents } from './read-store.js';

// Devices publish over a real mosquitto broker (password file, ACL, persistence); the bridge
// runs as its own process and is killed twice; the real log, forwarder and file store follow,
// and the collector's web events of the same source end up in the same files.

const HOUR_MS = 3_600_000;
const DEVICES = ['th-0', 'th-1', 'th-2', 'th-3', 'th-4'];
const READINGS = 1200;

let broker: MosquittoBroker;
let dir: string;
const started: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  const users = Object.fromEntries(DEVICES.map((id) => [id, `secret-${id}`]));
  broker = await startMosquitto({
    users: { ...users, bridge: 'bridge-secret' },
    acl: 'user bridge\ntopic read devices/#\n\npattern write devices/%u/#\n',
  });
  dir = await mkdtemp(join(tmpdir(), 'sluice-mqtt-e2e-'));
});

afterAll(async () => {
  for (const s of started.reverse()) await s.stop().catch(() => {});
  await broker?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Every reading belongs to the previous hour: one partition, whatever minute the test runs.
const hourStart = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
const readingTime = (n: number) => new Date(hourStart + 10 * 60_000 + n * 100).toISOString();
/** Every 100th reading has a broken timestamp: it must reach quarantine with the reason. */
const isInvalid = (n: number) => n % 100 === 50;

/** The bytes a device publishes for reading n; half carry a messageId, half get a derived one. */
function payloadOf(n: number): string {
  if (isInvalid(n)) return JSON.stringify({ timestamp: 'yesterday noon', properties: { n } });
  const reading = { timestamp: readingTime(n), properties: { n, celsius: 20 + (n % 7) } };
  return JSON.stringify(n % 2 === 0 ? { messageId: `reading-${n}`, ...reading } : reading);
}
const topicOf = (n: number) => `devices/${DEVICES[n % DEVICES.length]}/temperature`;

async function publishReadings(devices: MqttClient[], from: number, to: number): Promise<void> {
  for (let n = from; n < to; n++) {
    await devices[n % devices.length]!.publishAsync(topicOf(n), payloadOf(n), { qos: 1 });
    // A device that lost its connection resends recent readings: the same bytes again.
    if (n % 10 === 9) {
      const again = n - 5;
      await devices[again % devices.length]!.publishAsync(topicOf(again), payloadOf(again), {
        qos: 1,
      });
    }
  }
}

async function waitUntil(check: () => Promise<boolean> | boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The distinct messageIds the log holds (read without owning it, while the bridge runs). */
async function idsInLog(logDir: string): Promise<{ ids: Set<string>; entries: number }> {
  const reader = openLogReader(logDir);
  const { first, next } = await reader.range().catch(() => ({ first: 0, next: 0 }));
  const ids = new Set<string>();
  for await (const batch of reader.read(first, next)) for (const e of batch) ids.add(e.id);
  return { ids, entries: next - first };
}

it('stores every device message once, beside web events of the same source, through bridge crashes', {
  timeout: 240_000,
}, async () => {
  const logDir = join(dir, 'queue');
  const configFile = join(dir, 'bridge.json');
  await writeFile(
    configFile,
    JSON.stringify({
      broker: { url: broker.url, clientId: 'sluice-bridge-e2e', username: 'bridge' },
      routes: [{ topic: 'devices/{deviceId}/{event}', source: 'fleet' }],
      retry: { initialMs: 50, maxMs: 200 },
    }),
  );
  const env = {
    SLUICE_MQTT_CONFIG: configFile,
    SLUICE_MQTT_PASSWORD: 'bridge-secret',
    SLUICE_MQTT_STATS_MS: '200',
  };
  const devices = await Promise.all(
    DEVICES.map((id) =>
      connectAsync(broker.url, { clientId: id, username: id, password: `secret-${id}` }),
    ),
  );
  started.push(...devices.map((d) => ({ stop: () => d.endAsync() })));

  // 1. A disk budget that fills up: the bridge holds messages it cannot append, without
  //    acknowledging them; it is killed right there.
  let bridge: BridgeProcess = await startBridgeProcess({
    ...env,
    QUEUE_URL: `log:${logDir}?maxBytes=40000`,
  });
  started.push(bridge);
  await publishReadings(devices, 0, 300);
  await bridge.waitForLine((line) => line.type === 'append_failed');
  await bridge.kill();
  const afterFirst = await idsInLog(logDir);
  expect(afterFirst.ids.size).toBeGreaterThan(0);
  expect(afterFirst.ids.size).toBeLessThan(300);

  // 2. Room again, and killed at an arbitrary point while devices keep publishing.
  bridge = await startBridgeProcess({ ...env, QUEUE_URL: `log:${logDir}` });
  started.push(bridge);
  const publishing = publishReadings(devices, 300, READINGS);
  await waitUntil(async () => (await idsInLog(logDir)).entries > 600, 'progress');
  await bridge.kill();
  // The broker redelivered what the first bridge held unacknowledged (DUP set).
  const redeliveredToSecond = bridge.lines
    .map((line) => (line.stats as { redelivered?: number } | undefined)?.redelivered ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);
  expect(redeliveredToSecond).toBeGreaterThan(0);

  // 3. A third run takes the rest, including what the second held when it died.
  bridge = await startBridgeProcess({ ...env, QUEUE_URL: `log:${logDir}` });
  started.push(bridge);
  await publishing;
  // Valid readings carry their id or a derived one; each invalid one is quarantined once per
  // distinct copy, so the log must have READINGS distinct ids in the end.
  await waitUntil(async () => (await idsInLog(logDir)).ids.size === READINGS, 'every reading');
  await bridge.stop();
  const { entries } = await idsInLog(logDir);

  // The collector and the forwarder on the same log: web events of the same source.
  const queue = await openLogQueue({ dir: logDir });
  started.push({ stop: () => queue.close() });
  const collector = await startCollector({
    queue,
    logger: false,
    config: { sources: [{ id: 'fleet', writeKeys: ['fleet-key'] }] },
  });
  started.push({ stop: () => collector.close() });
  const webTime = new Date(hourStart + 30 * 60_000).toISOString();
  const response = await fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from('fleet-key:').toString('base64')}`,
    },
    body: JSON.stringify({
      batch: Array.from({ length: 20 }, (_, i) => ({
        type: 'track',
        event: 'Viewed Dashboard',
        anonymousId: 'operator-1',
        messageId: `web-${i}`,
        timestamp: webTime,
        properties: { i },
      })),
    }),
  });
  expect(response.status).toBe(200);
  const store = createFsStore({ root: join(dir, 'store') });
  const forwarder = await startForwarder({
    queue,
    store,
    options: { maxFileAgeMs: 120_000 },
  });
  started.push(forwarder);
  await waitUntil(() => forwarder.stats().read >= entries + 20, 'the forwarder to read it all');
  await forwarder.stop();

  const stored = await readStoredEvents(store, 'events/');
  // Web events sent from a server carry no context (no client IP is taken for them).
  const device = stored.filter((s) => (s.event.context as { mqtt?: unknown } | undefined)?.mqtt);
  const web = stored.filter((s) => s.event.event === 'Viewed Dashboard');
  expect(device.length + web.length).toBe(stored.length);
  const readings = device.map((s) => (s.event.properties as { n: number }).n).sort((a, b) => a - b);
  const valid = Array.from({ length: READINGS }, (_, n) => n).filter((n) => !isInvalid(n));
  expect(readings).toEqual(valid);
  expect(web.map((s) => s.event.messageId).sort()).toEqual(
    Array.from({ length: 20 }, (_, i) => `web-${i}`).sort(),
  );
  // One partition, one file: device and web events side by side.
  const keys = new Set(stored.map((s) => s.key));
  expect(keys.size).toBe(1);
  const day = new Date(hourStart).toISOString().slice(0, 10);
  const hour = new Date(hourStart).toISOString().slice(11, 13);
  expect([...keys][0]).toMatch(
    new RegExp(`^events/source=fleet/dt=${day}/hh=${hour}/\\d{20}\\.ndjson\\.gz$`),
  );
  for (const { event } of device) {
    const n = (event.properties as { n: number }).n;
    expect(event.timestamp).toBe(readingTime(n));
    expect(event.anonymousId).toBe(DEVICES[n % DEVICES.length]);
    expect(event.type).toBe('track');
    expect(event.event).toBe('temperature');
  }

  // Invalid readings are in quarantine with the reason (repeats kept: they record refusals).
  const quarantined = await readStoredEvents(store, 'quarantine/');
  const refused = new Set(
    quarantined.map((q) => (q.event.event as { properties: { n: number } }).properties.n),
  );
  expect([...refused].sort((a, b) => a - b)).toEqual(
    Array.from({ length: READINGS }, (_, n) => n).filter(isInvalid),
  );
  for (const { event } of quarantined) {
    expect(event.reason).toEqual([{ path: 'timestamp', message: 'must be an ISO-8601 date-time' }]);
  }
});
