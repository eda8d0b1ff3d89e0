import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue, QueueConsumer, QueueEntry, QueueMessage, QueueProducer } from './queue.js';

/** A producer and a way to see what reached its consumers, whatever carries them. */
export interface ProducerUnderTest {
  producer: QueueProducer;
  /** Waits until a message with every id arrived downstream and returns them by id. */
  delivered(ids: readonly string[]): Promise<Map<string, QueueMessage>>;
}

const encoder = new TextEncoder();
const run = crypto.randomUUID().slice(0, 8);
let serial = 0;

/** A message with a unique id (per run: adapters that keep state across tests see new ids). */
export function contractMessage(fields: Partial<QueueMessage> = {}): QueueMessage {
  const id = `c-${run}-${serial++}`;
  const body = encoder.encode(JSON.stringify({ messageId: id, event: 'Größe ✓' }));
  return { id, source: 'shop', time: 1_772_359_200_000 + serial, kind: 'event', body, ...fields };
}

/**
 * What every QueueProducer must do: deliver what it accepted, whole; refuse once closed.
 * `open` is called before each test; the suite closes the producer after it.
 */
export function describeQueueProducerContract(
  name: string,
  open: () => Promise<ProducerUnderTest>,
): void {
  describe(`${name}: QueueProducer contract`, () => {
    let under: ProducerUnderTest;
    beforeEach(async () => {
      under = await open();
    });
    afterEach(async () => {
      await under.producer.close();
    });

    it('delivers every appended message with its header fields and exact body', async () => {
      const sent = [
        contractMessage(),
        contractMessage({ kind: 'quarantine', source: 'blog-日本' }),
        contractMessage({ body: new Uint8Array() }),
      ];
      await under.producer.append(sent);
      const got = await under.delivered(sent.map((m) => m.id));
      for (const message of sent) expect(plain(got.get(message.id))).toEqual(plain(message));
    });

    it('takes an empty append as nothing, and the next append as usual', async () => {
      await under.producer.append([]);
      const sent = contractMessage();
      await under.producer.append([sent]);
      expect(plain((await under.delivered([sent.id])).get(sent.id))).toEqual(plain(sent));
    });

    it('counts appended messages in its depth, where it has one', async () => {
      const { producer } = under;
      if (!producer.depth) return; // optional: not every queue knows it without a round trip
      const before = producer.depth();
      await producer.append([contractMessage(), contractMessage()]);
      expect(producer.depth()).toBe(before + 2);
    });

    it('refuses appends once closed, and closing twice is harmless', async () => {
      await under.producer.close();
      await expect(under.producer.append([contractMessage()])).rejects.toThrow(/closed/);
      await under.producer.close();
    });
  });
}

/**
 * What every Queue (producer and consumers in one) must do, in the words of queue.ts: order,
 * acknowledgement, resuming at the first entry not acknowledged. `open` is called before each
 * test and must return a queue no other test used.
 */
