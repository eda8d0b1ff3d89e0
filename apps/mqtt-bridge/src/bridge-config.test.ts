import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from './bridge-config.js';

describe('parseBridgeConfig', () => {
  it('fills the defaults: MQTT 3.1.1, device clocks trusted, the collector’s event size', () => {
    const config = parseBridgeConfig({
      broker: { url: 'mqtts://broker.example:8883', clientId: 'sluice-bridge' },
      routes: [{ topic: 'devices/{deviceId}/{event}', source: 'fleet' }],
    });
    expect(config.broker).toMatchObject({
      protocolVersion: 4,
      rejectUnauthorized: true,
      keepaliveSeconds: 30,
    });
    expect(config.routes[0]).toEqual({
      topic: 'devices/{deviceId}/{event}',
      source: 'fleet',
      correctClockSkew: false,
      maxEventBytes: 32_768,
    });
    expect(config.retry).toEqual({ initialMs: 200, maxMs: 10_000 });
  });

  it('names every problem by its path', () => {
    expect(() =>
      parseBridgeConfig({
        broker: { url: 'http://broker', clientId: '', certFile: 'client.pem' },
        routes: [{ topic: 'devices/#/x', source: 'Fleet A' }],
        extra: true,
      }),
    ).toThrow(
      /broker\.url: .*\n.*broker\.clientId: .*\n.*broker\.keyFile: certFile and keyFile come together\n.*routes\.0\.topic: # must be the last level\n.*routes\.0\.source: a slug.*\n.*extra/s,
    );
    expect(() =>
      parseBridgeConfig({ broker: { url: 'mqtt://b', clientId: 'x' }, routes: [] }),
    ).toThrow(/routes: /);
  });
});
