// Against a real S3-compatible server (s3rver) that goes away and comes back.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createMemoryQueue, openLogQueue } from '@sluice/queue';
import { createS3Store, type ObjectStore } from '@sluice/store';
import { startS3Server } from '@sluice/testkit/s3';
import { expect, it } from 'vitest';
import { createForwarder } from './forwarder.js';
import { gzipLevel6 } from './node.js';
import {
  bodyText,
  cleanupsAfterEach,
  FAST,
  message,
  NOW,
  readAllLines,
  waitFor,
} from './test-support.js';

const cleanups = cleanupsAfterEach();

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

it('holds at most maxBufferedBytes while S3 is down under a continuing load; the queue keeps the rest, all delivered once after', async () => {
  const s3 = await startS3Server();
  cleanups.push(() => s3.close());
  const s3Store = createS3Store({ bucket: s3.bucket, ...s3.clientConfig, maxAttempts: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'sluice-forwarder-s3-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const queue = await openLogQueue({ dir, durability: 'none' });
  cleanups.push(() => queue.close());
  const maxBufferedBytes = 20_000;
  let held = 0;
  let forwarder: ReturnType<typeof createForwarder> | undefined;
  const sample = () => {
    const stats = forwarder?.stats();
    if (stats) held = Math.max(held, stats.bufferedBytes + stats.uploadingBytes);
  };
  // Memory peaks while a file is being put: sample then too, not only on the timer.
  const store: ObjectStore = {
    put: (key, body, options) => {
      sample();
      return s3Store.put(key, body, options);
    },
    get: (key) => s3Store.get(key),
    list: (prefix) => s3Store.list(prefix),
    delete: (key) => s3Store.delete(key),
  };
  forwarder = createForwarder({
    consumer: await queue.consumer('forwarder'),
    store,
    compress: gzipLevel6,
    now: () => NOW,
    options: { ...FAST, maxBufferedBytes, maxFileBytes: 8_000, readBatchSize: 20 },
  });
  const running = forwarder.run();
  cleanups.push(() => forwarder.stop().then(() => running));
  const sampler = setInterval(sample, 1);
  cleanups.push(async () => clearInterval(sampler));

  // Six hourly partitions, ~140 bytes a line: 3,000 lines are 20x the bound.
  const messages = Array.from({ length: 3_000 }, (_, n) =>
    message(n, { time: Date.UTC(2026, 10, 24, n % 6), pad: 100 }),
  );
  const longestLine = Math.max(...messages.map((m) => m.body.byteLength + 1));
  await queue.append(messages.slice(0, 100));
  await waitFor(() => forwarder.stats().read === 100);
  await s3.stop();
  for (let i = 100; i < messages.length; i += 100) {
    await queue.append(messages.slice(i, i + 100));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await waitFor(() => forwarder.stats().retrying);
  const readDuringOutage = forwarder.stats().read;
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(forwarder.stats().read).toBe(readDuringOutage);
  expect(readDuringOutage).toBeLessThan(messages.length / 5);
  expect(held).toBeGreaterThan(maxBufferedBytes - longestLine);
  expect(held).toBeLessThanOrEqual(maxBufferedBytes + longestLine);

  await s3.start();
  await waitFor(() => forwarder.stats().read === messages.length, 20_000);
  await forwarder.stop();
  await running;
  expect(held).toBeLessThanOrEqual(maxBufferedBytes + longestLine);
  expect((await readAllLines(store)).sort()).toEqual(messages.map(bodyText).sort());
  expect(forwarder.stats()).toMatchObject({ acked: messages.length, repeatsDropped: 0 });
});

it('uploads a file above the multipart threshold in parts, and it reads back whole', async () => {
  const s3 = await startS3Server();
  cleanups.push(() => s3.close());
  const client = new S3Client({ ...s3.clientConfig, maxAttempts: 1 });
  cleanups.push(async () => client.destroy());
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? '');
      return next(args);
    },
    { step: 'initialize' },
  );
  const MiB = 1024 * 1024;
  const store = createS3Store({
    bucket: s3.bucket,
    client,
    multipartThreshold: 5 * MiB,
    partSize: 5 * MiB,
  });
  const queue = createMemoryQueue();
  const forwarder = createForwarder({
    consumer: await queue.consumer('forwarder'),
    store,
    compress: gzipLevel6,
    now: () => NOW,
    options: { ...FAST, maxFileBytes: 64 * MiB },
  });
  const running = forwarder.run();
  // 9,000 lines of 1 KiB random base64: about 7 MiB even after gzip, so two parts.
  const messages = Array.from({ length: 9_000 }, (_, n) => ({
    ...message(n),
    body: new TextEncoder().encode(
      `{"messageId":"m${n}","pad":"${randomBytes(768).toString('base64')}"}`,
    ),
  }));
  await queue.append(messages);
  await waitFor(() => forwarder.stats().read === messages.length, 20_000);
  await forwarder.stop();
  await running;

  expect(forwarder.stats().bytesWritten).toBeGreaterThan(5 * MiB);
  expect(commands.filter((c) => c !== 'GetObjectCommand' && c !== 'PutObjectCommand')).toEqual([
    'CreateMultipartUploadCommand',
    'UploadPartCommand',
    'UploadPartCommand',
    'CompleteMultipartUploadCommand',
  ]);
  expect(await readAllLines(store)).toEqual(messages.map(bodyText));
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
