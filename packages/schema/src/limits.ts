// Limits and defaults shared by the tag, the collector and the forwarder.
// This module imports nothing, so the tag can take constants from it for free.

/** Largest single event, serialized, as in Segment's HTTP API (32 KB). */
export const MAX_EVENT_BYTES = 32 * 1024;

/** Largest request body, as in Segment's HTTP API (500 KB). */
export const MAX_REQUEST_BYTES = 500 * 1024;

/** Largest body the tag sends in one request: the browser's keepalive/beacon quota (64 KB). */
export const MAX_BEACON_BYTES = 64 * 1024;

/**
 * Deepest nesting of arrays and objects in a request body, the body itself being level 1 (an
 * event's `properties` start at level 4). Deeper bodies are refused before parsing: code that
 * recurses per level (JSON.stringify, validators, readers of the stored files) would overflow.
 */
export const MAX_JSON_DEPTH = 64;

/** Most events in one batch request. */
export const MAX_BATCH_EVENTS = 2_500;

/**
 * Most rejected events an answer lists (it also gives their count): a batch of 2,500 invalid
 * events would otherwise be answered with several times its own size.
 */
export const MAX_REJECTED_LISTED = 20;

/** Longest messageId, userId, anonymousId, groupId or previousId. */
export const MAX_ID_LENGTH = 255;

/** Longest event or page name. */
export const MAX_NAME_LENGTH = 512;

/**
 * A source id: a slug, since it is also a folder name (`events/source=<id>/`). The collector's
 * config, the import command and the MQTT bridge all file events under such ids.
 */
export const SOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
