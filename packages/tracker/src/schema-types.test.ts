import { eventSchema, type SluiceEvent } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import type { TrackerContext, TrackerEvent } from './types.js';
import { VERSION } from './version.js';

// The tracker's public types are written out by hand so the published .d.ts stands alone.
// This assignment is the guard: `npx tsc -p tsconfig.json` fails when they drift from the
// schema the collector validates against.
const asSluiceEvent = (event: TrackerEvent): SluiceEvent => event;

describe('tracker types', () => {
  it('describe events the collector accepts', () => {
    const context: TrackerContext = {
      page: {
        url: 'https://a.example/x?y=1',
        path: '/x',
        referrer: '',
        title: 'X',
        search: '?y=1',
      },
      campaign: { name: 'spring', source: 'news' },
      sessionId: 1_767_225_600_000,
      eventIndex: 1,
      locale: 'en-US',
      timezone: 'Europe/Berlin',
      screen: { width: 1280, height: 800 },
      library: { name: 'sluice', version: VERSION },
    };
    const base = {
      messageId: '1234',
      anonymousId: 'a',
      timestamp: new Date().toISOString(),
      context,
    };
    const events: TrackerEvent[] = [
      { ...base, type: 'track', event: 'Signed Up', properties: { plan: 'pro' }, userId: null },
      { ...base, type: 'page', name: 'Home' },
      { ...base, type: 'identify', userId: 'u', traits: { plan: 'pro' } },
      { ...base, type: 'group', groupId: 'acme', traits: { seats: 3 } },
      { ...base, type: 'alias', userId: 'u2', previousId: 'u' },
    ];
    for (const event of events)
      expect(eventSchema.safeParse(asSluiceEvent(event)).error).toBeUndefined();
  });

  it('report the version in package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
