// Bounds on an event's time, so one broken clock cannot write into a folder years away.
// Applied by the collector, which has `receivedAt` in hand when it computes the corrected
// time; the forwarder partitions by the queue header's `time` without parsing bodies.

const HOUR_MS = 3_600_000;

/**
 * How far after `receivedAt` an event's (skew-corrected) time may lie: 1 hour. Only a client
 * that sends no `sentAt` and whose clock runs ahead gets there; a wrong time zone stays within it.
 */
export const MAX_EVENT_TIME_AHEAD_MS = HOUR_MS;

/**
 * How far before `receivedAt` an event's time may lie: 30 days. Offline apps deliver days late
 * and those events must land in their own hour; beyond a month the time is more likely broken.
 */
export const MAX_EVENT_TIME_BEHIND_MS = 30 * 24 * HOUR_MS;

/**
 * The stored event's field that says its `timestamp` was replaced by `receivedAt`: `"future"` or
 * `"past"` or `"invalid"` (`originalTimestamp` keeps the client's value). Absent when the time was kept.
 */
export const TIMESTAMP_CLAMPED_FIELD = 'timestampClamped';

/** Why a time was replaced: too far ahead, too far behind, or not a number at all. */
export type ClampReason = 'future' | 'past' | 'invalid';

export interface ClampedTime {
  /** The time to partition by and to store as `timestamp`, ms since the epoch. */
  timeMs: number;
  /** Why the time was replaced by `receivedAt`; undefined when it was kept. */
  clamped?: ClampReason;
}

/**
 * Keeps `timeMs` when it lies within [receivedAt − 30 days, receivedAt + 1 hour]; otherwise (or
 * when it is not a finite number) returns `receivedAtMs` with the reason, to store in the event
 * as `timestampClamped`. With `keepPast` (a historical import), any time since the Unix epoch
 * up to that hour ahead is kept: the data is old on purpose and must land in its own folder.
 */
export function clampEventTime(
  timeMs: number,
  receivedAtMs: number,
  options: { keepPast?: boolean } = {},
): ClampedTime {
  if (Number.isNaN(timeMs)) return { timeMs: receivedAtMs, clamped: 'invalid' };
  if (timeMs > receivedAtMs + MAX_EVENT_TIME_AHEAD_MS) {
    return { timeMs: receivedAtMs, clamped: 'future' };
  }
  const earliest = options.keepPast ? 0 : receivedAtMs - MAX_EVENT_TIME_BEHIND_MS;
  if (timeMs < earliest) {
    return { timeMs: receivedAtMs, clamped: 'past' };
  }
  return { timeMs };
}

// Date's range is ±8.64e15 ms; outside it toISOString throws.
const MAX_TIME_MS = 8.64e15;

/**
 * The event time corrected for the client's clock skew, in ms: `receivedAt − (sentAt −
 * timestamp)` when both client times are known, else the client's timestamp, else receivedAt.
 * The client's clock may be wrong, but the gap between creating and sending an event is not.
 */
export function correctClockSkew(
  receivedAtMs: number,
  sentAtMs: number | undefined,
  timestampMs: number | undefined,
): number {
  if (timestampMs === undefined) return receivedAtMs;
  if (sentAtMs === undefined) return timestampMs;
  const corrected = receivedAtMs - (sentAtMs - timestampMs);
  return Math.abs(corrected) <= MAX_TIME_MS ? corrected : receivedAtMs;
}
