import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LogQueue, openLogQueue } from './log-queue.js';
import { logMessage, tempDirEachTest } from './test-support.js';

let dir: string;
const queues: LogQueue[] = [];
tempDirEachTest('sluice-log-consumer-', (d) => {
  dir = d;
});
afterEach(() => Promise.all(queues.splice(0).map((queue) => queue.close())));

async function openQueue(segmentBytes?: number) {
  const queue = await openLogQueue({ dir, ...(segmentBytes ? { segmentBytes } : {}) });
  queues.push(queue);
  return queue;
}

const message = (i: number) => logMessage(i);
const messages = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => message(from + i));

describe('log consumer', () => {
  it('resumes after a reopen at the first entry not acknowledged, whatever the ack order', async () => {
    const queue = await openQueue(150);
    await queue.append(messages(0, 6));
    const consumer = await queue.consumer('forwarder');
    const [e0, e1, e2, e3, e4, e5] = await consumer.read(6, 0);
    await consumer.ack([e3!, e1!]);
    await consumer.ack([e0!]);
    expect(consumer.committed).toBe(2);
    await consumer.ack([e5!]);
    await queue.close();
    const stored = JSON.parse(await readFile(join(dir, 'consumers', 'forwarder.json'), 'utf8'));
    expect(stored).toMatchObject({ committed: 2 });

    const reopened = await openQueue(150);
    const again = await reopened.consumer('forwarder');
    const read = await again.read(10, 0);
    expect(read.map((entry) => entry.position)).toEqual([2, 3, 4, 5]);
    await again.ack(read);
    expect(again.committed).toBe(6);
    expect(e2 && e4).toBeDefined();
  });

  it('keeps separate progress per consumer name', async () => {
    const queue = await openQueue();
    await queue.append(messages(0, 3));
    const a = await queue.consumer('a');
    await a.ack(await a.read(2, 0));
    const b = await queue.consumer('b');
    expect((await b.read(10, 0)).map((entry) => entry.position)).toEqual([0, 1, 2]);
    expect((await a.read(10, 0)).map((entry) => entry.position)).toEqual([2]);
  });

  it('wakes a waiting read as soon as an append lands', async () => {
    const queue = await openQueue();
    const consumer = await queue.consumer('c');
    const started = Date.now();
    const reading = consumer.read(10, 5_000);
    setTimeout(() => void queue.append([message(7)]), 30);
    const read = await reading;
    expect(read.map((entry) => entry.id)).toEqual(['id-7']);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('returns [] when nothing arrives before the wait ends', async () => {
    const queue = await openQueue();
    const consumer = await queue.consumer('c');
    const started = Date.now();
    expect(await consumer.read(10, 80)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('ends a waiting read with [] when the queue closes', async () => {
    const queue = await openLogQueue({ dir });
    const reading = (await queue.consumer('c')).read(10, 10_000);
    await queue.close();
    expect(await reading).toEqual([]);
  });

  it('refuses to ack entries it has not read and unsafe consumer names', async () => {
    const queue = await openQueue();
    await queue.append(messages(0, 2));
    const consumer = await queue.consumer('c');
    await consumer.read(1, 0);
    await expect(consumer.ack([{ ...message(1), position: 1 }])).rejects.toThrow(RangeError);
    await expect(queue.consumer('../escape')).rejects.toThrow(TypeError);
    await expect(queue.consumer('c')).rejects.toThrow(/already open/);
  });
});
