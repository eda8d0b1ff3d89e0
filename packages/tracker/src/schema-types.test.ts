import { eventSchema, type SluiceEvent } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import type { TrackerEvent } from './types.js';
import { VERSION } from './version.js';

// The tracker's public types are written out by hand so the published .d.ts stands alone.
// This assignment is the guard: `npx tsc -p tsconfig.json` fails when they drift from the
// schema the collector validates against.
const asSluiceEvent = (event: TrackerEvent): SluiceEvent => event;

describe('tracker types', () => {
  it('describe events the collector accepts', () => {
    const event: TrackerEvent = {
      type: 'track',
      event: 'Signed Up',
      properties: { plan: 'pro' },
      messageId: 'V1StGXR8_Z5jdHi6B-myT',
      anonymousId: 'a',
      timestamp: new Date().toISOString(),
      context: {
        page: {
          url: 'https://a.example/x?y=1',
          path: '/x',
          referrer: '',
          title: 'X',
          search: '?y=1',
        },
        locale: 'en-US',
        timezone: 'Europe/Berlin',
        screen: { width: 1280, height: 800 },
        library: { name: 'sluice', version: VERSION },
      },
    };
    expect(eventSchema.safeParse(asSluiceEvent(event)).success).toBe(true);
  });

  it('report the version in package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
