import type { QueueMessage } from '@sluice/queue';
import {
  type BatchRequest,
  describeIssues,
  eventSchema,
  type FieldIssue,
  MAX_EVENT_BYTES,
  MAX_ID_LENGTH,
} from '@sluice/schema';
import { applyBatchDefaults, enrichEvent, type ReceiveInfo, scrubForQuarantine } from './enrich.js';

/** One event the collector did not accept as valid (it went to quarantine instead). */
export interface RejectedEvent {
  index: number;
  messageId?: string;
  errors: FieldIssue[];
}

/** The messages to append for one batch, and the answer's summary. */
export interface IngestResult {
  messages: QueueMessage[];
  accepted: number;
  rejected: RejectedEvent[];
  /** Why each rejected event went to quarantine, as a short metric label (same order). */
  reasons: QuarantineReason[];
}

/** `event_too_large`, or `invalid_<field>` naming the first field that failed validation. */
export type QuarantineReason = string;

export interface IngestContext extends ReceiveInfo {
  /** The authenticated source's id. */
  sourceId: string;
  /** Makes an id for a quarantined event that has no usable messageId. */
  newId: () => string;
  /** Largest event as sent, in bytes (default MAX_EVENT_BYTES). */
  maxEventBytes?: number;
  /** The type every event must have (the single-event routes: `/v1/track` takes tracks). */
  requiredType?: string;
}

const encoder = new TextEncoder();

function usableMessageId(event: Record<string, unknown>): string | undefined {
  const id = event.messageId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
}

function sizeIssue(bytes: number, max: number): FieldIssue {
  return { path: '', message: `event is ${bytes} bytes; at most ${max} are allowed` };
}

function reasonOf(errors: FieldIssue[], tooLarge: boolean): QuarantineReason {
  if (tooLarge) return 'event_too_large';
  // The first path segment is a field of the event schema: a small, fixed set of labels.
  const field = errors[0]?.path.split('.')[0];
  return field ? `invalid_${field}` : 'invalid_event';
}

/**
 * Turns a batch into queue messages: valid events (enriched, serialized once) of kind
 * 'event'; invalid or oversized ones of kind 'quarantine' with their reasons, so nothing is
 * dropped silently.
 */
export function ingestBatch(batch: BatchRequest, ctx: IngestContext): IngestResult {
  const messages: QueueMessage[] = [];
  const rejected: RejectedEvent[] = [];
  const reasons: QuarantineReason[] = [];
  const maxEventBytes = ctx.maxEventBytes ?? MAX_EVENT_BYTES;
  const receivedAt = new Date(ctx.receivedAtMs).toISOString();
  batch.batch.forEach((raw, index) => {
    const event = applyBatchDefaults(raw, batch);
    let errors: FieldIssue[];
    let tooLarge = false;
    const parsed =
      ctx.requiredType === undefined || event.type === ctx.requiredType
        ? eventSchema.safeParse(event)
        : undefined;
    if (parsed?.success) {
      const enriched = enrichEvent(event, ctx);
      const body = encoder.encode(JSON.stringify(enriched.event));
      // The limit is on the event as the client sent it; our additions may push the stored
      // line a little over, so only then is the client's own size measured.
      const sentBytes =
        body.length > maxEventBytes ? encoder.encode(JSON.stringify(raw)).length : 0;
      if (sentBytes <= maxEventBytes) {
        messages.push({
          id: parsed.data.messageId,
          source: ctx.sourceId,
          time: enriched.timeMs,
          kind: 'event',
          body,
        });
        return;
      }
      errors = [sizeIssue(sentBytes, maxEventBytes)];
      tooLarge = true;
    } else if (parsed) {
      errors = describeIssues(parsed.error);
    } else {
      errors = [{ path: 'type', message: `type must be "${ctx.requiredType}" on this endpoint` }];
    }
    const messageId = usableMessageId(raw);
    const quarantine = { reason: errors, event: scrubForQuarantine(raw, ctx.options), receivedAt };
    messages.push({
      id: messageId ?? ctx.newId(),
      source: ctx.sourceId,
      time: ctx.receivedAtMs,
      kind: 'quarantine',
      body: encoder.encode(JSON.stringify(quarantine)),
    });
    rejected.push(messageId === undefined ? { index, errors } : { index, messageId, errors });
    reasons.push(reasonOf(errors, tooLarge));
  });
  return { messages, accepted: messages.length - rejected.length, rejected, reasons };
}
