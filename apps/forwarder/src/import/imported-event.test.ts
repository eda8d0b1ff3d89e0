import { MAX_EVENT_BYTES } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { type ImportRecord, toImportedMessage } from './imported-event.js';

const ctx = { source: 'shop', inputId: 'ab'.repeat(32) };
const decode = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body));

function imported(event: unknown, line = 7) {
  const message = toImportedMessage({ line, event } as ImportRecord, ctx);
  return { ...message, body: decode(message.body) };
}

const base = { type: 'track', event: 'Signed Up', messageId: 'm1', anonymousId: 'a1' };

describe('an imported event', () => {
  it('keeps an event collected before as it is, filed by its timestamp', () => {
    const event = {
      ...base,
      timestamp: '2025-03-01T10:00:00.000Z',
      originalTimestamp: '2025-03-01T09:59:00.000Z',
      sentAt: '2025-03-01T09:59:01.000Z',
      receivedAt: '2025-03-01T10:00:01.000Z',
    };
    const message = toImportedMessage({ line: 1, event }, ctx);
    expect(new TextDecoder().decode(message.body)).toBe(JSON.stringify(event));
    expect(message).toMatchObject({
      id: 'm1',
      source: 'shop',
      kind: 'event',
      time: Date.parse('2025-03-01T10:00:00.000Z'),
    });
  });

  it('corrects the client clock as the collector does when receivedAt is known', () => {
    // The client clock is an hour behind: sent 09:00:05 by its clock, received 10:00:05.
    const message = imported({
      ...base,
      originalTimestamp: '2025-03-01T09:00:00.000Z',
      sentAt: '2025-03-01T09:00:05.000Z',
      receivedAt: '2025-03-01T10:00:05.000Z',
    });
    expect(message.time).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
    expect(message.body).toMatchObject({
      timestamp: '2025-03-01T10:00:00.000Z',
      originalTimestamp: '2025-03-01T09:00:00.000Z',
    });
  });

  it("takes the client's own time when no arrival is known, and adds no receivedAt", () => {
    const message = imported({ ...base, timestamp: '2025-03-01T11:00:00+01:00' });
    expect(message.time).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
    expect(message.body.timestamp).toBe('2025-03-01T10:00:00.000Z');
    expect(message.body.originalTimestamp).toBe('2025-03-01T11:00:00+01:00');
    expect(message.body).not.toHaveProperty('receivedAt');
  });
});

describe('an imported record goes to quarantine with the reason', () => {
  it('when it fails the collector schema', () => {
    const message = imported({ ...base, type: 'nope', receivedAt: '2025-03-01T10:00:00.000Z' });
    expect(message).toMatchObject({
      kind: 'quarantine',
      id: 'm1',
      time: Date.parse('2025-03-01T10:00:00.000Z'),
    });
    expect(message.body.reason[0].message).toMatch(/type must be one of track/);
    expect(message.body.importedFrom).toEqual({ input: ctx.inputId, line: 7 });
  });

  it('when it has no time at all', () => {
    const message = imported(base);
    expect(message).toMatchObject({ kind: 'quarantine', time: 0 });
    expect(message.body.reason).toEqual([
      {
        path: 'timestamp',
        message: 'an imported event needs timestamp, originalTimestamp or receivedAt',
      },
    ]);
  });

  it('when it is larger than the collector accepts', () => {
    const big = {
      ...base,
      timestamp: '2025-03-01T10:00:00Z',
      properties: { x: 'y'.repeat(MAX_EVENT_BYTES) },
    };
    expect(imported(big).body.reason[0].message).toMatch(/at most 32768 are allowed/);
  });

  it('when it is not a JSON object, with an id made from the input and the line', () => {
    const notJson = toImportedMessage({ line: 3, unparsable: '{oops', error: 'not JSON: x' }, ctx);
    expect(notJson).toMatchObject({ kind: 'quarantine', id: `${ctx.inputId}:3`, time: 0 });
    expect(decode(notJson.body)).toMatchObject({
      event: '{oops',
      reason: [{ message: 'not JSON: x' }],
    });
    expect(imported([1, 2], 4)).toMatchObject({ kind: 'quarantine', id: `${ctx.inputId}:4` });
  });
});
