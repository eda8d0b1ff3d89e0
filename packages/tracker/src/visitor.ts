import { SESSION_TIMEOUT_MS } from './limits.js';

/**
 * What the tag remembers of the visitor, kept under one key: anonymousId, userId, session id
 * (the session's start time in ms, as Amplitude's), time of the last event (ms).
 */
export type Visitor = [
  anonymousId: string,
  userId?: string | null,
  session?: number,
  last?: number,
];

/**
 * Marks an event at `now`: the visitor's session goes on, unless SESSION_TIMEOUT_MS passed
 * since the last event (or there was none); then a new one starts.
 */
export const touchSession = (visitor: Visitor, now = Date.now()): void => {
  if (!(now - visitor[3]! < SESSION_TIMEOUT_MS)) visitor[2] = now;
  visitor[3] = now;
};
