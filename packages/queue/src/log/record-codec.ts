// On-disk record format of the embedded log. One record per message (big-endian):
//
//   frame (v2): u32 magic FF 53 4C 32 | u32 CRC32 of the rest | u32 payload length
//               | u64 position | payload
//   frame (v1, logs written before v2; still read): u32 payload length | u32 CRC32 of payload
//               | payload
//   payload: the message's bytes (../message-codec.ts, shared with NATS)
//
// The framing, CRC and erased records are the log's own; only the payload is shared.
//
// An erased record (a data subject's event removed by `eraseLogRecords`) keeps its place, so
// every later position stays where it was: kind 2, empty id and source, time 0, no body.
// Readers and consumers skip it.
//
// Why v2 (damage, not crashes): after bad bytes a reader must find the next whole frame and
// know its position, or every later position is a guess. The magic makes candidates cheap to
// find (0xFF never occurs in UTF-8, so not in ids, sources or JSON bodies), the CRC over the
// length and position rejects false ones, and the position says how many records the damage
// took. A v1 length is at most 64 MiB, so its first byte is never 0xFF: the two never mix up.

import { crc32 } from 'node:zlib';
import {
  decodeMessage,
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
  decodeMessageEntryAt as decodeEntryAt,
} from '../message-codec.js';

/** Bytes before the payload of a frame written now (v2): magic, CRC, length, position. */
export const FRAME_HEADER_BYTES = 20;

/** Bytes before the payload of a v1 frame: length and CRC. */
export const V1_FRAME_HEADER_BYTES = 8;

/** First four bytes of every v2 frame. */
export const FRAME_MAGIC = 0xff534c32;
const MAGIC_FIRST_BYTE = 0xff;
const MAGIC_BYTES = Buffer.from([0xff, 0x53, 0x4c, 0x32]);

/** Smallest valid payload: kind, two empty strings, time, empty body. */
export const MIN_PAYLOAD_BYTES = MIN_MESSAGE_BYTES;

/** Largest payload accepted; a larger length field can only be corruption. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** The kind code of an erased record; the message codec leaves it free. */
const ERASED_CODE = 2;

/** Encodes one message as a complete frame at `position` in a single Buffer. */
export function encodeFrame(message: QueueMessage, position = 0): Buffer {
  const frame = encodeFrames([message]);
  stampFrames(frame, position);
  return frame;
}

/**
 * Encodes messages as consecutive frames in one Buffer: one allocation per append instead of
 * one per message (a pooled allocation each, and a new 8 KiB pool every few events), and one
 * buffer for writev to take. Positions and CRCs are left blank: `stampFrames` fills them in
 * once the writer knows where the group goes.
 */
export function encodeFrames(messages: readonly QueueMessage[], pooled = true): Buffer {
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
  // Unpooled for a buffer whose ArrayBuffer is transferred to another thread: transferring
  // Node's shared 8 KiB pool would detach it under every other buffer cut from it.
  const out = pooled ? Buffer.allocUnsafe(total) : Buffer.allocUnsafeSlow(total);
  let p = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as QueueMessage;
    const start = p;
    out.writeUInt32BE(FRAME_MAGIC, p);
    p = writeMessage(
      out,
      p + FRAME_HEADER_BYTES,
      message,
      idBytes[i] as number,
      sourceBytes[i] as number,
    );
    out.writeUInt32BE(p - start - FRAME_HEADER_BYTES, start + 8);
  }
  return out;
}

/**
 * Writes positions `first`, `first + 1`, ... into the consecutive v2 frames of `frames` and
 * their CRCs (which cover length, position and payload). Returns the number of frames.
 */
export function stampFrames(frames: Buffer, first: number): number {
  let p = 0;
  let position = first;
  while (p < frames.length) {
    const end = p + FRAME_HEADER_BYTES + frames.readUInt32BE(p + 8);
    writePosition(frames, p + 12, position++);
    frames.writeUInt32BE(crc32(frames.subarray(p + 8, end)), p + 4);
    p = end;
  }
  return position - first;
}

/**
 * Checks that `frames` is `records` whole unstamped v2 frames (as `encodeFrames` makes them):
 * bytes from another thread are not trusted blindly, since a bad length would shift every
 * later position, and a payload that is no message (or an erased record's) would be stored as
 * damage the readers then skip. Throws a RangeError otherwise.
 */
