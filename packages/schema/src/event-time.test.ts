import { describe, expect, it } from 'vitest';
import {
  clampEventTime,
  correctClockSkew,
  MAX_EVENT_TIME_AHEAD_MS,
  MAX_EVENT_TIME_BEHIND_MS,
} from './event-time.js';

const RECEIVED = Date.UTC(2026, 10, 24, 10, 30);

describe('clampEventTime', () => {
  it('keeps a time in the accepted range, its edges included', () => {
    for (const time of [
      RECEIVED,
      RECEIVED - 5 * 24 * 3_600_000,
      RECEIVED + MAX_EVENT_TIME_AHEAD_MS,
      RECEIVED - MAX_EVENT_TIME_BEHIND_MS,
    ]) {
      expect(clampEventTime(time, RECEIVED)).toEqual({ timeMs: time });
    }
  });

  it('replaces a time far in the future by receivedAt and says so', () => {
    expect(clampEventTime(RECEIVED + MAX_EVENT_TIME_AHEAD_MS + 1, RECEIVED)).toEqual({
      timeMs: RECEIVED,
      clamped: 'future',
    });
    expect(clampEventTime(Date.UTC(2099, 0, 1), RECEIVED).clamped).toBe('future');
  });

  it('replaces a time far in the past (a clock reset to 1970) by receivedAt and says so', () => {
    expect(clampEventTime(RECEIVED - MAX_EVENT_TIME_BEHIND_MS - 1, RECEIVED)).toEqual({
      timeMs: RECEIVED,
      clamped: 'past',
    });
    expect(clampEventTime(0, RECEIVED)).toEqual({ timeMs: RECEIVED, clamped: 'past' });
  });

  it('never lets a non-number through', () => {
    expect(clampEventTime(Number.NaN, RECEIVED)).toEqual({ timeMs: RECEIVED, clamped: 'invalid' });
    expect(clampEventTime(Number.POSITIVE_INFINITY, RECEIVED).timeMs).toBe(RECEIVED);
    expect(clampEventTime(Number.NEGATIVE_INFINITY, RECEIVED).timeMs).toBe(RECEIVED);
  });
});

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
