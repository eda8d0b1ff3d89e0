// Server-side additions to a valid event. Pure functions: the clock and the request's
// headers come in as arguments.

type EventObject = Record<string, unknown>;

// Date's range is ±8.64e15 ms; outside it toISOString throws.
const MAX_TIME_MS = 8.64e15;

function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

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

/** What the server knows about the request an event came in. */
export interface ReceiveInfo {
  /** Server clock when the request arrived, ms since the epoch. */
  receivedAtMs: number;
  /** The request's User-Agent header, if any. */
  userAgent?: string;
}

/** A valid event with server fields added, and its corrected time for the queue header. */
export interface EnrichedEvent {
  event: EventObject;
  timeMs: number;
}

/**
 * Adds `receivedAt`, keeps the client's time as `originalTimestamp`, puts the skew-corrected
 * time in `timestamp`, and fills `context.userAgent` from the header when the event has none.
 * Returns a new object; the input is not changed.
 */
export function enrichEvent(event: EventObject, info: ReceiveInfo): EnrichedEvent {
  const clientTime = event.timestamp ?? event.originalTimestamp;
  const timeMs = correctClockSkew(
    info.receivedAtMs,
    parseTime(event.sentAt),
    parseTime(clientTime),
  );
  const enriched: EventObject = {
    ...event,
    timestamp: new Date(timeMs).toISOString(),
    receivedAt: new Date(info.receivedAtMs).toISOString(),
  };
  if (clientTime !== undefined) enriched.originalTimestamp = clientTime;
  const context = (event.context ?? {}) as EventObject;
  if (info.userAgent && context.userAgent === undefined) {
    enriched.context = { ...context, userAgent: info.userAgent };
  }
  return { event: enriched, timeMs };
}

/**
 * Fills what an event lacks from its batch: `sentAt`, and `context` fields (the event's own
 * fields win). An event `context` that is not an object is left for validation to refuse.
 */
export function applyBatchDefaults(
  event: EventObject,
  batch: { sentAt?: string; context?: EventObject },
): EventObject {
  const merged: EventObject = { ...event };
  if (merged.sentAt === undefined && batch.sentAt !== undefined) merged.sentAt = batch.sentAt;
  if (batch.context !== undefined) {
    if (merged.context === undefined) merged.context = batch.context;
    else if (isPlainObject(merged.context))
      merged.context = { ...batch.context, ...merged.context };
  }
  return merged;
}

function isPlainObject(value: unknown): value is EventObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