export function describeQueueContract(name: string, open: () => Promise<Queue>): void {
  describeQueueProducerContract(name, async () => {
    const queue = await open();
    const consumer = await queue.consumer('contract_delivered');
    return {
      producer: queue,
      async delivered(ids) {
        const entries = await readCount(consumer, ids.length);
        return new Map(entries.map((entry) => [entry.id, entry]));
      },
    };
  });

  describe(`${name}: Queue contract`, () => {
    let queue: Queue;
    beforeEach(async () => {
      queue = await open();
    });
    afterEach(async () => {
      await queue.close();
    });

    it('reads entries in append order, at increasing positions', async () => {
      const consumer = await queue.consumer('order');
      const first = [contractMessage(), contractMessage({ source: 'blog' }), contractMessage()];
      const second = [contractMessage({ source: 'blog' }), contractMessage()];
      await queue.append(first);
      await queue.append(second);
      const entries = await readCount(consumer, 5);
      expect(ids(entries)).toEqual(ids([...first, ...second]));
      for (let i = 1; i < entries.length; i++) {
        expect(entries[i]!.position).toBeGreaterThan(entries[i - 1]!.position);
      }
    });

    it('reads at most `max` entries at a time, and [] once all were read', async () => {
      const consumer = await queue.consumer('max');
      const sent = [contractMessage(), contractMessage(), contractMessage()];
      await queue.append(sent);
      const got = await readCount(consumer, 2, 2);
      expect(ids(got)).toEqual(ids(sent.slice(0, 2)));
      expect(ids(await readCount(consumer, 1))).toEqual(ids(sent.slice(2)));
      expect(await consumer.read(10, 50)).toEqual([]);
    });

    it('wakes a waiting read when an append arrives', async () => {
      const consumer = await queue.consumer('wait');
      const sent = contractMessage();
      const reading = consumer.read(10, 20_000);
      await queue.append([sent]);
      const got = await reading;
      // JetStream may hand the entry to the next read rather than the one that waited.
      expect(ids(got.length > 0 ? got : await readCount(consumer, 1))).toEqual([sent.id]);
    });

    it('gives a reopened consumer what was not acknowledged, and not what was', async () => {
      const sent = Array.from({ length: 5 }, () => contractMessage());
      let consumer = await queue.consumer('resume');
      await queue.append(sent);
      const entries = await readCount(consumer, 5);
      await consumer.ack(entries.slice(0, 2));
      await consumer.close();

      consumer = await queue.consumer('resume');
      expect(ids(await readCount(consumer, 3))).toEqual(ids(sent.slice(2)));
      await consumer.close();
    });

    it('resumes at the first entry not acknowledged when later ones were', async () => {
      const sent = Array.from({ length: 4 }, () => contractMessage());
      let consumer = await queue.consumer('gap');
      await queue.append(sent);
      const entries = await readCount(consumer, 4);
      await consumer.ack([entries[1]!, entries[2]!]);
      await consumer.close();

      consumer = await queue.consumer('gap');
      // Entries after the first unacknowledged one may come again: it must come first.
      expect((await readCount(consumer, 1))[0]?.id).toBe(sent[0]!.id);
      await consumer.close();
    });

    it('takes an acknowledgement twice, or out of order, without losing or repeating entries', async () => {
      const sent = Array.from({ length: 4 }, () => contractMessage());
      let consumer = await queue.consumer('idempotent');
      await queue.append(sent);
      const entries = await readCount(consumer, 4);
      await consumer.ack([entries[1]!, entries[0]!]);
      await consumer.ack([entries[0]!, entries[1]!]);
      await consumer.ack([entries[0]!]);
      await consumer.close();

      consumer = await queue.consumer('idempotent');
      expect(ids(await readCount(consumer, 2))).toEqual(ids(sent.slice(2)));
      await consumer.close();
    });

    it('lets consumers of different names progress on their own', async () => {
      const a = await queue.consumer('first');
      const b = await queue.consumer('second');
      const sent = [contractMessage(), contractMessage()];
      await queue.append(sent);
      await a.ack(await readCount(a, 2));
      expect(ids(await readCount(b, 2))).toEqual(ids(sent));
    });

    it('refuses appends and new consumers once closed', async () => {
      await queue.close();
      await expect(queue.append([contractMessage()])).rejects.toThrow(/closed/);
      await expect(queue.consumer('late')).rejects.toThrow(/closed/);
    });
  });
}

/** Reads until `count` entries arrived (each read at most `max`), or fails after 15 s. */
async function readCount(
  consumer: QueueConsumer,
  count: number,
  max = count,
): Promise<QueueEntry[]> {
  const got: QueueEntry[] = [];
  const deadline = Date.now() + 15_000;
  while (got.length < count) {
    if (Date.now() > deadline) throw new Error(`read ${got.length} of ${count} entries`);
    got.push(...(await consumer.read(Math.min(max, count - got.length), 200)));
  }
  return got;
}

const ids = (messages: readonly QueueMessage[]) => messages.map((m) => m.id);

/** The message's fields, body as a plain array (adapters hand back Buffers or views). */
function plain(message: QueueMessage | undefined) {
  if (!message) return undefined;
  const { id, source, time, kind, body } = message;
  return { id, source, time, kind, body: [...body] };
}
