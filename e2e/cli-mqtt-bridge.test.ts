import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogReader, type QueueEntry } from '@sluice/queue';
import { type MosquittoBroker, startMosquitto } from '@sluice/testkit/mosquitto';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBridgeProcess, writeBridgeConfig } from './mqtt-bridge-process.js';

// `sluice mqtt-bridge` against a real mosquitto: a device's message reaches the queue.

let broker: MosquittoBroker;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto({
    users: { 'th-1': 'device-secret', bridge: 'bridge-secret' },
    acl: 'user bridge\ntopic read devices/#\n\npattern write devices/%u/#\n',
  });
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-mqtt-'));
});
afterAll(async () => {
  await broker?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('runs the bridge from the command line and puts a device message into the queue', async () => {
  const configFile = await writeBridgeConfig(dir, broker.url, 'sluice-cli-bridge');
  const queueDir = join(dir, 'queue');
  const bridge = await startBridgeProcess({ SLUICE_MQTT_PASSWORD: 'bridge-secret' }, [
    '--config',
    configFile,
    '--queue',
    `log:${queueDir}`,
  ]);
  const entries: QueueEntry[] = [];
  try {
    const device = await connectAsync(broker.url, {
      clientId: 'th-1',
      username: 'th-1',
      password: 'device-secret',
    });
    const timestamp = new Date().toISOString();
    await device.publishAsync(
      'devices/th-1/temperature',
      JSON.stringify({ messageId: 'reading-1', timestamp, properties: { celsius: 21 } }),
      { qos: 1 },
    );
    await device.endAsync();
    // The bridge acknowledges once the queue holds the message; its stop line counts it.
    const held = await entriesIn(queueDir, 1);
    await bridge.stop();
    expect(bridge.lines.find((line) => line.stopped === true)?.stats).toMatchObject({
      received: 1,
      events: 1,
    });
    entries.push(...held);
  } finally {
    await bridge.kill();
  }
  expect(entries.map((e) => ({ id: e.id, source: e.source, kind: e.kind }))).toEqual([
    { id: 'reading-1', source: 'fleet', kind: 'event' },
  ]);
  const body = JSON.parse(new TextDecoder().decode(entries[0]!.body));
  expect(body).toMatchObject({ event: 'temperature', properties: { celsius: 21 } });
}, 60_000);

/** The log's entries (read without owning it, while the bridge runs) once it holds `count`. */
async function entriesIn(queueDir: string, count: number): Promise<QueueEntry[]> {
  for (let tries = 0; tries < 300; tries++) {
    const reader = openLogReader(queueDir);
    const { first, next } = await reader.range().catch(() => ({ first: 0, next: 0 }));
    if (next - first >= count) {
      const entries: QueueEntry[] = [];
      for await (const batch of reader.read(first, next)) entries.push(...batch);
      return entries;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the queue did not hold ${count} entries within 30 s`);
}
