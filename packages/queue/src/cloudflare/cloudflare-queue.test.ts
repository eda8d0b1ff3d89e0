// The adapter against a real Cloudflare Queue: miniflare 4 runs workerd locally (no account,
// no network) with a queue whose producer enforces Cloudflare's limits (100 messages and
// 256 KB per sendBatch, 128 KB per message) and a consumer Worker that stores what it gets.
import type { R2Bucket } from '@cloudflare/workers-types';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeQueueProducerContract } from '../queue.contract.js';
import type { QueueMessage } from '../queue.js';
import { fitMessage } from './fit-message.js';
import { type CloudflareQueueProducer, chunkForSendBatch, createCloudflareQueue } from './index.js';
import { MAX_SEND_BATCH_BYTES, MAX_SEND_BATCH_MESSAGES } from './limits.js';
import { fromWireMessage, toWireMessage, type WireMessage } from './wire-message.js';

// Keeps each delivered batch's bodies, as the consumer Worker saw them, in one object.
const CONSUMER = `export default {
  async queue(batch, env) {
    await env.OUT.put(crypto.randomUUID(), JSON.stringify(batch.messages.map((m) => m.body)));
    batch.ackAll();
  },
};`;

let mf: Miniflare;
let producer: CloudflareQueueProducer;
let out: R2Bucket;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: CONSUMER,
    queueProducers: { EVENTS: { queueName: 'events' } },
    queueConsumers: { events: { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
    r2Buckets: ['OUT'],
    r2Persist: false,
  });
  await mf.ready;
  producer = (await mf.getQueueProducer<WireMessage>(
    'EVENTS',
  )) as unknown as CloudflareQueueProducer;
  out = (await mf.getR2Bucket('OUT')) as unknown as R2Bucket;
});
afterAll(async () => {
  await mf?.dispose();
});

const encoder = new TextEncoder();
let serial = 0;

function message(fields: Partial<QueueMessage> & { text?: string } = {}): QueueMessage {
  const { text, ...rest } = fields;
  const id = `m-${serial++}`;
  const body = encoder.encode(text ?? JSON.stringify({ messageId: id, event: 'Signed Up' }));
  return { id, source: 'shop', time: 1_772_359_200_000, kind: 'event', body, ...rest };
}

/** Waits until the consumer stored a message for every id, and reads them back. */
async function delivered(ids: readonly string[]): Promise<Map<string, QueueMessage>> {
  const wanted = new Set(ids);
  const found = new Map<string, QueueMessage>();
  const read = new Set<string>();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    for (const { key } of (await out.list()).objects) {
      if (read.has(key)) continue;
      read.add(key);
      const bodies = (await (await out.get(key))!.json()) as unknown[];
      for (const body of bodies) {
        const got = fromWireMessage(body);
        if (wanted.has(got.id)) found.set(got.id, got);
      }
    }
    if (found.size === wanted.size) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`only ${found.size} of ${ids.length} messages were delivered`);
}

// The producer side only: Cloudflare pushes deliveries to the consumer Worker above.
describeQueueProducerContract('cloudflare queue', async () => ({
  producer: createCloudflareQueue(producer),
  delivered,
}));

describe('createCloudflareQueue', () => {
  it('the local queue refuses a sendBatch over Cloudflare’s limits (so the tests below mean something)', async () => {
    const wires = Array.from({ length: MAX_SEND_BATCH_MESSAGES + 1 }, () =>
      toWireMessage(message()),
    );
    await expect(
      producer.sendBatch(wires.map((body) => ({ body, contentType: 'json' }))),
    ).rejects.toThrow(/exceeds limit/);
  });

  it('appends more messages and bytes than one sendBatch takes, each delivered with its header and exact body', async () => {
    // 250 messages of ~3 KB: 3 sendBatch calls by count, 4 by size.
    const filler = 'é"\\\n'.repeat(500);
    const messages = Array.from({ length: 250 }, (_, i) =>
      message({
        kind: i % 10 === 0 ? 'quarantine' : 'event',
        source: i % 2 ? 'shop' : 'blog',
        time: 1_772_359_200_000 + i,
        text: JSON.stringify({ n: i, filler }),
      }),
    );
    await createCloudflareQueue(producer).append(messages);

    const got = await delivered(messages.map((m) => m.id));
    for (const sent of messages) expect(got.get(sent.id)).toEqual(sent);
  });

  it('keeps an oversized quarantined event as a cut record with its reasons instead of refusing the request', async () => {
    const huge = { messageId: 'big', properties: { blob: 'x'.repeat(300_000) } };
    const record = {
      reason: [{ path: '', message: 'event is 300040 bytes; at most 32768 are allowed' }],
      event: huge,
      receivedAt: '2026-03-01T10:00:00.000Z',
    };
    const sent = message({ kind: 'quarantine', text: JSON.stringify(record) });
    await createCloudflareQueue(producer).append([sent]);

    const got = (await delivered([sent.id])).get(sent.id)!;
    expect(got.kind).toBe('quarantine');
    const kept = JSON.parse(new TextDecoder().decode(got.body));
    expect(kept.eventTruncated).toBe(true);
    expect(kept.receivedAt).toBe(record.receivedAt);
    expect(kept.reason[0]).toEqual(record.reason[0]);
    expect(kept.reason[1].message).toMatch(/over Cloudflare Queues' 128000/);
    expect(kept.eventHead).toBe(JSON.stringify(huge).slice(0, kept.eventHead.length));
  });

  it('rejects a valid event too large for a queue message, so the collector answers 503', async () => {
    const sent = message({ text: JSON.stringify({ blob: 'x'.repeat(130_000) }) });
    await expect(createCloudflareQueue(producer).append([sent])).rejects.toThrow(/at most 128000/);
  });
});

describe('chunkForSendBatch', () => {
  const sized = (count: number, padding: number) =>
    Array.from({ length: count }, () =>
      fitMessage(toWireMessage(message({ text: JSON.stringify({ pad: 'p'.repeat(padding) }) }))),
    );
  const lengths = (chunks: WireMessage[][]) => chunks.map((chunk) => chunk.length);

  it('cuts many small messages at 100 a call, keeping their order', () => {
    const small = sized(250, 10);
    const chunks = chunkForSendBatch(small);
    expect(lengths(chunks)).toEqual([100, 100, 50]);
    expect(chunks.flat()).toEqual(small.map((s) => s.wire));
  });

  it('cuts large messages before a call would pass 256 KB', () => {
    // Each counts about 20 KB: 12 fit in 256 KB, a 13th would not.
    const large = sized(30, 20_000);
    expect(large[0]!.bytes).toBeGreaterThan(MAX_SEND_BATCH_BYTES / 13);
    expect(large[0]!.bytes).toBeLessThan(MAX_SEND_BATCH_BYTES / 12);
    const chunks = chunkForSendBatch(large);
    expect(lengths(chunks)).toEqual([12, 12, 6]);
    expect(chunks.flat()).toEqual(large.map((s) => s.wire));
  });
});

describe('fromWireMessage', () => {
  it('refuses bodies this adapter did not write', () => {
    const wire = toWireMessage(message());
    for (const body of [
      null,
      'text',
      { ...wire, v: 2 },
      { ...wire, kind: 'other' },
      { ...wire, id: '' },
    ]) {
      expect(() => fromWireMessage(body)).toThrow();
    }
  });
});
