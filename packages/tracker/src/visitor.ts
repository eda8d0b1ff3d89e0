import { SESSION_TIMEOUT_MS } from './limits.js';

/**
 * What the tag remembers of the visitor, kept under one key: anonymousId, userId, session id
 * (the session's start time in ms, as Amplitude's), time of the last event (ms), and the number
 * of the session's last event (the delivery ledger's `eventIndex`). Tabs share it: each event
 * reads and writes it back, so the numbers of one session run across all its tabs.
 */
export type Visitor = [
  anonymousId: string,
  userId?: string | null,
  session?: number,
  last?: number,
  index?: number,
];

/**
 * Marks an event at `now`: the visitor's session goes on, unless SESSION_TIMEOUT_MS passed
 * since the last event (or there was none); then a new one starts. The event gets the next
 * number of its session, from 1. (A visitor an older tag stored mid-session has no number:
 * its next event gets NaN, sent as null, and the one after 1, as null + 1 is 1.)
 */
export const touchSession = (visitor: Visitor, now = Date.now()): void => {
  if (now - visitor[3]! < SESSION_TIMEOUT_MS) visitor[4]!++;
  else {
    visitor[2] = now;
    visitor[4] = 1;
  }
  visitor[3] = now;
};