export function checkFrames(frames: Buffer, records: number): void {
  let p = 0;
  let count = 0;
  while (p < frames.length) {
    if (p + FRAME_HEADER_BYTES > frames.length) throw new RangeError('frame header cut short');
    if (frames.readUInt32BE(p) !== FRAME_MAGIC) throw new RangeError(`no frame magic at ${p}`);
    const length = frames.readUInt32BE(p + 8);
    if (length < MIN_PAYLOAD_BYTES || length > MAX_PAYLOAD_BYTES) {
      throw new RangeError(`frame length ${length} out of range at ${p}`);
    }
    const end = p + FRAME_HEADER_BYTES + length;
    if (end > frames.length) throw new RangeError('last frame cut short');
    if (!isWellFormedMessage(frames.subarray(p + FRAME_HEADER_BYTES, end))) {
      throw new RangeError(`frame at ${p} holds no message`);
    }
    p = end;
    count++;
  }
  if (count !== records) throw new RangeError(`${count} frames, ${records} records announced`);
}

/**
 * The messages of `records` unstamped frames (as `encodeFrames` makes them), checked first as
 * `checkFrames` does: for a queue that takes messages, not frames. Bodies are views into
 * `frames`, not copies.
 */
export function decodeFrames(frames: Buffer, records: number): QueueMessage[] {
  checkFrames(frames, records);
  const messages: QueueMessage[] = [];
  let p = 0;
  while (p < frames.length) {
    const end = p + FRAME_HEADER_BYTES + frames.readUInt32BE(p + 8);
    messages.push(decodeMessage(frames.subarray(p + FRAME_HEADER_BYTES, end)));
    p = end;
  }
  return messages;
}

function writePosition(buffer: Buffer, at: number, position: number): void {
  buffer.writeUInt32BE(Math.floor(position / 2 ** 32), at);
  buffer.writeUInt32BE(position % 2 ** 32, at + 4);
}

/** Result of looking for a frame at an offset of a buffer. */
export type FrameParse =
  /** `position` is the frame's own (v2), NaN for a v1 frame (its place in the segment says). */
  | { kind: 'frame'; payload: Buffer; next: number; position: number }
  /** The buffer ends inside the frame; `need` is the frame's size as far as known. */
  | { kind: 'incomplete'; need: number }
  | { kind: 'corrupt'; reason: string };

/**
 * What `scanFrame` found, written into one object the reader reuses: a sequential read looks
 * at every frame, and an object per frame (with a view of its payload) was garbage per event.
 */
export interface FrameScan {
  kind: 'frame' | 'incomplete' | 'corrupt';
  /** For a frame: where its payload starts and ends in the buffer, and where the next frame starts. */
  payloadStart: number;
  next: number;
  /** For a frame: its own position (v2), NaN for a v1 frame. */
  position: number;
  /** For an incomplete frame: its size as far as known. */
  need: number;
  /** For a corrupt frame: why. */
  reason: string;
}

/** A FrameScan to pass to `scanFrame` (one per reader, reused). */
export function newFrameScan(): FrameScan {
  return { kind: 'corrupt', payloadStart: 0, next: 0, position: 0, need: 0, reason: '' };
}

/** Parses the frame at `offset`, checking its length, CRC and payload structure. */
export function parseFrame(buffer: Buffer, offset: number): FrameParse {
  const scan = newFrameScan();
  const kind = scanFrame(buffer, offset, scan);
  if (kind === 'incomplete') return { kind, need: scan.need };
  if (kind === 'corrupt') return { kind, reason: scan.reason };
  const payload = buffer.subarray(scan.payloadStart, scan.next);
  return { kind, payload, next: scan.next, position: scan.position };
}

