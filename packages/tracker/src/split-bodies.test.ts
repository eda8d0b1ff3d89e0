import { batchRequestSchema, MAX_BEACON_BYTES, MAX_EVENT_BYTES } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { splitBodies } from './split-bodies.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;
const event = (i: number, text: string) => ({
  type: 'track',
  event: `e${i}`,
  properties: { text },
});
const eventsIn = (bodies: string[]) => bodies.flatMap((b) => JSON.parse(b).batch);

describe('splitBodies', () => {
  it('puts a small batch in one body of the /v1/batch shape', () => {
    const events = [event(0, 'a'), event(1, 'b')];
    const bodies = splitBodies('wk "quoted"', events);
    expect(bodies).toHaveLength(1);
    const body = JSON.parse(bodies[0]!);
    expect(batchRequestSchema.safeParse(body).success).toBe(true);
    expect(body).toEqual({ writeKey: 'wk "quoted"', sentAt: expect.any(String), batch: events });
    expect(Date.parse(body.sentAt)).toBeGreaterThan(Date.now() - 5000);
  });

  it('splits a batch over 64 KB into bodies under 64 KB that hold every event once, in order', () => {
    // Multi-byte text: the limit is in bytes, not characters.
    const events = Array.from({ length: 200 }, (_, i) => event(i, 'ü€'.repeat(200 + i * 7)));
    const bodies = splitBodies('wk', events);
    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) expect(bytes(body)).toBeLessThanOrEqual(MAX_BEACON_BYTES);
    expect(eventsIn(bodies)).toEqual(events);
  });

  it('fills bodies close to the quota rather than sending many small ones', () => {
    const events = Array.from({ length: 400 }, (_, i) => event(i, 'x'.repeat(1000)));
    const bodies = splitBodies('wk', events);
    const total = bodies.reduce((sum, body) => sum + bytes(body), 0);
    expect(bodies.length).toBe(Math.ceil(total / MAX_BEACON_BYTES));
  });

  it('drops an event over MAX_EVENT_BYTES, which the collector would refuse, and keeps the rest', () => {
    const events = [event(0, 'ok'), event(1, 'x'.repeat(MAX_EVENT_BYTES)), event(2, 'ok')];
    expect(eventsIn(splitBodies('wk', events))).toEqual([events[0], events[2]]);
  });

  it('sends nothing for an empty batch', () => {
    expect(splitBodies('wk', [])).toEqual([]);
  });
});
