import { describe, expect, it } from 'vitest';
import { SESSION_TIMEOUT_MS } from './limits.js';
import { touchSession, type Visitor } from './visitor.js';

describe('touchSession', () => {
  it('starts a session, named by its start time, at the first event', () => {
    const visitor: Visitor = ['a'];
    touchSession(visitor, 1_000_000);
    expect(visitor).toEqual(['a', undefined, 1_000_000, 1_000_000, 1]);
  });

  it('numbers the events of a session, and starts again at 1 with the next session', () => {
    const visitor: Visitor = ['a'];
    touchSession(visitor, 1_000_000);
    touchSession(visitor, 1_000_000); // two events in one millisecond: two numbers
    touchSession(visitor, 1_000_001);
    expect(visitor[4]).toBe(3);
    touchSession(visitor, 1_000_001 + SESSION_TIMEOUT_MS);
    expect(visitor[4]).toBe(1);
  });

  it('gives a visitor an older tag stored mid-session null once (NaN in JSON), then 1', () => {
    const visitor: Visitor = JSON.parse(JSON.stringify(['a', 'u', 1_000_000, 1_000_000]));
    touchSession(visitor, 1_000_001);
    const stored: Visitor = JSON.parse(JSON.stringify(visitor));
    expect(stored[4]).toBeNull();
    touchSession(stored, 1_000_002);
    expect(stored[4]).toBe(1);
  });

  it('keeps the session while events come less than 30 minutes apart', () => {
    const visitor: Visitor = ['a', 'u', 1_000_000, 1_000_000, 1];
    touchSession(visitor, 1_000_000 + SESSION_TIMEOUT_MS - 1);
    touchSession(visitor, 1_000_000 + 2 * SESSION_TIMEOUT_MS - 2);
    expect(visitor).toEqual(['a', 'u', 1_000_000, 1_000_000 + 2 * SESSION_TIMEOUT_MS - 2, 3]);
  });

  it('starts a new session after 30 minutes without events', () => {
    const visitor: Visitor = ['a', 'u', 1_000_000, 1_000_000, 7];
    const later = 1_000_000 + SESSION_TIMEOUT_MS;
    touchSession(visitor, later);
    expect(visitor).toEqual(['a', 'u', later, later, 1]);
  });
});
