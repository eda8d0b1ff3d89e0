// On-disk record format of the embedded log. One record per message:
//
//   frame:   u32 payload length | u32 CRC32 of payload | payload      (big-endian)
//   payload: the message's bytes (../message-codec.ts, shared with NATS)
//
// The framing, CRC and erased records are the log's own; only the payload is shared.
//
// An erased record (a data subject's event removed by `eraseLogRecords`) keeps its place, so
// every later position stays where it was: kind 2, empty id and source, time 0, no body.
// Readers and consumers skip it.

import { crc32 } from 'node:zlib';
import {
  isWellFormedMessage,
  MIN_MESSAGE_BYTES,
  messageKindCode,
  writeMessage,
} from '../message-codec.js';
import type { QueueMessage } from '../queue.js';

// A record's payload is a message: readers decode it with the shared codec.
export {
  decodeMessage as decodePayload,
  decodeMessageEntry as decodeEntry,
} from '../message-codec.js';

/** Bytes before the payload: length and CRC. */
export const FRAME_HEADER_BYTES = 8;

/** Smallest valid payload: kind, two empty strings, time, empty body. */
export const MIN_PAYLOAD_BYTES = MIN_MESSAGE_BYTES;

/** Largest payload accepted; a larger length field can only be corruption. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** The kind code of an erased record; the message codec leaves it free. */
const ERASED_CODE = 2;

/** Encodes one message as a complete frame in a single Buffer. */
export function encodeFrame(message: QueueMessage): Buffer {
  return encodeFrames([message]);
}

/**
 * Encodes messages as consecutive frames in one Buffer: one allocation per append instead of
 * one per message (a pooled allocation each, and a new 8 KiB pool every few events), and one
 * buffer for writev to take.
 */
export function encodeFrames(messages: readonly QueueMessage[]): Buffer {
  const idBytes: number[] = [];
  const sourceBytes: number[] = [];
  let total = 0;
  let lastSource: string | undefined;
  let lastSourceBytes = 0;
  for (const message of messages) {
    messageKindCode(message.kind); // throws for an unknown kind before anything is written
    // The messages of one append nearly always share their source.
    if (message.source !== lastSource) {
      lastSource = message.source;
      lastSourceBytes = Buffer.byteLength(message.source, 'utf8');
    }
    const ids = Buffer.byteLength(message.id, 'utf8');
    const payloadBytes = MIN_PAYLOAD_BYTES + ids + lastSourceBytes + message.body.byteLength;
    if (payloadBytes > MAX_PAYLOAD_BYTES) {
      throw new RangeError(`message of ${payloadBytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
    }
    idBytes.push(ids);
    sourceBytes.push(lastSourceBytes);
    total += FRAME_HEADER_BYTES + payloadBytes;
  }
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as QueueMessage;
    const start = p;
    p = writeMessage(
      out,
      p + FRAME_HEADER_BYTES,
      message,
      idBytes[i] as number,
      sourceBytes[i] as number,
    );
    out.writeUInt32BE(p - start - FRAME_HEADER_BYTES, start);
    out.writeUInt32BE(crc32(out.subarray(start + FRAME_HEADER_BYTES, p)), start + 4);
  }
  return out;
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

/** The frame that takes an erased record's place: it holds nothing of the record. */
export function encodeErasedFrame(): Buffer {
  const out = Buffer.alloc(FRAME_HEADER_BYTES + MIN_PAYLOAD_BYTES);
  out[FRAME_HEADER_BYTES] = ERASED_CODE;
  out.writeUInt32BE(MIN_PAYLOAD_BYTES, 0);
  out.writeUInt32BE(crc32(out.subarray(FRAME_HEADER_BYTES)), 4);
  return out;
}

/** True for a payload checked by `parseFrame` whose record was erased: skip it. */
export function isErasedPayload(payload: Buffer): boolean {
  return payload[0] === ERASED_CODE;
}

function isWellFormedPayload(payload: Buffer): boolean {
  if (payload[0] === ERASED_CODE) return payload.length === MIN_PAYLOAD_BYTES;
  return isWellFormedMessage(payload);
}
