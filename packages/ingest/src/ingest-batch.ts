import type { QueueMessage } from '@sluice/queue';
import { type BatchRequest, type FieldIssue, MAX_EVENT_BYTES } from '@sluice/schema';
import {
  applyBatchDefaults,
  enrichOwnEvent,
  type ReceiveInfo,
  scrubForQuarantine,
} from './enrich.js';
import { deriveMessageId } from './message-id.js';
import { normalizeSpecFields } from './normalize-event.js';
import type { CompiledPlan } from './plan/compile-plan.js';
import { PLAN_VIOLATIONS_FIELD } from './plan/plan-schema.js';
import { quarantineRecord } from './quarantine.js';
import { Utf8Lines } from './utf8.js';
import { eventSizeIssue, usableMessageId, validateEvent } from './validate-event.js';

/** One event that was not accepted as valid (it went to quarantine instead). */
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
  /** The plan label (see PlanViolation) of each event that broke its plan, quarantined or flagged. */
  planViolations: string[];
  /**
   * The visit and number of each stored event that has them (the delivery ledger's
   * `context.sessionId` and `context.eventIndex`): `anonymousId` NUL session, and the number.
   */
  sequence: Array<[visit: string, index: number]>;
}

/**
 * `event_too_large`, `plan_violation`, or `invalid_<field>` naming the first field that
 * failed validation.
 */
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
  /**
   * Issues a protocol adapter already found, by index: those events go to quarantine with
   * them (Snowplow's, whose base64 or JSON parameters do not decode).
   */
  presetIssues?: ReadonlyMap<number, FieldIssue[]>;
  /** The source's tracking plan: valid events are judged by it too (none: all kept as they are). */
  plan?: CompiledPlan;
}

/**
 * Brings an event that failed validation to the spec's one stored form where the spec allows
 * another (numeric ids, other ISO-8601 forms) and gives it a messageId when it has none:
 * derived from its fields when they tell a retry apart, else random. Returns whether it
 * changed anything, so only then is it validated again.
 */
function repairEvent(event: Record<string, unknown>, ctx: IngestContext): boolean {
  let changed = normalizeSpecFields(event);
  if (event.messageId == null) {
    event.messageId = deriveMessageId(event, ctx.sourceId) ?? ctx.newId();
    changed = true;
  }
  return changed;
}

const NO_BYTES = new Uint8Array(0);
// Shared by every call: ingestBatch runs start to end without yielding.
const lines = new Utf8Lines();
const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** Keeps a violating event with its issues, when the plan says `flag`. */
function flagViolations(event: Record<string, unknown>, issues: FieldIssue[]): void {
  const context = event.context;
  event.context = {
    ...(typeof context === 'object' && context !== null ? context : {}),
    [PLAN_VIOLATIONS_FIELD]: issues,
  };
}

function reasonOf(errors: FieldIssue[], tooLarge: boolean, planned: boolean): QuarantineReason {
  if (tooLarge) return 'event_too_large';
  // Plan paths name the client's own properties: never a label.
  if (planned) return 'plan_violation';
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
  // Bodies are filled in at the end, from one buffer holding every line (see utf8.ts).
  const messages: QueueMessage[] = [];
  const rejected: RejectedEvent[] = [];
  const reasons: QuarantineReason[] = [];
  const planViolations: string[] = [];
  const sequence: Array<[string, number]> = [];
  const plan = ctx.plan;
  const maxEventBytes = ctx.maxEventBytes ?? MAX_EVENT_BYTES;
  const origin = { receivedAtMs: ctx.receivedAtMs };
  lines.reset();
  batch.batch.forEach((raw, index) => {
    const event = applyBatchDefaults(raw, batch);
    let errors: FieldIssue[] | undefined;
    let tooLarge = false;
    let planned = false;
    const typeAllowed = ctx.requiredType === undefined || event.type === ctx.requiredType;
    const preset = ctx.presetIssues?.get(index);
    if (preset !== undefined) {
      errors = preset;
    } else if (!typeAllowed) {
      errors = [{ path: 'type', message: `type must be "${ctx.requiredType}" on this endpoint` }];
    } else {
      errors = validateEvent(event);
      // The common event is valid as sent; only a refused one is worth the repair.
      if (errors !== undefined && repairEvent(event, ctx)) errors = validateEvent(event);
    }
    if (errors === undefined) {
      // `event` is applyBatchDefaults's copy: enriched where it lies.
      const enriched = enrichOwnEvent(event, ctx);
      // Judged once enriched, so a plan may require what the collector adds (`context.userAgent`).
      const violation = plan?.check(enriched.event);
      if (violation) planViolations.push(violation.label);
      if (violation && plan?.onViolation !== 'flag') {
        errors = violation.issues;
        planned = true;
      } else {
        if (violation) flagViolations(enriched.event, violation.issues);
        const bytes = lines.add(JSON.stringify(enriched.event));
        // The limit is on the event as the client sent it; our additions may push the stored
        // line a little over, so only then is the client's own size measured.
        const sentBytes = bytes > maxEventBytes ? utf8Length(JSON.stringify(raw)) : 0;
        if (sentBytes <= maxEventBytes) {
          const numbered = visitNumber(enriched.event);
          if (numbered) sequence.push(numbered);
          messages.push({
            // Validated: a non-empty string.
            id: event.messageId as string,
            source: ctx.sourceId,
            time: enriched.timeMs,
            kind: 'event',
            body: NO_BYTES,
          });
          return;
        }
        lines.dropLast();
        errors = [eventSizeIssue(sentBytes, maxEventBytes)];
        tooLarge = true;
      }
    }
    const messageId = usableMessageId(raw);
    const record = quarantineRecord(errors, scrubForQuarantine(raw, ctx.options), origin);
    lines.add(JSON.stringify(record));
    messages.push({
      // A derived id (see repairEvent) quarantines a retried invalid event once, too.
      id: messageId ?? usableMessageId(event) ?? ctx.newId(),
      source: ctx.sourceId,
      time: ctx.receivedAtMs,
      kind: 'quarantine',
      body: NO_BYTES,
    });
    rejected.push(messageId === undefined ? { index, errors } : { index, messageId, errors });
    reasons.push(reasonOf(errors, tooLarge, planned));
  });
  const bodies = lines.take();
  for (let i = 0; i < messages.length; i++) (messages[i] as QueueMessage).body = bodies[i]!;
  const accepted = messages.length - rejected.length;
  return { messages, accepted, rejected, reasons, planViolations, sequence };
}

/** The event's visit (Snowplow's in `context.snowplow.sid`) and its number, when it has both. */
function visitNumber(event: Record<string, unknown>): [string, number] | undefined {
  const context = event.context as
    | { sessionId?: unknown; eventIndex?: unknown; snowplow?: { sid?: unknown } }
    | undefined;
  const index = context?.eventIndex;
  const session = context?.sessionId ?? context?.snowplow?.sid;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 1) return undefined;
  if (session === undefined || session === null || typeof event.anonymousId !== 'string') {
    return undefined;
  }
  return [`${event.anonymousId}\u0000${session}`, index];
}
