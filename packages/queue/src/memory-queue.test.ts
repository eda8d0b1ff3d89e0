import { describe, expect, it } from 'vitest';
import { createMemoryQueue } from './memory-queue.js';
import { describeQueueContract } from './queue.contract.js';
import type { QueueMessage } from './queue.js';

describeQueueContract('memory queue', async () => createMemoryQueue());

const message = (id: string): QueueMessage => ({
  id,
  source: 'site',
  time: Date.UTC(2026, 0, 1),
  kind: 'event',
  body: new TextEncoder().encode(`{"messageId":"${id}"}`),
});

describe('memory queue', () => {
  it('reads appended messages back in order with consecutive positions', async () => {
    const queue = createMemoryQueue();
    await queue.append([message('a'), message('b')]);
    const consumer = await queue.consumer('f');
    const read = await consumer.read(10, 0);
    expect(read.map((e) => [e.id, e.position])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
  });

  it('wakes a waiting reader when a message lands', async () => {
    const queue = createMemoryQueue();
    const consumer = await queue.consumer('f');
    const pending = consumer.read(10, 5_000);
    await queue.append([message('late')]);
    expect((await pending).map((e) => e.id)).toEqual(['late']);
  });

  it('resumes a reopened consumer at the first unacknowledged entry', async () => {
    const queue = createMemoryQueue();
    await queue.append([message('a'), message('b'), message('c')]);
    const first = await queue.consumer('f');
    const [a, b, c] = await first.read(10, 0);
    await first.ack([c!, a!]);
    const again = await queue.consumer('f');
    expect((await again.read(10, 0)).map((e) => e.id)).toEqual(['b', 'c']);
    await again.ack([b!, c!]);
    expect(await (await queue.consumer('f')).read(10, 0)).toEqual([]);
  });
});

describe('memory queue memory', () => {
  it('lets go of entries once every consumer acknowledged them', async () => {
    const queue = createMemoryQueue();
    const fast = await queue.consumer('fast');
    const slow = await queue.consumer('slow');
    await queue.append([message('a'), message('b'), message('c')]);
    await fast.ack(await fast.read(10, 0));
    const [a, b] = await slow.read(2, 0);
    await slow.ack([a!, b!]);
    // Only c is held: a consumer opened now starts there, with its position kept.
    const late = await queue.consumer('late');
    expect((await late.read(10, 0)).map((e) => [e.id, e.position])).toEqual([['c', 2]]);
    await queue.append([message('d')]);
    expect((await slow.read(10, 0)).map((e) => [e.id, e.position])).toEqual([
      ['c', 2],
      ['d', 3],
    ]);
  });

  it('keeps everything for the first consumer while none is open', async () => {
    const queue = createMemoryQueue();
    await queue.append([message('a'), message('b')]);
    const consumer = await queue.consumer('f');
    expect((await consumer.read(10, 0)).map((e) => e.id)).toEqual(['a', 'b']);
  });
});