/** `parseFrame` into `scan` (its kind is returned too): nothing allocated but the CRC's view. */
export function scanFrame(buffer: Buffer, offset: number, scan: FrameScan): FrameScan['kind'] {
  if (buffer[offset] === MAGIC_FIRST_BYTE) return scanV2Frame(buffer, offset, scan);
  const available = buffer.length - offset;
  if (available < V1_FRAME_HEADER_BYTES) return incomplete(scan, V1_FRAME_HEADER_BYTES);
  const length = buffer.readUInt32BE(offset);
  // A zero-filled tail (file extended, data never written) fails here, not as empty records.
  if (length < MIN_PAYLOAD_BYTES || length > MAX_PAYLOAD_BYTES) {
    return corrupt(scan, `bad length ${length}`);
  }
  const start = offset + V1_FRAME_HEADER_BYTES;
  const end = start + length;
  if (end > buffer.length) return incomplete(scan, V1_FRAME_HEADER_BYTES + length);
  if (crc32(buffer.subarray(start, end)) !== buffer.readUInt32BE(offset + 4)) {
    return corrupt(scan, 'CRC mismatch');
  }
  if (!isWellFormedPayload(buffer, start, end)) return corrupt(scan, 'malformed payload');
  return frame(scan, start, end, Number.NaN);
}

function scanV2Frame(buffer: Buffer, offset: number, scan: FrameScan): FrameScan['kind'] {
  if (buffer.length - offset < FRAME_HEADER_BYTES) {
    // Only the bytes there can say whether this is a frame being written or garbage.
    const have = buffer.subarray(offset, offset + 4);
    if (!have.equals(MAGIC_BYTES.subarray(0, have.length))) return corrupt(scan, 'bad magic');
    return incomplete(scan, FRAME_HEADER_BYTES);
  }
  if (buffer.readUInt32BE(offset) !== FRAME_MAGIC) return corrupt(scan, 'bad magic');
  const length = buffer.readUInt32BE(offset + 8);
  if (length < MIN_PAYLOAD_BYTES || length > MAX_PAYLOAD_BYTES) {
    return corrupt(scan, `bad length ${length}`);
  }
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buffer.length) return incomplete(scan, FRAME_HEADER_BYTES + length);
  if (crc32(buffer.subarray(offset + 8, end)) !== buffer.readUInt32BE(offset + 4)) {
    return corrupt(scan, 'CRC mismatch');
  }
  const start = offset + FRAME_HEADER_BYTES;
  if (!isWellFormedPayload(buffer, start, end)) return corrupt(scan, 'malformed payload');
  const position = buffer.readUInt32BE(offset + 12) * 2 ** 32 + buffer.readUInt32BE(offset + 16);
  if (!Number.isSafeInteger(position)) return corrupt(scan, 'bad position');
  return frame(scan, start, end, position);
}

function frame(scan: FrameScan, start: number, end: number, position: number): 'frame' {
  scan.kind = 'frame';
  scan.payloadStart = start;
  scan.next = end;
  scan.position = position;
  return 'frame';
}

function incomplete(scan: FrameScan, need: number): 'incomplete' {
  scan.kind = 'incomplete';
  scan.need = need;
  return 'incomplete';
}

function corrupt(scan: FrameScan, reason: string): 'corrupt' {
  scan.kind = 'corrupt';
  scan.reason = reason;
  return 'corrupt';
}

/** Bytes of a frame's header (they sit right before its payload): v2 or v1. */
export function frameHeaderBytes(position: number): number {
  return Number.isNaN(position) ? V1_FRAME_HEADER_BYTES : FRAME_HEADER_BYTES;
}

/** The frame that takes the place of the erased record at `position`: it holds nothing else. */
export function encodeErasedFrame(position: number): Buffer {
  const out = Buffer.alloc(FRAME_HEADER_BYTES + MIN_PAYLOAD_BYTES);
  out.writeUInt32BE(FRAME_MAGIC, 0);
  out.writeUInt32BE(MIN_PAYLOAD_BYTES, 8);
  out[FRAME_HEADER_BYTES] = ERASED_CODE;
  stampFrames(out, position);
  return out;
}

/** True for a payload checked by `parseFrame` whose record was erased: skip it. */
export function isErasedPayload(payload: Buffer): boolean {
  return payload[0] === ERASED_CODE;
}

/** `isErasedPayload` of the payload that starts at `start` of `chunk`. */
export function isErasedPayloadAt(chunk: Buffer, start: number): boolean {
  return chunk[start] === ERASED_CODE;
}

function isWellFormedPayload(buffer: Buffer, start: number, end: number): boolean {
  if (buffer[start] === ERASED_CODE) return end - start === MIN_PAYLOAD_BYTES;
  return isWellFormedMessage(buffer, start, end);
}
