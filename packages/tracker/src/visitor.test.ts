import { describe, expect, it } from 'vitest';
import { SESSION_TIMEOUT_MS } from './limits.js';
import { touchSession, type Visitor } from './visitor.js';

describe('touchSession', () => {
  it('starts a session, named by its start time, at the first event', () => {
    const visitor: Visitor = ['a'];
    touchSession(visitor, 1_000_000);
    expect(visitor).toEqual(['a', undefined, 1_000_000, 1_000_000]);
  });

  it('keeps the session while events come less than 30 minutes apart', () => {
    const visitor: Visitor = ['a', 'u', 1_000_000, 1_000_000];
    touchSession(visitor, 1_000_000 + SESSION_TIMEOUT_MS - 1);
    touchSession(visitor, 1_000_000 + 2 * SESSION_TIMEOUT_MS - 2);
    expect(visitor).toEqual(['a', 'u', 1_000_000, 1_000_000 + 2 * SESSION_TIMEOUT_MS - 2]);
  });

  it('starts a new session after 30 minutes without events', () => {
    const visitor: Visitor = ['a', 'u', 1_000_000, 1_000_000];
    const later = 1_000_000 + SESSION_TIMEOUT_MS;
    touchSession(visitor, later);
    expect(visitor).toEqual(['a', 'u', later, later]);
  });
});
