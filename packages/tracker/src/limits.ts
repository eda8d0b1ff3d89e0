// The tag's own limits and defaults (those shared with the collector are in @sluice/schema).

/** A visit ends after this long without an event (as in GA and Segment's Amplitude plugin). */
export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Most unsent events kept in localStorage (the oldest go first). localStorage has about 5 MB
 * per site, shared with the site's own data; a thousand typical events are well under 1 MB.
 */
export const MAX_QUEUED_EVENTS = 1000;

/** Backoff unit: the n-th retry waits up to 2^n of these (full jitter), n at most 8 (~4 min). */
export const RETRY_BASE_MS = 1000;
export const MAX_RETRY_DOUBLINGS = 8;
