import { quarantineRecordSchema } from '@sluice/schema';
import { describe, expect, it } from 'vitest';
import { ingestBatch } from './ingest-batch.js';
import { quarantineMessage, quarantineRecord } from './quarantine.js';
import { bodyOf } from './test-support.js';

const reason = [{ path: 'event', message: 'Invalid input' }];

describe('the quarantine record', () => {
  it('holds the reasons, what was sent and only the origin fields that are known', () => {
    const at = Date.parse('2026-03-01T12:00:00.000Z');
    expect(quarantineRecord(reason, { type: 'track' }, { receivedAtMs: at })).toEqual({
      reason,
      event: { type: 'track' },
      receivedAt: '2026-03-01T12:00:00.000Z',
    });
    const imported = quarantineRecord(reason, '{oops', { importedFrom: { input: 'h', line: 3 } });
    expect(Object.keys(imported)).toEqual(['reason', 'event', 'importedFrom']);
  });

  it('is what ingestBatch stores for an invalid event, and what the schema describes', () => {
    const { messages } = ingestBatch(
      { batch: [{ type: 'track', messageId: 'bad-1' }] },
      { sourceId: 'shop', receivedAtMs: 0, newId: () => 'id' },
    );
    const stored = bodyOf(messages[0]!);
    expect(quarantineRecordSchema.safeParse(stored).success).toBe(true);
    const message = quarantineMessage(quarantineRecord(reason, 'x', { topic: 'a/b' }), {
      id: 'q-1',
      source: 'fleet',
      time: 5,
    });
    expect(message).toMatchObject({ id: 'q-1', source: 'fleet', time: 5, kind: 'quarantine' });
    expect(quarantineRecordSchema.parse(bodyOf(message))).toEqual({
      reason,
      event: 'x',
      topic: 'a/b',
    });
  });
});
