import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryQueue, type QueueMessage } from '@sluice/queue';
import { type MosquittoBroker, startMosquitto } from '@sluice/testkit/mosquitto';
import { makeTestCertificates, type TestCertificates } from '@sluice/testkit/tls';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BridgeConfigInput } from './bridge-config.js';
import { startMqttBridge } from './mqtt-bridge.js';

// TLS client certificates: mosquitto requires one from its CA and takes its CN as the user
// name, so the same ACL (`pattern write devices/%u/#`) binds a device to its own topics.

let dir: string;
let certs: TestCertificates;
let broker: MosquittoBroker;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-mqtt-tls-'));
  certs = await makeTestCertificates(dir);
  broker = await startMosquitto({
    tls: { ...certs.server, requireClientCertificate: true },
    acl: 'user bridge\ntopic read devices/#\n\npattern write devices/%u/#\n',
  });
});
afterAll(async () => {
  await broker?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const config = (clientId: string): BridgeConfigInput => ({
  broker: { url: broker.url, clientId },
  routes: [{ topic: 'devices/{deviceId}/{event}', source: 'fleet' }],
});

it('takes device messages over TLS with client certificates, the CN as identity', async () => {
  expect(broker.url).toMatch(/^mqtts:/);
  const appended: QueueMessage[] = [];
  const memory = createMemoryQueue();
  const queue = {
    append: async (messages: readonly QueueMessage[]) => {
      await memory.append(messages);
      appended.push(...messages);
    },
  };
  const bridgeCert = await certs.client('bridge');
  const bridge = await startMqttBridge({
    queue,
    config: config('bridge-tls'),
    tls: { ca: certs.ca, cert: bridgeCert.cert, key: bridgeCert.key },
  });
  const deviceCert = await certs.client('th-9');
  const device = await connectAsync(broker.url, {
    clientId: 'th-9',
    ca: certs.ca,
    cert: deviceCert.cert,
    key: deviceCert.key,
  });
  try {
    // Its own topic, and another device's (which the ACL drops).
    await device.publishAsync('devices/th-1/boot', '{"messageId":"x-1","n":1}', { qos: 1 });
    await device.publishAsync('devices/th-9/boot', '{"messageId":"x-2","n":2}', { qos: 1 });
    const deadline = Date.now() + 20_000;
    while (appended.length < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await device.endAsync();
    await bridge.stop();
    await memory.close();
  }
  expect(appended.map((m) => m.id)).toEqual(['x-2']);
  expect(JSON.parse(new TextDecoder().decode(appended[0]!.body))).toMatchObject({
    anonymousId: 'th-9',
    event: 'boot',
  });
});

it('cannot connect without a client certificate the broker trusts', async () => {
  const queue = { append: async () => {} };
  await expect(
    startMqttBridge({
      queue,
      config: {
        ...config('bridge-no-cert'),
        broker: { ...config('x').broker, connectTimeoutMs: 5_000 },
      },
      tls: { ca: certs.ca },
    }),
  ).rejects.toThrow(/certificate|handshake|socket|ECONNRESET|alert/i);
});
