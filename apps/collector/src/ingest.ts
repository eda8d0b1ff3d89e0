import type { QueueMessage } from '@sluice/queue';
import {
  type BatchRequest,
  describeIssues,
  eventSchema,
  type FieldIssue,
  MAX_EVENT_BYTES,
  MAX_ID_LENGTH,
} from '@sluice/schema';
import { applyBatchDefaults, enrichEvent, type ReceiveInfo } from './enrich.js';

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
}

export interface IngestContext extends ReceiveInfo {
  /** The authenticated source's id. */
  sourceId: string;
  /** Makes an id for a quarantined event that has no usable messageId. */
  newId: () => string;
}

const encoder = new TextEncoder();

function usableMessageId(event: Record<string, unknown>): string | undefined {
  const id = event.messageId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
}

function sizeIssue(bytes: number): FieldIssue {
  return { path: '', message: `event is ${bytes} bytes; at most ${MAX_EVENT_BYTES} are allowed` };
}

/**
 * Turns a batch into queue messages: valid events (enriched, serialized once) of kind
 * 'event'; invalid or oversized ones of kind 'quarantine' with their reasons, so nothing is
 * dropped silently.
 */
export function ingestBatch(batch: BatchRequest, ctx: IngestContext): IngestResult {
  const messages: QueueMessage[] = [];
  const rejected: RejectedEvent[] = [];
  const receivedAt = new Date(ctx.receivedAtMs).toISOString();
  batch.batch.forEach((raw, index) => {
    const event = applyBatchDefaults(raw, batch);
    let errors: FieldIssue[] | undefined;
    const parsed = eventSchema.safeParse(event);
    if (parsed.success) {
      const enriched = enrichEvent(event, ctx);
      const body = encoder.encode(JSON.stringify(enriched.event));
      // The limit is on the event as the client sent it; our additions may push the stored
      // line a little over, so only then is the client's own size measured.
      const sentBytes =
        body.length > MAX_EVENT_BYTES ? encoder.encode(JSON.stringify(raw)).length : 0;
      if (sentBytes <= MAX_EVENT_BYTES) {
        messages.push({
          id: parsed.data.messageId,
          source: ctx.sourceId,
          time: enriched.timeMs,
          kind: 'event',
          body,
        });
        return;
      }
      errors = [sizeIssue(sentBytes)];
    } else {
      errors = describeIssues(parsed.error);
    }
    const messageId = usableMessageId(raw);
    const quarantine = { reason: errors, event: raw, receivedAt };
    messages.push({
      id: messageId ?? ctx.newId(),
      source: ctx.sourceId,
      time: ctx.receivedAtMs,
      kind: 'quarantine',
      body: encoder.encode(JSON.stringify(quarantine)),
    });
    rejected.push(messageId === undefined ? { index, errors } : { index, messageId, errors });
  });
  return { messages, accepted: messages.length - rejected.length, rejected };
}
