// Against a real S3-compatible server (s3rver) that goes away and comes back.

import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryQueue, openLogQueue } from '@sluice/queue';
import { createS3Store } from '@sluice/store';
import { startS3Server } from '@sluice/store/testing';
import { afterEach, expect, it } from 'vitest';
import { createForwarder } from './forwarder.js';
import { gzipLevel6 } from './node.js';
import { bodyText, FAST, message, NOW, readAllLines, waitFor } from './test-support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('acknowledges nothing while S3 is down, pauses reading, and delivers everything once it is back', async () => {
  const s3 = await startS3Server();
  cleanups.push(() => s3.close());
  // One attempt per call: the forwarder's own backoff does the retrying.
  const store = createS3Store({ bucket: s3.bucket, ...s3.clientConfig, maxAttempts: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'sluice-forwarder-s3-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const queue = await openLogQueue({ dir, durability: 'none' });
  cleanups.push(() => queue.close());
  const consumer = await queue.consumer('forwarder');
  const clock = { now: NOW };
  const forwarder = createForwarder({
    consumer,
    store,
    compress: gzipLevel6,
    now: () => clock.now,
    options: { ...FAST, maxFileAgeMs: 60_000 },
  });
  const messages = Array.from({ length: 30 }, (_, n) => message(n));

  // Down from the start (a closed port): not even the checkpoint can be read.
  await s3.stop();
  const running = forwarder.run();
  cleanups.push(() => forwarder.stop().then(() => running));
  await queue.append(messages.slice(0, 10));
  await waitFor(() => forwarder.stats().failures >= 2);
  expect(forwarder.stats()).toMatchObject({ read: 0, retrying: true });

  await s3.start();
  await waitFor(() => forwarder.stats().read === 10);
  clock.now += 60_000;
  await waitFor(() => forwarder.stats().acked === 10);
  expect(forwarder.stats().filesWritten).toBe(1);
  expect(consumer.committed).toBe(10);

  // Down in the middle: the upload fails, nothing more is read or acknowledged.
  await s3.stop();
  await queue.append(messages.slice(10, 20));
  await waitFor(() => forwarder.stats().read === 20);
  clock.now += 60_000;
  const failuresBefore = forwarder.stats().failures;
  await waitFor(() => forwarder.stats().failures >= failuresBefore + 2);
  await queue.append(messages.slice(20));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(forwarder.stats()).toMatchObject({ read: 20, filesWritten: 1, retrying: true });
  expect(consumer.committed).toBe(10);

  await s3.start();
  await waitFor(() => forwarder.stats().filesWritten === 2);
  await waitFor(() => forwarder.stats().read === 30);
  await forwarder.stop();
  await running;

  expect(await readAllLines(store)).toEqual(messages.map(bodyText));
  expect(consumer.committed).toBe(30);
  expect(forwarder.stats()).toMatchObject({ acked: 30, retrying: false, bufferedLines: 0 });
});

it('stops promptly when S3 was never reachable (a closed port), having acknowledged nothing', async () => {
  const port = await closedPort();
  const store = createS3Store({
    bucket: 'sluice',
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
  const queue = createMemoryQueue();
  await queue.append([message(0)]);
  const errors: string[] = [];
  const forwarder = createForwarder({
    consumer: await queue.consumer('forwarder'),
    store,
    compress: gzipLevel6,
    onError: (_error, during) => errors.push(during),
    options: FAST,
  });
  const running = forwarder.run();
  await waitFor(() => forwarder.stats().failures >= 2);
  expect(errors[0]).toBe('load checkpoint');
  await forwarder.stop();
  await running;
  expect(forwarder.stats()).toMatchObject({ read: 0, acked: 0, running: false, retrying: false });
  expect(await (await queue.consumer('forwarder')).read(10, 0)).toHaveLength(1);
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
