import { describe, expect, it } from 'vitest';
import { applyBatchDefaults, enrichEvent, scrubForQuarantine } from './enrich.js';

const RECEIVED = Date.parse('2026-03-01T12:00:00.000Z');
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
const ALL_ON = {
  receivedAt: true,
  correctClockSkew: true,
  ip: 'anonymize' as const,
  parseUserAgent: true,
  detectBots: true,
};

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

  it('puts an event from a clock far off at receivedAt, saying so, the client time kept', () => {
    // No sentAt to correct with, and a clock 5 years ahead.
    const { event: out, timeMs } = enrichEvent(
      { type: 'page', timestamp: '2031-03-01T12:00:00.000Z' },
      { receivedAtMs: RECEIVED },
    );
    expect(timeMs).toBe(RECEIVED);
    expect(out).toMatchObject({
      timestamp: '2026-03-01T12:00:00.000Z',
      originalTimestamp: '2031-03-01T12:00:00.000Z',
      timestampClamped: 'future',
    });
    const normal = enrichEvent(event, { receivedAtMs: RECEIVED }).event;
    expect(normal).not.toHaveProperty('timestampClamped');
  });

  it('sets timestamp to receivedAt for an event without a time, with no originalTimestamp', () => {
    const { event: out, timeMs } = enrichEvent({ type: 'page' }, { receivedAtMs: RECEIVED });
    expect(timeMs).toBe(RECEIVED);
    expect(out.timestamp).toBe('2026-03-01T12:00:00.000Z');
    expect(out).not.toHaveProperty('originalTimestamp');
  });

  it('uses each event own sentAt and each request own receivedAt (the last ones are remembered)', () => {
    const at = (sentAt: string, receivedAtMs: number) =>
      enrichEvent(
        { type: 'page', timestamp: '2026-03-01T10:00:00.000Z', sentAt },
        { receivedAtMs },
      );
    for (let round = 0; round < 2; round++) {
      expect(at('2026-03-01T10:00:10.000Z', RECEIVED).timeMs).toBe(RECEIVED - 10_000);
      expect(at('2026-03-01T10:00:10.000Z', RECEIVED).timeMs).toBe(RECEIVED - 10_000);
      expect(at('2026-03-01T10:00:20.000Z', RECEIVED).timeMs).toBe(RECEIVED - 20_000);
      const later = at('2026-03-01T10:00:20.000Z', RECEIVED + 1_000).event;
      expect(later.receivedAt).toBe('2026-03-01T12:00:01.000Z');
      expect(at('2026-03-01T10:00:20.000Z', RECEIVED).event.receivedAt).toBe(
        '2026-03-01T12:00:00.000Z',
      );
    }
  });

  it('keeps the order of the event and context fields, and a kept context ip in its place', () => {
    const sent = {
      type: 'track',
      timestamp: '2026-03-01T11:59:00.000Z',
      context: { ip: '203.0.113.99', locale: 'en' },
      event: 'E',
    };
    const { event: out } = enrichEvent(sent, { receivedAtMs: RECEIVED, options: ALL_ON });
    expect(Object.keys(out)).toEqual([
      'type',
      'timestamp',
      'context',
      'event',
      'receivedAt',
      'originalTimestamp',
    ]);
    expect(Object.keys(out.context as object)).toEqual(['ip', 'locale']);
  });

  const uaOnly = { ...ALL_ON, parseUserAgent: false, detectBots: false };

  it("fills context.userAgent from the header but keeps the client's own", () => {
    const info = { receivedAtMs: RECEIVED, userAgent: 'UA/1', options: uaOnly };
    expect(enrichEvent(event, info).event.context).toEqual({ locale: 'en', userAgent: 'UA/1' });
    const own = { ...event, context: { userAgent: 'Mine/2' } };
    expect(enrichEvent(own, info).event.context).toEqual({ userAgent: 'Mine/2' });
    expect(enrichEvent({ type: 'page' }, info).event).toHaveProperty('context', {
      userAgent: 'UA/1',
    });
  });

  it('adds browser, os, device and the bot flag from the user agent', () => {
    const out = enrichEvent(event, { receivedAtMs: RECEIVED, userAgent: IPHONE }).event;
    expect(out.context).toEqual({
      locale: 'en',
      userAgent: IPHONE,
      browser: { name: 'Mobile Safari', version: '17.2' },
      os: { name: 'iOS', version: '17.2' },
      device: { type: 'mobile', manufacturer: 'Apple', model: 'iPhone' },
      bot: false,
    });
    const bot = enrichEvent(
      { type: 'page', context: { userAgent: 'Googlebot/2.1' } },
      {
        receivedAtMs: RECEIVED,
      },
    ).event;
    expect(bot.context).toMatchObject({ bot: true });
  });

  it('keeps the device and os a mobile SDK sent over what the user agent says', () => {
    const mobile = { type: 'screen', context: { userAgent: IPHONE, os: { name: 'iPadOS' } } };
    const out = enrichEvent(mobile, { receivedAtMs: RECEIVED }).event.context as Record<
      string,
      unknown
    >;
    expect(out.os).toEqual({ name: 'iPadOS' });
    expect(out.browser).toEqual({ name: 'Mobile Safari', version: '17.2' });
  });

  it('stores the anonymized request IP, and anonymizes an IP the client sent', () => {
    const info = { receivedAtMs: RECEIVED, ip: '198.51.100.0' };
    expect(enrichEvent({ type: 'page' }, info).event.context).toEqual({ ip: '198.51.100.0' });
    const sent = { type: 'page', context: { ip: '203.0.113.99' } };
    expect(enrichEvent(sent, info).event.context).toEqual({ ip: '203.0.113.0' });
    const junk = { type: 'page', context: { ip: 'not an ip' } };
    expect(enrichEvent(junk, info).event.context).toEqual({});
  });

  it("stores the request's transport as context.transport, over what the client says", () => {
    const claimed = { ...event, context: { locale: 'en', transport: 'fetch' } };
    const { event: out } = enrichEvent(claimed, { receivedAtMs: RECEIVED, transport: 'beacon' });
    expect(out.context).toEqual({ locale: 'en', transport: 'beacon' });
    expect(enrichEvent(event, { receivedAtMs: RECEIVED }).event.context).toEqual({ locale: 'en' });
  });

  it('switches each addition off per source', () => {
    const off = {
      receivedAt: false,
      correctClockSkew: false,
      ip: 'drop' as const,
      parseUserAgent: false,
      detectBots: false,
    };
    const sent = { ...event, context: { locale: 'en', ip: '203.0.113.99' } };
    const { event: out, timeMs } = enrichEvent(sent, {
      receivedAtMs: RECEIVED,
      userAgent: IPHONE,
      ip: '198.51.100.0',
      options: off,
    });
    // The client's time is kept as it is (no skew correction): 10:00+02:00 is 08:00Z.
    expect(timeMs).toBe(Date.parse('2026-03-01T08:00:00.000Z'));
    expect(out).not.toHaveProperty('receivedAt');
    expect(out.context).toEqual({ locale: 'en', userAgent: IPHONE });
  });
});

describe('scrubForQuarantine', () => {
  it('anonymizes (or drops) a raw IP in an event kept as sent', () => {
    const raw = { type: 'bogus', context: { ip: '203.0.113.99', locale: 'en' } };
    expect(scrubForQuarantine(raw)).toEqual({
      type: 'bogus',
      context: { ip: '203.0.113.0', locale: 'en' },
    });
    expect(scrubForQuarantine(raw, { ...ALL_ON, ip: 'drop' }).context).toEqual({ locale: 'en' });
    expect(raw.context.ip).toBe('203.0.113.99');
    const plain = { type: 'bogus' };
    expect(scrubForQuarantine(plain)).toBe(plain);
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
