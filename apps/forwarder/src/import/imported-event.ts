// Turns one historical record into the queue message the collector would have made of it:
// the same validation, size limit and quarantine record instead of a drop (@sluice/ingest). Unlike a request, an old record has no arrival clock to add, so everything here is a
// function of the record alone: importing it again gives the same bytes.
// The clock-skew correction is the collector's own (`correctClockSkew` of @sluice/schema).

import {
  eventSizeIssue,
  quarantineMessage,
  quarantineRecord,
  usableMessageId,
  validateEvent,
} from '@sluice/ingest';
import type { QueueMessage } from '@sluice/queue';
import { correctClockSkew, type FieldIssue, MAX_EVENT_BYTES } from '@sluice/schema';

/** One record of an input file: a parsed object, or text that could not be parsed. */
export type ImportRecord =
  | { line: number; event: unknown }
  | { line: number; unparsable: string; error: string };

export interface ImportContext {
  /** The source the events are filed under (`events/source=<source>/…`). */
  source: string;
  /** Names the input (a content hash): with the line it makes ids for records that lack one. */
  inputId: string;
}

const MAX_TIME_MS = 8.64e15;
const encoder = new TextEncoder();

/**
 * The message for one record. A valid event keeps its fields; its time is `timestamp` when it
 * was collected before (it has `receivedAt`), the skew-corrected client time when only
 * `receivedAt` is known, else the client's own `timestamp`/`originalTimestamp`. A record that
 * fails validation, is too large, or has no time at all goes to quarantine with the reasons.
 */
export function toImportedMessage(record: ImportRecord, ctx: ImportContext): QueueMessage {
  if ('unparsable' in record) {
    return quarantine(record.line, record.unparsable, [{ path: '', message: record.error }], ctx);
  }
  const raw = record.event;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return quarantine(record.line, raw, [{ path: '', message: 'must be a JSON object' }], ctx);
  }
  const event = raw as Record<string, unknown>;
  const issues = validateEvent(event);
  if (issues) return quarantine(record.line, event, issues, ctx);
  const sent = encoder.encode(JSON.stringify(event));
  if (sent.length > MAX_EVENT_BYTES) {
    return quarantine(record.line, event, [eventSizeIssue(sent.length, MAX_EVENT_BYTES)], ctx);
  }
  const timed = withEventTime(event);
  if (!timed) {
    const message = 'an imported event needs timestamp, originalTimestamp or receivedAt';
    return quarantine(record.line, event, [{ path: 'timestamp', message }], ctx);
  }
  const body = timed.event === event ? sent : encoder.encode(JSON.stringify(timed.event));
  // Validated: a non-empty string.
  const id = event.messageId as string;
  return { id, source: ctx.source, time: timed.timeMs, kind: 'event', body };
}

/** The event with `timestamp` set as the collector sets it, and that time in ms. */
function withEventTime(
  event: Record<string, unknown>,
): { event: Record<string, unknown>; timeMs: number } | undefined {
  const receivedAt = timeOf(event.receivedAt);
  const timestamp = timeOf(event.timestamp);
  // Collected before (by sluice, Segment, ...): `timestamp` is already corrected.
  if (receivedAt !== undefined && timestamp !== undefined) return { event, timeMs: timestamp };
  const clientTime = timestamp ?? timeOf(event.originalTimestamp);
  let timeMs = clientTime;
  if (receivedAt !== undefined) {
    const sentAt = timeOf(event.sentAt);
    timeMs = correctClockSkew(receivedAt, sentAt, clientTime);
  }
  if (timeMs === undefined) return undefined;
  const enriched: Record<string, unknown> = { ...event, timestamp: new Date(timeMs).toISOString() };
  const clientValue = event.timestamp ?? event.originalTimestamp;
  if (clientValue !== undefined) enriched.originalTimestamp = clientValue;
  return { event: enriched, timeMs };
}

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) || Math.abs(ms) > MAX_TIME_MS ? undefined : ms;
}

/** The shared quarantine record, with where the record came from instead of an arrival. */
function quarantine(
  line: number,
  event: unknown,
  reason: FieldIssue[],
  ctx: ImportContext,
): QueueMessage {
  const fields =
    typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const receivedAt = timeOf(fields.receivedAt);
  const record = quarantineRecord(reason, event, { importedFrom: { input: ctx.inputId, line } });
  return quarantineMessage(record, {
    id: usableMessageId(fields) ?? `${ctx.inputId}:${line}`,
    source: ctx.source,
    // Quarantine is filed by arrival; an old record without one lands on 1970-01-01, visible.
    time: receivedAt ?? timeOf(fields.timestamp) ?? 0,
  });
}
