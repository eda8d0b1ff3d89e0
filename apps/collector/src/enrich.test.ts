import { describe, expect, it } from 'vitest';
import { applyBatchDefaults, correctClockSkew, enrichEvent } from './enrich.js';

const RECEIVED = Date.parse('2026-03-01T12:00:00.000Z');

describe('correctClockSkew', () => {
  it('shifts the event by the client clock error measured at sending', () => {
    const sent = Date.parse('2026-03-01T10:00:10.000Z');
    const created = Date.parse('2026-03-01T10:00:00.000Z');
    expect(correctClockSkew(RECEIVED, sent, created)).toBe(RECEIVED - 10_000);
  });

  it("uses the client's timestamp when sentAt is unknown", () => {
    expect(correctClockSkew(RECEIVED, undefined, 1_000)).toBe(1_000);
  });

  it('uses the arrival time when the event has no timestamp', () => {
    expect(correctClockSkew(RECEIVED, 5, undefined)).toBe(RECEIVED);
  });

  it('falls back to the arrival time when the correction leaves the range of dates', () => {
    expect(correctClockSkew(RECEIVED, -8e15, 8e15)).toBe(RECEIVED);
  });
});

describe('enrichEvent', () => {
  const event = {
    type: 'track',
    event: 'Played',
    timestamp: '2026-03-01T10:00:00+02:00',
    sentAt: '2026-03-01T08:00:01.000Z',
    context: { locale: 'en' },
  };

  it('adds receivedAt, keeps the client time as originalTimestamp, corrects timestamp', () => {
    const { event: out, timeMs } = enrichEvent(event, { receivedAtMs: RECEIVED });
    expect(timeMs).toBe(RECEIVED - 1_000);
    expect(out).toMatchObject({
      timestamp: '2026-03-01T11:59:59.000Z',
      originalTimestamp: '2026-03-01T10:00:00+02:00',
      receivedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(event.timestamp).toBe('2026-03-01T10:00:00+02:00');
  });

  it('sets timestamp to receivedAt for an event without a time, with no originalTimestamp', () => {
    const { event: out, timeMs } = enrichEvent({ type: 'page' }, { receivedAtMs: RECEIVED });
    expect(timeMs).toBe(RECEIVED);
    expect(out.timestamp).toBe('2026-03-01T12:00:00.000Z');
    expect(out).not.toHaveProperty('originalTimestamp');
  });

  it("fills context.userAgent from the header but keeps the client's own", () => {
    const filled = enrichEvent(event, { receivedAtMs: RECEIVED, userAgent: 'UA/1' }).event;
    expect(filled.context).toEqual({ locale: 'en', userAgent: 'UA/1' });
    const own = { ...event, context: { userAgent: 'Mine/2' } };
    expect(enrichEvent(own, { receivedAtMs: RECEIVED, userAgent: 'UA/1' }).event.context).toEqual({
      userAgent: 'Mine/2',
    });
    expect(
      enrichEvent({ type: 'page' }, { receivedAtMs: RECEIVED, userAgent: 'UA/1' }).event,
    ).toHaveProperty('context', { userAgent: 'UA/1' });
  });
});

describe('applyBatchDefaults', () => {
  const batch = { sentAt: '2026-03-01T10:00:00.000Z', context: { locale: 'de', ip: '1.2.3.4' } };

  it('gives events without them the batch sentAt and context', () => {
    expect(applyBatchDefaults({ type: 'page' }, batch)).toEqual({ type: 'page', ...batch });
  });

  it("keeps the event's own sentAt and context fields over the batch's", () => {
    const event = { sentAt: '2026-01-01T00:00:00Z', context: { locale: 'fr' } };
    expect(applyBatchDefaults(event, batch)).toEqual({
      sentAt: '2026-01-01T00:00:00Z',
      context: { locale: 'fr', ip: '1.2.3.4' },
    });
  });

  it('leaves a context that is not an object for validation to refuse', () => {
    expect(applyBatchDefaults({ context: 'oops' }, batch).context).toBe('oops');
  });
});
