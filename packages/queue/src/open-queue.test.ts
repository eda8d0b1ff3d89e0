import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer } from '@sluice/testkit/nats';
import { afterAll, describe, expect, it } from 'vitest';
import { openQueue } from './open-queue.js';
import { QueueFullError } from './queue.js';
import { redactQueueUrl } from './redact-queue-url.js';

const message = (n: number) => ({
  id: `m${n}`,
  source: 'web',
  time: n,
  kind: 'event' as const,
  body: new TextEncoder().encode(`{"n":${n}}`),
});

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('openQueue', () => {
  it('opens the embedded log in a directory with the limits given in the URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-open-queue-'));
    dirs.push(dir);
    const queue = await openQueue(`log:${dir}/q?durability=none&segmentBytes=100&maxBytes=300`);
    try {
      await expect(
        (async () => {
          for (let n = 0; n < 100; n++) await queue.append([message(n)]);
        })(),
      ).rejects.toBeInstanceOf(QueueFullError);
      expect(await readdir(join(dir, 'q', 'segments'))).not.toHaveLength(0);
    } finally {
      await queue.close();
    }
  });

  it('opens a memory queue', async () => {
    const queue = await openQueue('memory:');
    await queue.append([message(1)]);
    const consumer = await queue.consumer('forwarder');
    expect((await consumer.read(10, 0)).map((e) => e.id)).toEqual(['m1']);
    await queue.close();
  });

  it('opens a JetStream queue with the stream settings given in the URL', async () => {
    const servers = await startNatsServer();
    try {
      const queue = await openQueue(`${servers.url}?stream=OPENED&shards=1&groups=a,b`);
      await queue.append([message(1)]);
      // Both groups existed before the event arrived, so both get it.
      for (const group of ['a', 'b']) {
        const consumer = await queue.consumer(group);
        expect((await consumer.read(10, 2_000)).map((e) => e.id)).toEqual(['m1']);
        await consumer.close();
      }
      await queue.close();
    } finally {
      await servers.stop();
    }
  });

  it('never repeats the credentials of a NATS URL in an error or a log line', async () => {
    const url = 'nats://sluice:hunter2@127.0.0.1:1,10.0.0.2:4222?shards=four';
    const error = await openQueue(url).catch((error: Error) => error);
    expect(String(error)).toMatch(/shards must be a number/);
    expect(String(error)).not.toContain('hunter2');
    expect(redactQueueUrl(url)).toBe('nats://***@127.0.0.1:1,10.0.0.2:4222');
    expect(redactQueueUrl('tls://a-token@n1:4222,tls://a-token@n2:4222')).toBe(
      'tls://***@n1:4222,tls://***@n2:4222',
    );
    expect(redactQueueUrl('log:./data@home/queue?maxBytes=1')).toBe('log:./data@home/queue');
  });

  it('explains a URL it cannot use', async () => {
    await expect(openQueue('kafka://x')).rejects.toThrow(/use memory:, log:<dir> or nats:/);
    await expect(openQueue('log:/tmp/x?budget=1')).rejects.toThrow(
      /unknown queue URL parameter budget/,
    );
    await expect(openQueue('nats://127.0.0.1:1?shards=four')).rejects.toThrow(
      /shards must be a number/,
    );
  });
});
