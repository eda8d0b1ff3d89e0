// Segment's HTTP Tracking API, the first protocol: a `/v1/batch` body or a single-event body
// (`/v1/track`, ...) onto the batch that `ingestBatch` turns into stored events. Another
// protocol (RudderStack, Snowplow) is one more file like this one.
import {
  type BatchRequest,
  batchRequestSchema,
  describeIssues,
  type EventType,
  type FieldIssue,
  isSurelyValidBatch,
} from '@sluice/schema';
import { copyFields } from '../copy-fields.js';
import { normalizeIsoTime } from '../normalize-event.js';

/** A batch to ingest, or why the body as a whole is refused (bad events do not refuse it). */
export type SegmentBatch = { ok: true; batch: BatchRequest } | { ok: false; issues: FieldIssue[] };

/** A `/v1/batch` body: `{ batch: [...], sentAt?, context? }`. */
export function segmentBatch(body: Record<string, unknown>): SegmentBatch {
  // The common case: valid as parsed, used as it is (event objects are copied before they are
  // changed, without a `__proto__` key, as the schema's own parse would leave it out).
  if (isSurelyValidBatch(body)) return { ok: true, batch: body as BatchRequest };
  const parsed = batchRequestSchema.safeParse(withCanonicalSentAt(body));
  if (parsed.success) return { ok: true, batch: parsed.data };
  return { ok: false, issues: describeIssues(parsed.error) };
}

/** A single-event body as a batch of one; its type comes from the route when it has none. */
export function segmentSingleEvent(body: Record<string, unknown>, type: EventType): BatchRequest {
  // The write key authenticates the request; it is not part of the event.
  const event = copyFields(body, {}, 'writeKey');
  if (event.type === undefined) event.type = type;
  return { batch: [event] };
}

/** The body with a batch `sentAt` in another accepted ISO-8601 form made canonical. */
function withCanonicalSentAt(body: Record<string, unknown>): Record<string, unknown> {
  if (typeof body.sentAt !== 'string') return body;
  const sentAt = normalizeIsoTime(body.sentAt);
  return sentAt === undefined || sentAt === body.sentAt ? body : { ...body, sentAt };
}
