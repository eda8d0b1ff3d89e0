import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  encodeFrame,
  FRAME_HEADER_BYTES,
  parseFrame,
  V1_FRAME_HEADER_BYTES,
} from './log/record-codec.js';
import { decodeMessage, encodeMessage, isWellFormedMessage } from './message-codec.js';
import type { QueueMessage } from './queue.js';

const encoder = new TextEncoder();
const messages: QueueMessage[] = [
  {
    id: 'm-1',
    source: 'shop',
    time: 1_772_359_200_000.5,
    kind: 'event',
    body: encoder.encode('{"a":1}'),
  },
  { id: 'ü', source: 'shop', time: 0, kind: 'quarantine', body: new Uint8Array() },
];

// Written by the log before the codec was shared (commit b9e7ccf): logs on disk hold these bytes.
const FRAMES_OF_EXISTING_LOGS =
  '0000001fb2335a7d00000000036d2d310000000473686f704279ca8d72d008007b2261223a317d' +
  '00000017dc54591b0100000002c3bc0000000473686f700000000000000000';

describe('message codec', () => {
  it('reads the frames of existing (v1) logs, every field', () => {
    const frames = Buffer.from(FRAMES_OF_EXISTING_LOGS, 'hex');
    const read: QueueMessage[] = [];
    for (let at = 0; at < frames.length; ) {
      const frame = parseFrame(frames, at);
      if (frame.kind !== 'frame') throw new Error(`no frame at ${at}: ${frame.kind}`);
      const message = decodePayload(frame.payload);
      read.push({ ...message, body: Buffer.from(message.body) });
      at = frame.next;
    }
    expect(read).toEqual(messages.map((m) => ({ ...m, body: Buffer.from(m.body) })));
  });

  it('encodes a NATS message as the log record’s payload, old frames and new', () => {
    const old = Buffer.from(FRAMES_OF_EXISTING_LOGS, 'hex');
    const oldPayload = old.subarray(
      V1_FRAME_HEADER_BYTES,
      V1_FRAME_HEADER_BYTES + old.readUInt32BE(0),
    );
    expect(encodeMessage(messages[0]!)).toEqual(oldPayload);
    // A frame written now (v2) carries the same payload after its longer header.
    expect(encodeFrame(messages[0]!, 7).subarray(FRAME_HEADER_BYTES)).toEqual(oldPayload);
  });

  it('decodes what it encoded, every field', () => {
    for (const message of messages) {
      const back = decodeMessage(encodeMessage(message));
      expect({ ...back, body: Buffer.from(back.body) }).toEqual({
        ...message,
        body: Buffer.from(message.body),
      });
    }
  });

  it('tells a message from bytes that are not one', () => {
    const bytes = encodeMessage(messages[0]!);
    expect(isWellFormedMessage(bytes)).toBe(true);
    // Cut inside the source: its length field points past the end.
    expect(isWellFormedMessage(bytes.subarray(0, 10))).toBe(false);
    const unknownKind = Buffer.from(bytes);
    unknownKind[0] = 9;
    expect(isWellFormedMessage(unknownKind)).toBe(false);
    expect(() => decodeMessage(unknownKind)).toThrow(RangeError);
  });
});
