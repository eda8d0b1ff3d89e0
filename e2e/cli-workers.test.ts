import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoUrl, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';
import { postBatchOnNewConnection, segmentBytes } from './workers-support.js';

// `sluice start --workers 2` as a user runs it: two collector threads on one port (SO_REUSEPORT),
// each appending to its own partition of the log, the forwarder reading both.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-workers-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const READY = /Press Ctrl\+C to stop/;
const messageIdOf = (line: { event: Record<string, unknown> }) => String(line.event.messageId);

it('shares one port between two workers, each appending to its own log partition, and stores every event once', async () => {
  const sluice = await startSluice(
    ['start', '--data-dir', dir, '--port', '0', '--workers', '2', '--file-age-ms', '300'],
    READY,
  );
  const url = demoUrl(sluice.stdout());
  expect(url).toBeDefined();
  const batches = 120;
  const perBatch = 5;
  for (let b = 0; b < batches; b++) {
    const batch = Array.from({ length: perBatch }, (_, e) => ({
      type: 'track',
      event: 'Worker Tested',
      messageId: `w-${b}-${e}`,
      anonymousId: 'a-1',
    }));
    const body = JSON.stringify({ writeKey: 'demo-key', batch });
    // Every batch twice, as a sender does that did not see the first answer: the copies may
    // reach different workers, so land in different partitions, and are stored once anyway.
    for (const copy of [0, 1]) {
      const answer = await postBatchOnNewConnection(url!, body);
      expect(answer.status, `${b}/${copy}: ${answer.text}`).toBe(200);
    }
  }
  // Both workers took requests: each partition's log got appends.
  expect(await segmentBytes(join(dir, 'queue'))).toBeGreaterThan(0);
  expect(await segmentBytes(join(dir, 'queue', 'w1'))).toBeGreaterThan(0);

  // Acknowledged means in the log: wait until the forwarders have written it all (a stop uploads
  // what they hold, and leaves what they have not read yet in the log for the next start).
  const store = createFsStore({ root: join(dir, 'store') });
  await expect
    .poll(async () => new Set((await readStoredEvents(store, 'events/')).map(messageIdOf)).size, {
      timeout: 30_000,
    })
    .toBe(batches * perBatch);
  const stopped = await sluice.stop('SIGINT');
  expect(stopped, stopped.stderr).toMatchObject({ code: 0, signal: null });
  const stored = await readStoredEvents(store, 'events/');
  const ids = stored.map(messageIdOf);
  expect(new Set(ids).size).toBe(batches * perBatch);
  expect(ids).toHaveLength(batches * perBatch);
  // Partition 1's files carry its number; partition 0's keep the single-worker names.
  const names = stored.map((line) => line.key.slice(line.key.lastIndexOf('/') + 1));
  expect(names.some((name) => /^w1-\d{20}\./.test(name))).toBe(true);
  expect(names.some((name) => /^\d{20}\./.test(name))).toBe(true);

  // Back to one worker: it still finds and forwards partition 1 (nothing left in it here).
  const single = await startSluice(['start', '--data-dir', dir, '--port', '0'], READY);
  const stoppedSingle = await single.stop('SIGTERM');
  expect(stoppedSingle, stoppedSingle.stderr).toMatchObject({ code: 0, signal: null });
  expect(
    await readStoredEvents(createFsStore({ root: join(dir, 'store') }), 'events/'),
  ).toHaveLength(batches * perBatch);
}, 120_000);
