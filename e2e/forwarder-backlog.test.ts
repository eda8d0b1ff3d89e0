import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type S3Server, startS3Server } from '@sluice/testkit/s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSluice } from './cli-process.js';
import { sampleOf, scrape } from './metrics-scrape.js';

// The forwarder's backlog as an operator watches it: `sluice start` on a real S3 server
// (s3rver over HTTP); while the server is down the backlog grows with every event posted and
// /readyz turns 503, and once it is back the backlog drains to zero.

let dir: string;
let s3: S3Server;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-backlog-'));
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(url: string, from: number, count: number): Promise<void> {
  const batch = Array.from({ length: count }, (_, i) => ({
    type: 'track',
    event: 'Backlog',
    messageId: `backlog-${from + i}`,
    anonymousId: 'a-1',
  }));
  const answer = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ writeKey: 'demo-key', batch }),
  });
  expect(await answer.json()).toMatchObject({ accepted: count });
}

it('shows the backlog rising while the S3 server is down and falling once it is back', async () => {
  const { endpoint, bucket } = { endpoint: s3.clientConfig.endpoint, bucket: s3.bucket };
  const sluice = await startSluice(
    [
      'start',
      '--data-dir',
      dir,
      '--port',
      '0',
      '--file-age-ms',
      '200',
      '--unready-after-ms',
      '1000',
    ],
    /Press Ctrl\+C to stop/,
    {
      env: {
        SLUICE_S3_BUCKET: bucket,
        SLUICE_S3_ENDPOINT: endpoint,
        AWS_ACCESS_KEY_ID: s3.clientConfig.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.clientConfig.credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
      },
    },
  );
  try {
    const url = /demo page\s+(http:\/\/127\.0\.0\.1:\d+)\/demo/.exec(sluice.stdout())![1]!;
    const metrics = () => scrape(`${url}/metrics`);
    const backlog = async () => sampleOf(await metrics(), 'sluice_forwarder_backlog_events');
    await post(url, 0, 5);
    await expect.poll(backlog, { timeout: 30_000 }).toBe(0);

    await s3.stop();
    const seen: number[] = [];
    for (let round = 1; round <= 4; round++) {
      await post(url, round * 100, 10);
      // Every event posted while the store is down stays in the backlog.
      await expect.poll(backlog, { timeout: 30_000 }).toBeGreaterThanOrEqual(round * 10);
      seen.push((await backlog())!);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const down = await metrics();
    expect(sampleOf(down, 'sluice_forwarder_backlog_seconds')).toBeGreaterThan(0);
    // The store calls retried: each file's range goes into the checkpoint before its put, so
    // that save is the first to fail; the put itself fails if the store went in between.
    const storeRetries = async () => {
      const text = await metrics();
      return ['upload', 'save checkpoint'].reduce(
        (sum, call) =>
          sum + (sampleOf(text, 'sluice_forwarder_retries_total', `{call="${call}"}`) ?? 0),
        0,
      );
    };
    await expect.poll(storeRetries, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect
      .poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 30_000 })
      .toBe(503);

    await s3.start();
    await expect.poll(backlog, { timeout: 60_000 }).toBe(0);
    // The age falls to 0 too, once the last file's buffer is let go (a moment after its ack).
    await expect
      .poll(async () => sampleOf(await metrics(), 'sluice_forwarder_backlog_seconds'), {
        timeout: 30_000,
      })
      .toBe(0);
    const up = await metrics();
    expect(
      sampleOf(up, 'sluice_forwarder_files_written_total', '{format="ndjson-gzip"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(sampleOf(up, 'sluice_forwarder_events_acked_total')).toBe(45);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  } finally {
    const stopped = await sluice.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
  }
}, 180_000);
