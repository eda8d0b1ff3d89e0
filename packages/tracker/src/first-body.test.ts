import { batchRequestSchema, MAX_BEACON_BYTES } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { byteLength, firstBody } from './first-body.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;
const event = (i: number, text: string) =>
  JSON.stringify({ type: 'track', event: `e${i}`, properties: { text } });

/** Every body firstBody makes for `events`, taking them in turn as the outbox does. */
const allBodies = (events: string[]) => {
  const bodies: string[] = [];
  for (let rest = events; rest.length; ) {
    const [body, count] = firstBody('wk', rest);
    bodies.push(body);
    rest = rest.slice(count);
  }
  return bodies;
};

describe('firstBody', () => {
  it('puts a small batch in one body of the /v1/batch shape, with a fresh sentAt', () => {
    const events = [event(0, 'a'), event(1, 'b')];
    const [body, count] = firstBody('wk "quoted"', events);
    expect(count).toBe(2);
    const parsed = JSON.parse(body);
    expect(batchRequestSchema.safeParse(parsed).success).toBe(true);
    expect(parsed).toEqual({
      writeKey: 'wk "quoted"',
      sentAt: expect.any(String),
      batch: events.map((e) => JSON.parse(e)),
    });
    expect(Math.abs(Date.parse(parsed.sentAt) - Date.now())).toBeLessThan(5000);
  });

  it('keeps every body of a batch over 64 KB within 64 KB, each event once, in order', () => {
    // Multi-byte text: the limit is in bytes, not characters.
    const events = Array.from({ length: 200 }, (_, i) => event(i, 'ü€'.repeat(200 + i * 7)));
    const bodies = allBodies(events);
    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) expect(bytes(body)).toBeLessThanOrEqual(MAX_BEACON_BYTES);
    expect(bodies.flatMap((b) => JSON.parse(b).batch)).toEqual(events.map((e) => JSON.parse(e)));
  });

  it('fills bodies close to the quota rather than sending many small ones', () => {
    const events = Array.from({ length: 400 }, (_, i) => event(i, 'x'.repeat(1000)));
    const bodies = allBodies(events);
    const total = bodies.reduce((sum, body) => sum + bytes(body), 0);
    expect(bodies.length).toBe(Math.ceil(total / MAX_BEACON_BYTES));
  });

  it('fits a body to the byte exactly at the quota', () => {
    const [head] = firstBody('wk', []);
    // Two events that with the head, a comma and "]}" make exactly 64 KB, and one more.
    const room = MAX_BEACON_BYTES - byteLength(head) - 1; // the head ends in "]}"; the 1 is a comma
    const first = event(0, 'x'.repeat(1000));
    const second = event(1, 'y'.repeat(room - bytes(first) - bytes(event(1, ''))));
    const [body, count] = firstBody('wk', [first, second, event(2, 'z')]);
    expect(bytes(body)).toBe(MAX_BEACON_BYTES);
    expect(count).toBe(2);
  });

  it('never makes an empty body, even for an event too big to fit', () => {
    const [body, count] = firstBody('wk', [event(0, 'x'.repeat(MAX_BEACON_BYTES))]);
    expect(count).toBe(1);
    expect(JSON.parse(body).batch).toHaveLength(1);
  });
});
