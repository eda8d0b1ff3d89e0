// A messageId for an event sent without one (Segment's HTTP API makes it optional). Storage
// drops repeats by messageId, so a retried request must get the same id as the first try:
// when the event carries what tells a retry from a new event (its own time and an identity),
// the id is a hash of those fields; otherwise it is random and a retry is stored twice.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

type Fields = Record<string, unknown>;

/** Prefix of derived ids, so a reader of the data can tell them from the SDKs' own. */
export const DERIVED_ID_PREFIX = 'sl-';

/**
 * `sl-` and 32 hex digits (128 bits) of SHA-256 over the source id, type, userId,
 * anonymousId, the client's time (`timestamp` or `originalTimestamp`), event, name, category,
 * groupId, previousId, properties and traits, in that order (`properties` and `traits` as
 * JSON, in the order sent). Undefined when the event has no time of its own or no identity:
 * then nothing tells its retry from a second event.
 *
 * Limits: two real events equal in all those fields and in the same millisecond are stored
 * once; a retry that changes any of them (a client that rebuilds its body with keys in another
 * order, or a fresh timestamp) is stored twice.
 */
export function deriveMessageId(event: Fields, sourceId: string): string | undefined {
  const time = event.timestamp ?? event.originalTimestamp;
  if (typeof time !== 'string') return undefined;
  if (event.userId == null && event.anonymousId == null) return undefined;
  const key = JSON.stringify([
    sourceId,
    event.type ?? null,
    event.userId ?? null,
    event.anonymousId ?? null,
    time,
    event.event ?? null,
    event.name ?? null,
    event.category ?? null,
    event.groupId ?? null,
    event.previousId ?? null,
    event.properties ?? null,
    event.traits ?? null,
  ]);
  return DERIVED_ID_PREFIX + bytesToHex(sha256(utf8ToBytes(key))).slice(0, 32);
}
