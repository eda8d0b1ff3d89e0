import { MAX_MESSAGE_BYTES, MESSAGE_OVERHEAD_BYTES } from './limits.js';
import { type WireMessage, wireBytes } from './wire-message.js';

/** How much of an oversized quarantined event is kept (characters of its JSON). */
export const QUARANTINE_HEAD_CHARS = 8_000;

/** A message ready to send, with the bytes it counts against the batch limits. */
export interface SizedWireMessage {
  wire: WireMessage;
  bytes: number;
}

/**
 * Makes a message fit Cloudflare's 128 KB message limit. Valid events are at most 32 KB and
 * always fit. A quarantined event can be as large as the request (500 KB): rather than refuse
 * the whole request forever (the tag would resend it until it expires), its record keeps the
 * reasons and the event's first characters, and says it was cut.
 */
export function fitMessage(wire: WireMessage): SizedWireMessage {
  const bytes = wireBytes(wire) + MESSAGE_OVERHEAD_BYTES;
  if (bytes <= MAX_MESSAGE_BYTES) return { wire, bytes };
  if (wire.kind !== 'quarantine') {
    throw new Error(
      `message ${wire.id} is ${bytes} bytes; Cloudflare Queues carry at most ${MAX_MESSAGE_BYTES}`,
    );
  }
  const cut = { ...wire, body: truncatedQuarantineBody(wire.body, bytes) };
  const cutBytes = wireBytes(cut) + MESSAGE_OVERHEAD_BYTES;
  if (cutBytes > MAX_MESSAGE_BYTES) throw new Error(`message ${wire.id} cannot be made to fit`);
  return { wire: cut, bytes: cutBytes };
}

interface QuarantineRecord {
  reason?: unknown;
  event?: unknown;
  receivedAt?: unknown;
}

function truncatedQuarantineBody(body: string, bytes: number): string {
  let record: QuarantineRecord = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) record = parsed as QuarantineRecord;
  } catch {
    // Not JSON: keep its head as the event's.
    record = { event: body };
  }
  const reasons = Array.isArray(record.reason) ? record.reason : [];
  const eventJson = JSON.stringify(record.event) ?? '';
  return JSON.stringify({
    reason: [
      ...reasons,
      {
        path: '',
        message: `the quarantine record was ${bytes} bytes, over Cloudflare Queues' ${MAX_MESSAGE_BYTES}; eventHead keeps the first ${QUARANTINE_HEAD_CHARS} characters of the event's JSON`,
      },
    ],
    eventHead: eventJson.slice(0, QUARANTINE_HEAD_CHARS),
    eventTruncated: true,
    receivedAt: record.receivedAt,
  });
}
