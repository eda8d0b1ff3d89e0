import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogQueue, openLogQueue, type QueueEntry } from '@sluice/queue';
import { type MosquittoBroker, startMosquitto } from '@sluice/testkit/mosquitto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { BridgeConfigInput } from './bridge-config.js';
import { type RunningMqttBridge, startMqttBridge } from './mqtt-bridge.js';

// A real mosquitto broker (password file, ACL, persistence) and the real embedded log.

let broker: MosquittoBroker;
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

const ACL = `user bridge
topic read devices/#

pattern write devices/%u/#
`;

beforeAll(async () => {
  broker = await startMosquitto({
    users: { bridge: 'bridge-secret', 'th-7': 'device-secret', 'th-8': 'device-secret' },
    acl: ACL,
  });
});
afterAll(async () => {
  await broker?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function config(clientId: string): BridgeConfigInput {
  return {
    broker: { url: broker.url, clientId, username: 'bridge', password: 'bridge-secret' },
    routes: [{ topic: 'devices/{deviceId}/{event}', source: 'fleet' }],
    retry: { initialMs: 20, maxMs: 100 },
  };
}

async function device(id: string): Promise<MqttClient> {
  const client = await connectAsync(broker.url, {
    clientId: `device-${id}-${Math.random()}`,
    username: id,
    password: 'device-secret',
  });
  cleanups.push(() => client.endAsync());
  return client;
}

async function bridgeOn(queue: LogQueue, clientId: string): Promise<RunningMqttBridge> {
  const bridge = await startMqttBridge({ queue, config: config(clientId) });
  cleanups.push(() => bridge.stop());
  return bridge;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every entry of the log so far, through a consumer that acknowledges nothing. */
async function readAll(queue: LogQueue, name: string): Promise<QueueEntry[]> {
  const consumer = await queue.consumer(name);
  const entries: QueueEntry[] = [];
  for (;;) {
    const batch = await consumer.read(1000, 50);
    if (batch.length === 0) break;
    entries.push(...batch);
  }
  await consumer.close();
  return entries;
}

const reading = (n: number) =>
  JSON.stringify({ timestamp: new Date(Date.UTC(2026, 10, 24, 10, 0, n)).toISOString(), n });

it('acknowledges a message only once the queue holds it: what the queue refused comes again', async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-mqtt-bridge-'));
  const clientId = 'bridge-ack';
  // A disk budget that takes a few messages and then refuses (queue full), with no forwarder.
  const small = await openLogQueue({ dir, maxBytes: 2_000 });
  const first = await startMqttBridge({ queue: small, config: config(clientId) });
  const th7 = await device('th-7');
  const total = 20;
  for (let n = 0; n < total; n++) {
    await th7.publishAsync('devices/th-7/temperature', reading(n), { qos: 1 });
  }
  await waitFor(() => first.stats().appendFailures >= 3, 'the queue to refuse');
  await first.stop();
  const before = first.stats();
  await small.close();
  expect(before.events).toBeGreaterThan(0);
  expect(before.events).toBeLessThan(total);

  // Room again: the broker delivers what the first bridge never acknowledged.
  const roomy = await openLogQueue({ dir });
  cleanups.push(() => roomy.close());
  const second = await bridgeOn(roomy, clientId);
  await waitFor(() => before.events + second.stats().events >= total, 'the rest');
  await second.stop();
  expect(second.stats().redelivered).toBeGreaterThan(0);
  // What was appended was acknowledged: a third session gets nothing again.
  const third = await bridgeOn(roomy, clientId);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await third.stop();
  expect(third.stats().received).toBe(0);

  const entries = await readAll(roomy, 'check');
  const readings = entries.map((e) => JSON.parse(new TextDecoder().decode(e.body)).n as number);
  expect(new Set(readings)).toEqual(new Set(Array.from({ length: total }, (_, n) => n)));
  // A message appended just before the stop and not yet acknowledged may be appended twice:
  // with the same id, which the forwarder stores once.
  expect(new Set(entries.map((e) => e.id)).size).toBe(total);
  expect(entries.every((e) => e.kind === 'event' && e.source === 'fleet')).toBe(true);
});

it('keeps its session while away and across a broker restart: nothing published meanwhile is lost', async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-mqtt-bridge-'));
  const queue = await openLogQueue({ dir });
  cleanups.push(() => queue.close());
  const clientId = 'bridge-session';
  const first = await bridgeOn(queue, clientId);
  const th8 = await device('th-8');
  await th8.publishAsync('devices/th-8/boot', reading(0), { qos: 1 });
  await waitFor(() => first.stats().events === 1, 'the first message');
  await first.stop();

  // Published while no bridge is connected: the broker holds them in the bridge's session.
  await th8.publishAsync('devices/th-8/boot', reading(1), { qos: 1 });
  // A retained message, and then the broker restarts (it saves its sessions on the way out).
  await th8.publishAsync('devices/th-8/state', reading(2), { qos: 1, retain: true });
  await broker.stop();
  await broker.start();
  const again = await device('th-8');
  await again.publishAsync('devices/th-8/boot', reading(3), { qos: 1 });

  const second = await bridgeOn(queue, clientId);
  await waitFor(() => second.stats().events === 3, 'the held messages');
  // Resubscribing makes the broker send its retained copy again (RETAIN set): not a new reading.
  expect(second.stats().retainedCopies).toBe(1);
  await second.stop();
  const entries = await readAll(queue, 'check');
  expect(entries.map((e) => JSON.parse(new TextDecoder().decode(e.body)).n).sort()).toEqual([
    0, 1, 2, 3,
  ]);
});

it('stores what a device may publish under its own topic only (the broker’s ACL)', async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-mqtt-bridge-'));
  const queue = await openLogQueue({ dir });
  cleanups.push(() => queue.close());
  const bridge = await bridgeOn(queue, 'bridge-acl');
  const th7 = await device('th-7');
  // th-7 pretends to be th-8: the broker drops it (an MQTT 3.1.1 publisher is not told).
  await th7.publishAsync('devices/th-8/temperature', reading(1), { qos: 1 });
  await th7.publishAsync('devices/th-7/temperature', reading(2), { qos: 1 });
  await waitFor(() => bridge.stats().events === 1, 'the allowed message');
  await bridge.stop();
  const [entry, ...rest] = await readAll(queue, 'check');
  expect(rest).toEqual([]);
  expect(JSON.parse(new TextDecoder().decode(entry!.body))).toMatchObject({
    anonymousId: 'th-7',
    n: 2,
  });
});

it('does not start with credentials the broker refuses', async () => {
  const queue = { append: async () => {} };
  const bad = { ...config('bridge-bad'), broker: { ...config('x').broker, password: 'wrong' } };
  await expect(startMqttBridge({ queue, config: bad })).rejects.toThrow(/Not authorized|auth/i);
});
