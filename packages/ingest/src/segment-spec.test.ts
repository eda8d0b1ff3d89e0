// The whole Segment spec as its clients write it: what ingestBatch accepts beyond the
// canonical form, and how it keeps a retried request from being stored twice.
import { describe, expect, it } from 'vitest';
import { type IngestContext, ingestBatch } from './ingest-batch.js';
import { normalizeIsoTime } from './normalize-event.js';
import { segmentBatch } from './protocols/segment.js';
import { bodyOf } from './test-support.js';

const receivedAtMs = Date.parse('2026-03-01T12:00:00.000Z');
let ids = 0;
const ctx = { sourceId: 'backend', receivedAtMs, newId: () => `random-${++ids}` };

function stored(batch: Record<string, unknown>[], extra: Partial<IngestContext> = {}) {
  const result = ingestBatch({ batch }, { ...ctx, ...extra });
  return { result, events: result.messages.map(bodyOf) };
}

describe('ISO-8601 forms Segment accepts', () => {
  it.each([
    ['2012-12-02', '2012-12-02T00:00:00.000Z'],
    ['2012-12-02T00:30Z', '2012-12-02T00:30:00.000Z'],
    ['2012-12-02T00:30', '2012-12-02T00:30:00.000Z'],
    ['2012-12-02T00:30:08', '2012-12-02T00:30:08.000Z'],
    ['2012-12-02T01:30:08.276+0100', '2012-12-02T00:30:08.276Z'],
    ['2012-12-01T19:30:08-05:00', '2012-12-02T00:30:08.000Z'],
    ['2012-12-02T00:30:08.276123Z', '2012-12-02T00:30:08.276Z'],
  ])('reads %s as %s', (sent, canonical) => {
    expect(normalizeIsoTime(sent)).toBe(canonical);
  });

  it.each(['yesterday', '2012-13-02', '2012-02-30', '2012-12-02T24:30Z', '12/02/2012'])(
    'refuses %s',
    (sent) => {
      expect(normalizeIsoTime(sent)).toBeUndefined();
    },
  );

  it('stores an event with a date-only timestamp at that date, normalised', () => {
    const { events } = stored(
      [{ type: 'track', event: 'A', userId: 'u', messageId: 'm1', timestamp: '2026-02-28' }],
      {},
    );
    expect(events[0]).toMatchObject({ timestamp: '2026-02-28T00:00:00.000Z' });
  });

  it('accepts a batch sentAt without seconds', () => {
    const parsed = segmentBatch({ batch: [{}], sentAt: '2026-03-01T11:59Z' });
    expect(parsed).toMatchObject({ ok: true, batch: { sentAt: '2026-03-01T11:59:00.000Z' } });
  });
});

describe('ids given as numbers', () => {
  it('are stored as their string form', () => {
    const { events, result } = stored([
      { type: 'group', userId: 42, groupId: 7, messageId: 1001, timestamp: '2026-03-01T10:00:00Z' },
    ]);
    expect(result.accepted).toBe(1);
    expect(events[0]).toMatchObject({ userId: '42', groupId: '7', messageId: '1001' });
  });
});

describe('an event without a messageId', () => {
  const track = {
    type: 'track',
    userId: '019mr8mf4r',
    event: 'Item Purchased',
    properties: { revenue: 39.95 },
    timestamp: '2026-03-01T10:00:00.000Z',
  };

  it('gets the same derived id when the same request is sent again, so it is stored once', () => {
    const first = stored([{ ...track }]).result.messages[0]!;
    const retry = stored([{ ...track }]).result.messages[0]!;
    expect(first.kind).toBe('event');
    expect(first.id).toMatch(/^sl-[0-9a-f]{32}$/);
    expect(retry.id).toBe(first.id);
    expect(bodyOf(first).messageId).toBe(first.id);
  });

  it('gets another id for another event, another time or another source', () => {
    const base = stored([{ ...track }]).result.messages[0]!.id;
    const others = [
      stored([{ ...track, event: 'Item Viewed' }]),
      stored([{ ...track, timestamp: '2026-03-01T10:00:00.001Z' }]),
      stored([{ ...track, properties: { revenue: 40 } }]),
      stored([{ ...track }], { sourceId: 'shop' }),
    ].map((s) => s.result.messages[0]!.id);
    expect(new Set([base, ...others]).size).toBe(5);
  });

  it('gets a random id when it has no time of its own: nothing tells a retry apart', () => {
    const { timestamp: _, ...untimed } = track;
    const a = stored([{ ...untimed }]).result.messages[0]!;
    const b = stored([{ ...untimed }]).result.messages[0]!;
    expect(a.kind).toBe('event');
    expect(a.id).toMatch(/^random-/);
    expect(b.id).not.toBe(a.id);
  });
});

describe('batch-level context and integrations', () => {
  it('are merged into each event, the event’s own fields winning', () => {
    const result = ingestBatch(
      {
        batch: [
          { type: 'identify', userId: 'u1', messageId: 'a', integrations: { Mixpanel: false } },
          { type: 'identify', userId: 'u2', messageId: 'b', context: { locale: 'de-DE' } },
        ],
        context: { device: { type: 'phone' }, locale: 'en-US' },
        integrations: { All: true, Mixpanel: true },
      },
      ctx,
    );
    const [first, second] = result.messages.map(bodyOf);
    expect(first).toMatchObject({
      context: { device: { type: 'phone' }, locale: 'en-US' },
      integrations: { All: true, Mixpanel: false },
    });
    expect(second).toMatchObject({
      context: { device: { type: 'phone' }, locale: 'de-DE' },
      integrations: { All: true, Mixpanel: true },
    });
  });
});

describe('historical timestamps', () => {
  const old = {
    type: 'track',
    event: 'A',
    userId: 'u',
    messageId: 'h',
    timestamp: '2025-01-01T00:00:00Z',
  };

  it('are clamped to receivedAt by default (a broken browser clock)', () => {
    const { result, events } = stored([{ ...old }]);
    expect(result.messages[0]!.time).toBe(receivedAtMs);
    expect(events[0]).toMatchObject({ timestampClamped: 'past' });
  });

  it('are kept, and partition the event by that time, for an import', () => {
    const { result, events } = stored([{ ...old }], { keepPastTimestamps: true });
    expect(result.messages[0]!.time).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(events[0]).not.toHaveProperty('timestampClamped');
    expect(events[0]).toMatchObject({ timestamp: '2025-01-01T00:00:00.000Z' });
  });
});
