// A QueueMessage as it travels through Cloudflare Queues. Sent with contentType 'json' (not
// the default 'v8') so that any consumer can read it, HTTP pull consumers included, and the
// dashboard shows it as text. The event's UTF-8 JSON travels as a string: it round-trips to
// the same bytes because the collector only ever enqueues well-formed UTF-8.
import type { MessageKind, QueueMessage } from '../queue.js';

/** Bumped when the shape changes, so a consumer can tell old messages from new. */
export const WIRE_VERSION = 1;

/** The JSON body of one Cloudflare Queues message. */
export interface WireMessage {
  v: typeof WIRE_VERSION;
  id: string;
  source: string;
  time: number;
  kind: MessageKind;
  /** The event (or quarantine record) as JSON text, one line. */
  body: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The serializable form of a message. */
export function toWireMessage(message: QueueMessage): WireMessage {
  return {
    v: WIRE_VERSION,
    id: message.id,
    source: message.source,
    time: message.time,
    kind: message.kind,
    body: decoder.decode(message.body),
  };
}

/** Size of the message as Cloudflare counts a 'json' body: its JSON text in UTF-8 bytes. */
export function wireBytes(wire: WireMessage): number {
  return encoder.encode(JSON.stringify(wire)).byteLength;
}

/** Thrown by `fromWireMessage` for a body this adapter did not write. */
export class InvalidWireMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWireMessageError';
  }
}

/** Reads a delivered body back into a QueueMessage; throws InvalidWireMessageError if it is not one. */
export function fromWireMessage(body: unknown): QueueMessage {
  if (typeof body !== 'object' || body === null) {
    throw new InvalidWireMessageError('message body is not an object');
  }
  const wire = body as Partial<Record<keyof WireMessage, unknown>>;
  if (wire.v !== WIRE_VERSION) {
    throw new InvalidWireMessageError(`unknown message version ${String(wire.v)}`);
  }
  const { id, source, time, kind } = wire;
  if (
    typeof id !== 'string' ||
    id === '' ||
    typeof source !== 'string' ||
    source === '' ||
    typeof time !== 'number' ||
    !Number.isFinite(time) ||
    (kind !== 'event' && kind !== 'quarantine') ||
    typeof wire.body !== 'string'
  ) {
    throw new InvalidWireMessageError('message lacks id, source, time, kind or body');
  }
  return { id, source, time, kind, body: encoder.encode(wire.body) };
}
