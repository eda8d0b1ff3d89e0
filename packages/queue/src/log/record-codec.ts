// On-disk record format of the embedded log. One record per message:
//
//   frame:   u32 payload length | u32 CRC32 of payload | payload      (big-endian)
//   payload: u8 kind | u32 id length | id (UTF-8) | u32 source length | source (UTF-8)
//            | f64 time (ms) | body bytes (the rest)
//
// The header fields come before the body so the forwarder can route and
// deduplicate without parsing the event JSON.

import { crc32 } from 'node:zlib';
import type { MessageKind, QueueMessage } from '../queue.js';

/** Bytes before the payload: length and CRC. */
export const FRAME_HEADER_BYTES = 8;

/** Smallest valid payload: kind, two empty strings, time, empty body. */
export const MIN_PAYLOAD_BYTES = 1 + 4 + 4 + 8;

/** Largest payload accepted; a larger length field can only be corruption. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

const KIND_CODES: Record<MessageKind, number> = { event: 0, quarantine: 1 };
const KINDS: readonly MessageKind[] = ['event', 'quarantine'];

/** Encodes one message as a complete frame in a single Buffer. */
export function encodeFrame(message: QueueMessage): Buffer {
  const kind = KIND_CODES[message.kind];
  if (kind === undefined) throw new TypeError(`unknown message kind: ${String(message.kind)}`);
  const idBytes = Buffer.byteLength(message.id, 'utf8');
  const sourceBytes = Buffer.byteLength(message.source, 'utf8');
  const payloadBytes = MIN_PAYLOAD_BYTES + idBytes + sourceBytes + message.body.byteLength;
  if (payloadBytes > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`message of ${payloadBytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadBytes);
  let p = FRAME_HEADER_BYTES;
  frame[p++] = kind;
  p = frame.writeUInt32BE(idBytes, p);
  p += frame.write(message.id, p, 'utf8');
  p = frame.writeUInt32BE(sourceBytes, p);
  p += frame.write(message.source, p, 'utf8');
  p = frame.writeDoubleBE(message.time, p);
  frame.set(message.body, p);
  frame.writeUInt32BE(payloadBytes, 0);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** Result of looking for a frame at an offset of a buffer. */
export type FrameParse =
  | { kind: 'frame'; payload: Buffer; next: number }
  /** The buffer ends inside the frame; `need` is the frame's size as far as known. */
  | { kind: 'incomplete'; need: number }
  | { kind: 'corrupt'; reason: string };

/** Parses the frame at `offset`, checking its length, CRC and payload structure. */
export function parseFrame(buffer: Buffer, offset: number): FrameParse {
  const available = buffer.length - offset;
  if (available < FRAME_HEADER_BYTES) return { kind: 'incomplete', need: FRAME_HEADER_BYTES };
  const length = buffer.readUInt32BE(offset);
  // A zero-filled tail (file extended, data never written) fails here, not as empty records.
  if (length < MIN_PAYLOAD_BYTES || length > MAX_PAYLOAD_BYTES) {
    return { kind: 'corrupt', reason: `bad length ${length}` };
  }
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buffer.length) return { kind: 'incomplete', need: FRAME_HEADER_BYTES + length };
  const payload = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== buffer.readUInt32BE(offset + 4)) {
    return { kind: 'corrupt', reason: 'CRC mismatch' };
  }
  if (!isWellFormedPayload(payload)) return { kind: 'corrupt', reason: 'malformed payload' };
  return { kind: 'frame', payload, next: end };
}

function isWellFormedPayload(payload: Buffer): boolean {
  if (KINDS[payload[0] ?? -1] === undefined) return false;
  const idBytes = payload.readUInt32BE(1);
  const sourceAt = 5 + idBytes;
  if (sourceAt + 4 > payload.length) return false;
  const sourceBytes = payload.readUInt32BE(sourceAt);
  return sourceAt + 4 + sourceBytes + 8 <= payload.length;
}

/** Decodes a payload checked by `parseFrame`. The body is a view into `payload`, not a copy. */
export function decodePayload(payload: Buffer): QueueMessage {
  const kind = KINDS[payload[0] ?? -1];
  if (kind === undefined) throw new RangeError('malformed payload');
  let p = 1;
  const idBytes = payload.readUInt32BE(p);
  p += 4;
  const id = payload.toString('utf8', p, p + idBytes);
  p += idBytes;
  const sourceBytes = payload.readUInt32BE(p);
  p += 4;
  const source = payload.toString('utf8', p, p + sourceBytes);
  p += sourceBytes;
  const time = payload.readDoubleBE(p);
  p += 8;
  return { id, source, time, kind, body: payload.subarray(p) };
}
