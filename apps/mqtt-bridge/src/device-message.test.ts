import { describe, expect, it } from 'vitest';
import { parseBridgeConfig, type RouteConfig } from './bridge-config.js';
import { type DeviceMessage, deviceMessageId, mapDeviceMessage } from './device-message.js';
import { compileTopicPattern } from './topic-pattern.js';

const route: RouteConfig = parseBridgeConfig({
  broker: { url: 'mqtt://127.0.0.1:1883', clientId: 'bridge' },
  routes: [{ topic: 'devices/{deviceId}/{event}', source: 'fleet' }],
}).routes[0]!;
const pattern = compileTopicPattern(route.topic);
const receivedAtMs = Date.parse('2026-11-24T10:30:00.000Z');

function message(topic: string, payload: unknown, over: Partial<DeviceMessage> = {}) {
  const bytes = new TextEncoder().encode(
    typeof payload === 'string' ? payload : JSON.stringify(payload),
  );
  return { topic, payload: bytes, receivedAtMs, route, fields: pattern.match(topic)!, ...over };
}

const decode = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body));

describe('mapDeviceMessage', () => {
  it('makes a track event of a reading: name from the topic, device id as anonymousId', async () => {
    const { message: m, rejected } = await mapDeviceMessage(
      message('devices/th-7/temperature', {
        messageId: 'r-1',
        timestamp: '2026-11-24T10:29:58.000Z',
        properties: { celsius: 21.5 },
      }),
    );
    expect(rejected).toBeUndefined();
    expect(m).toMatchObject({ id: 'r-1', source: 'fleet', kind: 'event' });
    expect(m.time).toBe(Date.parse('2026-11-24T10:29:58.000Z'));
    expect(decode(m.body)).toEqual({
      messageId: 'r-1',
      type: 'track',
      event: 'temperature',
      anonymousId: 'th-7',
      properties: { celsius: 21.5 },
      timestamp: '2026-11-24T10:29:58.000Z',
      originalTimestamp: '2026-11-24T10:29:58.000Z',
      receivedAt: '2026-11-24T10:30:00.000Z',
      context: { device: { id: 'th-7' }, mqtt: { topic: 'devices/th-7/temperature' } },
    });
  });

  it('gives a message without messageId the same id on every resend, another for another reading', async () => {
    const reading = { timestamp: '2026-11-24T10:29:58.000Z', properties: { celsius: 21.5 } };
    const first = await mapDeviceMessage(message('devices/th-7/temperature', reading));
    const resend = await mapDeviceMessage(
      message('devices/th-7/temperature', reading, { receivedAtMs: receivedAtMs + 60_000 }),
    );
    const next = await mapDeviceMessage(
      message('devices/th-7/temperature', { ...reading, timestamp: '2026-11-24T10:30:58.000Z' }),
    );
    const otherDevice = await mapDeviceMessage(message('devices/th-8/temperature', reading));
    expect(first.message.id).toMatch(/^mqtt-[0-9a-f]{32}$/);
    expect(resend.message.id).toBe(first.message.id);
    expect(next.message.id).not.toBe(first.message.id);
    expect(otherDevice.message.id).not.toBe(first.message.id);
    expect(decode(first.message.body).messageId).toBe(first.message.id);
    const sent = new TextEncoder().encode(JSON.stringify(reading));
    expect(first.message.id).toBe(await deviceMessageId('devices/th-7/temperature', sent));
  });

  it('keeps the payload’s own type and event name', async () => {
    const { message: m } = await mapDeviceMessage(
      message('devices/th-7/status', {
        messageId: 'b-1',
        type: 'identify',
        traits: { firmware: '1.2.0' },
      }),
    );
    expect(decode(m.body)).toMatchObject({ type: 'identify', traits: { firmware: '1.2.0' } });
    expect(decode(m.body).event).toBeUndefined();
    const named = await mapDeviceMessage(
      message('devices/th-7/telemetry', { messageId: 'b-2', event: 'Door Opened' }),
    );
    expect(decode(named.message.body).event).toBe('Door Opened');
  });

  it('takes the device id from the payload when the topic has none', async () => {
    const payloadRoute = { ...route, topic: 'plant/{event}' };
    const fields = compileTopicPattern(payloadRoute.topic).match('plant/boot')!;
    const { message: m } = await mapDeviceMessage(
      message(
        'plant/boot',
        { messageId: 'p-1', deviceId: 'pump-3' },
        { route: payloadRoute, fields },
      ),
    );
    expect(decode(m.body)).toMatchObject({
      anonymousId: 'pump-3',
      event: 'boot',
      deviceId: 'pump-3',
    });
  });

  it('corrects the device clock only when the route asks', async () => {
    // The device clock runs 5 h ahead; it took the reading 2 minutes before sending it.
    const payload = {
      messageId: 's-1',
      timestamp: '2026-11-24T15:28:00.000Z',
      sentAt: '2026-11-24T15:30:00.000Z',
    };
    const corrected = await mapDeviceMessage(
      message('devices/th-7/temperature', payload, {
        route: { ...route, correctClockSkew: true },
      }),
    );
    expect(corrected.message.time).toBe(Date.parse('2026-11-24T10:28:00.000Z'));
    // Trusted as it is, a time 5 h ahead is past the 1 h bound: it becomes receivedAt.
    const trusted = await mapDeviceMessage(message('devices/th-7/temperature', payload));
    expect(trusted.message.time).toBe(receivedAtMs);
    expect(decode(trusted.message.body).timestampClamped).toBe('future');
  });

  it('quarantines what it cannot store, with the reason and what was sent', async () => {
    const cases: [unknown, string, string][] = [
      ['not json', '', 'payload is not valid JSON'],
      [`{"properties":{"v":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, '', 'deeper than 64'],
      [[1, 2], '', 'payload must be a JSON object'],
      [{ anonymousId: 'th-8', timestamp: '2026-11-24T10:00:00Z' }, 'anonymousId', 'th-7'],
      [{ properties: { celsius: 20 } }, 'messageId', 'needs a timestamp'],
      [{ messageId: 'q-1', timestamp: 'yesterday' }, 'timestamp', 'ISO-8601'],
      [{ messageId: 'q-2', type: 'track', properties: 'warm' }, 'properties', ''],
    ];
    for (const [payload, path, text] of cases) {
      const { message: m, rejected } = await mapDeviceMessage(
        message('devices/th-7/temperature', payload),
      );
      expect(m.kind).toBe('quarantine');
      expect(m.source).toBe('fleet');
      expect(m.time).toBe(receivedAtMs);
      expect(rejected?.[0]?.path).toBe(path);
      expect(rejected?.[0]?.message).toContain(text);
      const record = decode(m.body);
      expect(record.reason).toEqual(rejected);
      expect(record.receivedAt).toBe('2026-11-24T10:30:00.000Z');
    }
  });

  it('quarantines bytes that are not UTF-8 under a stable id', async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x41]);
    const one = await mapDeviceMessage({ ...message('devices/th-7/x', ''), payload: bytes });
    const two = await mapDeviceMessage({ ...message('devices/th-7/x', ''), payload: bytes });
    expect(one.rejected?.[0]?.message).toBe('payload is not valid UTF-8');
    expect(one.message.id).toBe(two.message.id);
    expect(decode(one.message.body).topic).toBe('devices/th-7/x');
  });

  it('quarantines an event larger than the route allows', async () => {
    const { message: m, rejected } = await mapDeviceMessage(
      message(
        'devices/th-7/blob',
        {
          messageId: 'big',
          timestamp: '2026-11-24T10:00:00Z',
          properties: { data: 'x'.repeat(400) },
        },
        { route: { ...route, maxEventBytes: 300 } },
      ),
    );
    expect(m.kind).toBe('quarantine');
    expect(m.id).toBe('big');
    expect(rejected?.[0]?.message).toMatch(/at most 300/);
  });
});
