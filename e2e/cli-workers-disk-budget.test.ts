import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jsonLines, startSluice } from './cli-process.js';
import { postBatchOnNewConnection, segmentBytes } from './workers-support.js';

// The log's `maxBytes` is the budget of the data directory: with `--workers 2` the two log
// partitions together stay within it (each gets half), instead of each taking all of it.
// No forwarder runs, so nothing is freed and both partitions fill up.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-workers-budget-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const BUDGET = 200_000;

/** A batch of 10 events of about 500 bytes each. */
function fillBatch(prefix: string): string {
  const batch = Array.from({ length: 10 }, (_, e) => ({
    type: 'track',
    event: 'Filled',
    messageId: `${prefix}-${e}`,
    anonymousId: 'a-1',
    properties: { padding: 'x'.repeat(400) },
  }));
  return JSON.stringify({ writeKey: 'demo-key', batch });
}

it('keeps both log partitions of --workers 2 together within the maxBytes of the queue URL', async () => {
  const queueDir = join(dir, 'queue');
  const collector = await startSluice(
    [
      'collector',
      '--queue',
      `log:${queueDir}?maxBytes=${BUDGET}&segmentBytes=40000`,
      '--port',
      '0',
      '--workers',
      '2',
      '--log-level',
      'silent',
    ],
    /"collector"/,
    {
      cwd: dir,
      env: {
        SLUICE__limits__ipRate: 'null',
        SLUICE__limits__ipEventRate: 'null',
        SLUICE__limits__ipByteRate: 'null',
      },
    },
  );
  const { url } = jsonLines<{ url: string }>(collector.stdout())[0]!;
  let accepted = 0;
  let fullInARow = 0;
  // Until both workers' partitions refuse: many 503s in a row on fresh connections.
  for (let b = 0; b < 400 && fullInARow < 20; b++) {
    const { status } = await postBatchOnNewConnection(url, fillBatch(`f-${b}`));
    expect([200, 503]).toContain(status);
    if (status === 200) {
      accepted++;
      fullInARow = 0;
    } else fullInARow++;
  }
  expect(fullInARow).toBe(20);
  expect((await collector.stop('SIGTERM')).code).toBe(0);
  const zero = await segmentBytes(queueDir);
  const one = await segmentBytes(join(queueDir, 'w1'));
  // Both partitions took appends, and together they never passed the budget.
  expect(zero).toBeGreaterThan(0);
  expect(one).toBeGreaterThan(0);
  expect(zero + one).toBeLessThanOrEqual(BUDGET);
  expect(accepted).toBeGreaterThan(0);

  // Back to one worker on the same URL: partition 1's bytes still count, so partition 0 keeps
  // its half and the data directory stays within the budget.
  const single = await startSluice(
    [
      'collector',
      '--queue',
      `log:${queueDir}?maxBytes=${BUDGET}&segmentBytes=40000`,
      '--port',
      '0',
    ],
    /"collector"/,
    { cwd: dir, env: { SLUICE_LOG_LEVEL: 'silent' } },
  );
  const singleUrl = jsonLines<{ url?: string }>(single.stdout()).find((line) => line.url)!.url!;
  const statuses: number[] = [];
  for (let b = 0; b < 10; b++) {
    statuses.push((await postBatchOnNewConnection(singleUrl, fillBatch(`g-${b}`))).status);
  }
  expect((await single.stop('SIGTERM')).code).toBe(0);
  expect(statuses).toEqual(Array(10).fill(503));
  expect(
    (await segmentBytes(queueDir)) + (await segmentBytes(join(queueDir, 'w1'))),
  ).toBeLessThanOrEqual(BUDGET);
}, 60_000);
