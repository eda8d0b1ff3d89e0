import { MAX_EVENT_BYTES } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { ingestBatch } from './ingest-batch.js';
import { bodyOf, trackEvent } from './test-support.js';

const ctx = {
  sourceId: 'shop',
  receivedAtMs: Date.parse('2026-03-01T12:00:00.000Z'),
  newId: () => 'generated-id',
};

describe('ingestBatch', () => {
  it('stores the enriched event as one JSON line, the bytes the forwarder copies', () => {
    const event = trackEvent();
    const { messages } = ingestBatch({ batch: [event] }, ctx);
    const text = new TextDecoder().decode(messages[0]!.body);
    expect(text).not.toContain('\n');
    expect(JSON.parse(text)).toMatchObject({ ...event, receivedAt: '2026-03-01T12:00:00.000Z' });
    expect(messages[0]).toMatchObject({ id: event.messageId, source: 'shop', kind: 'event' });
    expect(messages[0]!.time).toBe(Date.parse(event.timestamp as string));
  });

  it("lists each stored event's visit and number for the delivery ledger (tag and Snowplow)", () => {
    const numbered = (context: Record<string, unknown>, more: Record<string, unknown> = {}) =>
      trackEvent({ anonymousId: 'anon-1', context, ...more });
    const { sequence } = ingestBatch(
      {
        batch: [
          numbered({ sessionId: 1_700_000_000_000, eventIndex: 3 }),
          numbered({ snowplow: { sid: 'sp-1' }, eventIndex: 4 }),
          numbered({ sessionId: 's', eventIndex: 1.5 }), // not a number the ledger takes
          numbered({ eventIndex: 5 }), // no visit
          numbered({ sessionId: 's', eventIndex: 6 }, { type: 'nope' }), // quarantined
        ],
      },
      ctx,
    );
    expect(sequence).toEqual([
      ['anon-1\u00001700000000000', 3],
      ['anon-1\u0000sp-1', 4],
    ]);
  });

  it('measures the limit on the event as sent, not on what the collector adds', () => {
    // Just under the limit as sent; receivedAt and the user agent push the stored line over.
    const event = trackEvent({ properties: {} });
    const room = MAX_EVENT_BYTES - JSON.stringify(event).length - '"x":""'.length;
    event.properties = { x: 'y'.repeat(room) };
    expect(JSON.stringify(event).length).toBe(MAX_EVENT_BYTES);
    const kept = ingestBatch({ batch: [event] }, { ...ctx, userAgent: 'UA/1' });
    expect(kept.accepted).toBe(1);
    expect(kept.messages[0]!.body.length).toBeGreaterThan(MAX_EVENT_BYTES);

    event.properties = { x: 'y'.repeat(room + 1) };
    expect(ingestBatch({ batch: [event] }, ctx).rejected).toHaveLength(1);
  });

  it('gives a quarantined event without a usable messageId a new id', () => {
    const event = trackEvent({ messageId: 'x'.repeat(300) });
    const { messages, rejected } = ingestBatch({ batch: [event] }, ctx);
    expect(messages[0]).toMatchObject({ id: 'generated-id', kind: 'quarantine' });
    expect(rejected).toEqual([
      { index: 0, errors: [expect.objectContaining({ path: 'messageId' })] },
    ]);
    expect(bodyOf(messages[0]!).event).toEqual(event);
  });

  it('names why each event went to quarantine, for the metrics', () => {
    const { reasons, accepted } = ingestBatch(
      {
        batch: [
          trackEvent(),
          trackEvent({ type: 'bogus' }),
          trackEvent({ timestamp: 'yesterday' }),
          trackEvent({ properties: { x: 'y'.repeat(2_000) } }),
        ],
      },
      { ...ctx, maxEventBytes: 1_024 },
    );
    expect(accepted).toBe(1);
    expect(reasons).toEqual(['invalid_type', 'invalid_timestamp', 'event_too_large']);
  });

  it('quarantines an event whose type the endpoint does not take', () => {
    const page = trackEvent({ type: 'page' });
    const result = ingestBatch({ batch: [page] }, { ...ctx, requiredType: 'track' });
    expect(result.accepted).toBe(0);
    expect(result.rejected[0]?.errors).toEqual([
      { path: 'type', message: 'type must be "track" on this endpoint' },
    ]);
    expect(result.messages[0]?.kind).toBe('quarantine');
  });
});
