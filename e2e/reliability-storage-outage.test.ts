import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Store } from '@sluice/store';
import { type S3Server, startS3Server } from '@sluice/testkit/s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordFigures, scaled, secondsSince, testFile } from './reliability-figures.js';
import {
  type SluiceProcess,
  startSluiceProcess,
  writeCollectorConfig,
} from './reliability-process.js';
import { collectorConfig, compare, sendLoad, storedCounts, waitUntil } from './scale-support.js';

// The bucket goes away under load: the S3 server is stopped for 30 s (3 min in soak mode)
// while events keep arriving, then started again. The collector keeps acknowledging (the
// log holds the events), the forwarder retries on its own, and once the bucket is back every
// acknowledged event is stored exactly once, without anyone stepping in.

let dir: string;
let s3: S3Server;
let sluice: SluiceProcess | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-s3-'));
  s3 = await startS3Server({ bucket: 'events' });
});
afterAll(async () => {
  await sluice?.kill();
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('stores every acknowledged event exactly once after the object store went down under load', async () => {
  const started = Date.now();
  const outageMs = scaled(30_000, 180_000);
  // About 20 batches of 10 a second from 2 senders: the load outlasts the outage.
  const total = Math.round(((outageMs + 15_000) / 1000) * 200);
  sluice = await startSluiceProcess({
    QUEUE_URL: `log:${join(dir, 'queue')}`,
    SLUICE_CONFIG: await writeCollectorConfig(dir, {
      ...collectorConfig,
      limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
    }),
    RELIABILITY_S3_ENDPOINT: s3.endpoint,
    RELIABILITY_S3_BUCKET: s3.bucket,
    RELIABILITY_STATE_DIR: join(dir, 'state'),
    RELIABILITY_FILE_AGE_MS: '500',
  });
  const pipeline = sluice;

  let acknowledgedNow = 0;
  let outage: Promise<void> | undefined;
  const window = { downAt: 0, upAt: 0, acknowledgedWhenDown: 0, acknowledgedWhenUp: 0 };
  const load = sendLoad({
    urls: () => [pipeline.url],
    total,
    batchSize: 10,
    concurrency: 2,
    giveUpMs: 120_000,
    idPrefix: 'outage',
    onProgress: async (acknowledged) => {
      acknowledgedNow = acknowledged;
      if (!outage && acknowledged >= total / 10) {
        outage = (async () => {
          window.acknowledgedWhenDown = acknowledgedNow;
          await s3.stop();
          window.downAt = Date.now();
          await sleep(outageMs);
          window.acknowledgedWhenUp = acknowledgedNow;
          await s3.start();
          window.upAt = Date.now();
        })();
      }
      await sleep(100);
    },
  });
  const result0 = await load;
  await outage;
  const store = createS3Store({ bucket: s3.bucket, ...s3.clientConfig });
  await waitUntil(
    async () => compare(result0.acked, await storedCounts(store)).lost === 0,
    180_000,
  );
  const recoveredAt = Date.now();
  const probe = await pipeline.probe();
  await pipeline.stop();
  const result = compare(result0.acked, await storedCounts(store));

  await recordFigures('storage-outage', {
    title: 'Storage outage: S3 server stopped under load',
    file: testFile(import.meta.url),
    what:
      `${total.toLocaleString('en')} events at about 200/s (batches of 10, 2 senders) through one ` +
      `collector + forwarder process on the embedded log, writing to an S3 server (s3rver) that ` +
      `was stopped for ${outageMs / 1000} s in the middle of the load and then started again; ` +
      'nobody restarted or told the pipeline anything.',
    events: {
      sent: total,
      acknowledged: result.acked,
      stored: result.stored,
      lost: result.lost,
      duplicated: result.duplicated,
    },
    details: {
      'outage (s)': Math.round((window.upAt - window.downAt) / 100) / 10,
      'events acknowledged while the store was down':
        window.acknowledgedWhenUp - window.acknowledgedWhenDown,
      'all acknowledged events stored, seconds after the store came back':
        Math.round((recoveredAt - window.upAt) / 100) / 10,
      'batches resent after a failure': result0.retriedBatches,
    },
    seconds: secondsSince(started),
  });
  expect(window.upAt - window.downAt).toBeGreaterThanOrEqual(outageMs);
  // The collector kept taking events while the store was away.
  expect(window.acknowledgedWhenUp - window.acknowledgedWhenDown).toBeGreaterThan(0);
  expect(result0.retriedBatches).toBe(0);
  expect(result.lost).toBe(0);
  expect(result.duplicated).toBe(0);
  expect(result.acked).toBe(total);
  expect(probe.poisoning).toBeNull();
}, 600_000);
