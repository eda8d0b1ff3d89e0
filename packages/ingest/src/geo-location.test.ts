import { describe, expect, it } from 'vitest';
import { enrichEvent } from './enrich.js';
import { createMmdbLocator, type GeoLocation, locationFromCloudflare } from './geo-location.js';

const RECEIVED = Date.parse('2026-06-10T12:00:00Z');
const track = (context?: Record<string, unknown>) => ({
  type: 'track',
  event: 'Viewed',
  messageId: 'm-1',
  ...(context ? { context } : {}),
});
const HERE: GeoLocation = { country: 'DE', region: 'Berlin', city: 'Berlin', source: 'test-db' };

describe('context.location', () => {
  it('is looked up from the address the event sends before that address is dropped', () => {
    const seen: string[] = [];
    const { event } = enrichEvent(track({ ip: '198.51.100.23' }), {
      receivedAtMs: RECEIVED,
      location: { country: 'FR', source: 'test-db' },
      locate: (ip) => {
        seen.push(ip);
        return HERE;
      },
      options: {
        receivedAt: true,
        correctClockSkew: true,
        ip: 'drop',
        parseUserAgent: true,
        detectBots: true,
      },
    });
    expect(seen).toEqual(['198.51.100.23']);
    expect(event.context).toEqual({ location: HERE });
    expect(JSON.stringify(event)).not.toContain('198.51.100');
  });

  it('keeps a location the client sent (a mobile SDK’s) instead of the server’s guess', () => {
    const own = { latitude: 52.5, longitude: 13.4 };
    const { event } = enrichEvent(track({ location: own }), {
      receivedAtMs: RECEIVED,
      location: HERE,
    });
    expect((event.context as Record<string, unknown>).location).toEqual(own);
  });

  it('takes country, region and city from request.cf, and nothing without a country', () => {
    expect(
      locationFromCloudflare({ country: 'JP', region: 'Tokyo', city: 'Minato', colo: 'NRT' }),
    ).toEqual({ country: 'JP', region: 'Tokyo', city: 'Minato', source: 'cloudflare' });
    expect(locationFromCloudflare({ colo: 'NRT' })).toBeUndefined();
    expect(locationFromCloudflare(undefined)).toBeUndefined();
  });
});

describe('createMmdbLocator', () => {
  it('opens the file of a family only on its first lookup and names the build month', () => {
    const opened: number[] = [];
    const locate = createMmdbLocator((family) => {
      opened.push(family);
      return {
        metadata: { buildEpoch: new Date('2026-06-01T20:32:58Z') },
        get: (ip) => {
          if (ip === 'not-an-ip') throw new Error('Invalid IP address');
          return family === 4 ? { country_code: 'US' } : { country_code: 'CA', state1: 'Ontario' };
        },
      };
    }, 'dbip-city-lite');
    expect(opened).toEqual([]);
    expect(locate('8.8.8.8')).toEqual({ country: 'US', source: 'dbip-city-lite-2026-06' });
    expect(locate('8.8.4.4')?.country).toBe('US');
    expect(opened).toEqual([4]);
    expect(locate('2001:4860::1')).toEqual({
      country: 'CA',
      region: 'Ontario',
      source: 'dbip-city-lite-2026-06',
    });
    expect(locate('not-an-ip')).toBeUndefined();
    expect(opened).toEqual([4, 6]);
  });
});
