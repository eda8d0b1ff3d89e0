import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogQueue } from '@sluice/queue';
import { createS3Store } from '@sluice/store';
import { startS3Server } from '@sluice/testkit/s3';
import { afterEach, expect, it } from 'vitest';
import { startForwarding } from './start-forwarding.js';
import { FAST, message, waitFor } from './test-support.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('says it is not forwarding only once uploads have failed for unreadyAfterMs', async () => {
  const s3 = await startS3Server();
  cleanups.push(() => s3.close());
  const dir = await mkdtemp(join(tmpdir(), 'sluice-unready-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const queue = await openLogQueue({ dir, durability: 'none' });
  cleanups.push(() => queue.close());
  // The failure clock is the forwarder's `now`, moved by the test; file age is 1 ms of it.
  let clock = Date.now();
  const forwarding = await startForwarding({
    queue,
    store: createS3Store({ bucket: s3.bucket, ...s3.clientConfig, maxAttempts: 1 }),
    options: { ...FAST, maxFileAgeMs: 1 },
    unreadyAfterMs: 60_000,
    now: () => clock,
    onError: () => {},
  });
  cleanups.push(() => forwarding.stop());
  // One event forwarded first: the checkpoint is loaded, the store answered.
  await queue.append([message(0)]);
  await waitFor(() => {
    clock += 10;
    return forwarding.stats()[0]!.acked === 1;
  }, 20_000);
  await s3.stop();
  await queue.append([message(1), message(2)]);
  await waitFor(() => {
    clock += 1;
    return forwarding.stats()[0]!.retrying;
  }, 20_000);
  clock = forwarding.stats()[0]!.failingSince!;
  expect(forwarding.stats()[0]!.backlog).toBe(2);
  // Failing, but for less than a minute: still ready (a short outage is retried quietly).
  clock += 59_000;
  expect(forwarding.notForwarding()).toBeUndefined();
  clock += 1_000;
  expect(forwarding.notForwarding()).toMatch(/failing for 60 s/);
  await s3.start();
  await waitFor(() => forwarding.stats()[0]!.backlog === 0, 30_000);
  expect(forwarding.notForwarding()).toBeUndefined();
}, 60_000);
