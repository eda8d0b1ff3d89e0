// Builds the one quarantine record (`quarantineRecordSchema` of @sluice/schema) and its queue
// message. Every entry point keeps invalid input through here, so the records agree.
import type { QueueMessage } from '@sluice/queue';
import type { FieldIssue, QuarantineRecord } from '@sluice/schema';

/** Where a quarantined event came from, besides what was sent. */
export interface QuarantineOrigin {
  /** Server time it arrived, ms since the epoch. */
  receivedAtMs?: number;
  /** The MQTT topic. */
  topic?: string;
  /** The input file and line (`sluice import`). */
  importedFrom?: { input: string; line: number };
}

/** The record for `event` refused for `reason`; fields of `origin` not given are left out. */
export function quarantineRecord(
  reason: FieldIssue[],
  event: unknown,
  origin: QuarantineOrigin = {},
): QuarantineRecord {
  const record: QuarantineRecord = { reason, event };
  if (origin.receivedAtMs !== undefined) record.receivedAt = isoTime(origin.receivedAtMs);
  if (origin.topic !== undefined) record.topic = origin.topic;
  if (origin.importedFrom !== undefined) record.importedFrom = origin.importedFrom;
  return record;
}

const encoder = new TextEncoder();

/**
 * The queue message holding a quarantine record: filed by `time` (its arrival, when known),
 * under `id` (the event's own messageId when usable, so a resend is stored once).
 */
export function quarantineMessage(
  record: QuarantineRecord,
  meta: { id: string; source: string; time: number },
): QueueMessage {
  const body = encoder.encode(JSON.stringify(record));
  return { id: meta.id, source: meta.source, time: meta.time, kind: 'quarantine', body };
}

// The events of one request share their arrival: the last text is remembered.
let lastMs = Number.NaN;
let lastText = '';

function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
