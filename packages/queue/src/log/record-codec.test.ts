import { describe, expect, it } from 'vitest';
import type { QueueMessage } from '../queue.js';
import {
  checkFrames,
  decodeFrames,
  decodePayload,
  encodeFrame,
  encodeFrames,
  FRAME_HEADER_BYTES,
  parseFrame,
  stampFrames,
} from './record-codec.js';

const message: QueueMessage = {
  id: 'msg-ü-1',
  source: 'site-日本',
  time: 1_700_000_000_123.5,
  kind: 'quarantine',
  body: new TextEncoder().encode('{"event":"Größe ✓"}'),
};

function roundTrip(m: QueueMessage): QueueMessage {
  const parsed = parseFrame(encodeFrame(m), 0);
  if (parsed.kind !== 'frame') throw new Error(`expected a frame, got ${parsed.kind}`);
  return decodePayload(parsed.payload);
}

describe('record codec', () => {
  it('round-trips every field, including non-ASCII text', () => {
    const back = roundTrip(message);
    expect({ ...back, body: Buffer.from(back.body) }).toEqual({
      ...message,
      body: Buffer.from(message.body),
    });
  });

  it('round-trips empty strings and an empty body', () => {
    const back = roundTrip({ id: '', source: '', time: 0, kind: 'event', body: new Uint8Array() });
    expect(back).toMatchObject({ id: '', source: '', time: 0, kind: 'event' });
    expect(back.body.byteLength).toBe(0);
  });

  it('parses consecutive frames and reports where the next one starts', () => {
    const a = encodeFrame(message);
    const b = encodeFrame({ ...message, id: 'second' });
    const both = Buffer.concat([a, b]);
    const first = parseFrame(both, 0);
    expect(first).toMatchObject({ kind: 'frame', next: a.length });
    const second = parseFrame(both, a.length);
    if (second.kind !== 'frame') throw new Error('expected a frame');
    expect(decodePayload(second.payload).id).toBe('second');
    expect(second.next).toBe(both.length);
  });

  it('encodes many messages as the same frames, one after the other, in one buffer', () => {
    const messages = [message, { ...message, id: 'b', source: 'other' }, { ...message, id: 'c' }];
    const all = encodeFrames(messages);
    expect(stampFrames(all, 7)).toBe(messages.length);
    expect(all).toEqual(Buffer.concat(messages.map((m, i) => encodeFrame(m, 7 + i))));
    let at = 0;
    for (const expected of messages) {
      const parsed = parseFrame(all, at);
      if (parsed.kind !== 'frame') throw new Error(`expected a frame, got ${parsed.kind}`);
      expect(decodePayload(parsed.payload)).toMatchObject({
        id: expected.id,
        source: expected.source,
      });
      at = parsed.next;
    }
    expect(at).toBe(all.length);
  });

  it('reports a cut frame as incomplete with the bytes it needs', () => {
    const frame = encodeFrame(message);
    expect(parseFrame(frame.subarray(0, 5), 0)).toEqual({
      kind: 'incomplete',
      need: FRAME_HEADER_BYTES,
    });
    expect(parseFrame(frame.subarray(0, frame.length - 1), 0)).toEqual({
      kind: 'incomplete',
      need: frame.length,
    });
  });

  it('rejects a flipped payload bit, a zero-filled tail and an absurd length', () => {
    const flipped = Buffer.from(encodeFrame(message));
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(parseFrame(flipped, 0).kind).toBe('corrupt');
    expect(parseFrame(Buffer.alloc(4096), 0).kind).toBe('corrupt');
    const huge = Buffer.alloc(16);
    huge.writeUInt32BE(0xffffffff, 0);
    expect(parseFrame(huge, 0).kind).toBe('corrupt');
  });

  it('decodes frames encoded elsewhere (another thread) back into the same messages', () => {
    const messages = [message, { ...message, id: 'b', source: 'other', kind: 'event' as const }];
    const back = decodeFrames(encodeFrames(messages, false), 2);
    expect(back.map((m) => ({ ...m, body: Buffer.from(m.body) }))).toEqual(
      messages.map((m) => ({ ...m, body: Buffer.from(m.body) })),
    );
  });

  it('refuses frames whose header adds up but whose payload is no message', () => {
    const frames = encodeFrames([message, { ...message, id: 'msg-ü-2' }], false);
    const second = frames.length / 2 + FRAME_HEADER_BYTES; // both frames have the same size
    for (const kind of [7, 2]) {
      // 2 is an erased record's kind: only erasure may write one
      const bad = Buffer.from(frames);
      bad[second] = kind;
      expect(() => checkFrames(bad, 2)).toThrow(/holds no message/);
      expect(() => decodeFrames(bad, 2)).toThrow(/holds no message/);
    }
    const longId = Buffer.from(frames);
    longId.writeUInt32BE(1_000, FRAME_HEADER_BYTES + 1); // an id longer than the payload
    expect(() => checkFrames(longId, 2)).toThrow(/holds no message/);
    expect(() => checkFrames(frames, 2)).not.toThrow();
  });

  it('refuses to encode an unknown kind', () => {
    const bad = { ...message, kind: 'other' } as unknown as QueueMessage;
    expect(() => encodeFrame(bad)).toThrow(TypeError);
  });
});
