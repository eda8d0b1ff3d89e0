import { describe, expect, it } from 'vitest';
import { encodeFrames, FRAME_HEADER_BYTES } from './log/record-codec.js';
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
  it('keeps the log’s frames byte for byte, so existing logs stay readable', () => {
    expect(encodeFrames(messages).toString('hex')).toBe(FRAMES_OF_EXISTING_LOGS);
  });

  it('encodes a NATS message as the log record’s payload, so existing streams stay readable', () => {
    const frames = Buffer.from(FRAMES_OF_EXISTING_LOGS, 'hex');
    const firstPayloadEnd = FRAME_HEADER_BYTES + frames.readUInt32BE(0);
    expect(encodeMessage(messages[0]!)).toEqual(
      frames.subarray(FRAME_HEADER_BYTES, firstPayloadEnd),
    );
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
