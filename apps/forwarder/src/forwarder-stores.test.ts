// The forwarder's promises, run against both real stores: a local directory and an
// S3-compatible server (s3rver) started by the test. Restarts use the real log queue and the
// dedup index on disk, as `startForwarder` sets them up.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogQueue, openLogQueue, type QueueMessage } from '@sluice/queue';
import { createS3Store, type ObjectStore } from '@sluice/store';
import { type S3Server, startS3Server } from '@sluice/testkit/s3';
import { open as openLmdb } from 'lmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DedupIndex } from './dedup/dedup-index.js';
import { openLmdbDedupIndex } from './dedup/lmdb-dedup-index.js';
import { createForwarder, type Forwarder } from './forwarder.js';
import { gzipLevel6 } from './node.js';
import { type ForwarderOptionsInput, parseForwarderOptions } from './options.js';
import {
  bodyText,
  cleanupsAfterEach,
  FAST,
  isRecordingSave,
  message,
  NOW,
  readAllLines,
  readFiles,
  runUntilCrash,
  tempFsStore,
  waitFor,
} from './test-support.js';

let s3: S3Server;
let s3Stores = 0;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(() => s3?.close());

const cleanups = cleanupsAfterEach();

async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sluice-${name}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const STORES: Array<[string, () => Promise<ObjectStore>]> = [
  [
    'local directory',
    async () => {
      const { store, cleanup } = await tempFsStore();
      cleanups.push(cleanup);
      return store;
    },
  ],
  [
    's3rver',
    // A fresh prefix per test: an empty store on the one server.
    async () =>
      createS3Store({
        bucket: s3.bucket,
        ...s3.clientConfig,
        // s3rver answers a listing that races a put with a 500 now and then: retry as S3 clients do.
        maxAttempts: 4,
        prefix: `test-${s3Stores++}`,
      }),
  ],
];

/** Fails the first put of every data file once: each upload must be retried. */
function failingFirstPuts(store: ObjectStore, failed: string[]): ObjectStore {
  return {
    ...store,
    put(key, body, options) {
      if (!key.startsWith('_sluice/') && !failed.includes(key)) {
        failed.push(key);
        return Promise.reject(new Error(`injected: put ${key} failed`));
      }
      return store.put(key, body, options);
    },
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
  };
}

interface Run {
  queue: LogQueue;
  forwarder: Forwarder;
  index: DedupIndex;
  clock: { now: number };
  /** Appends, then waits until the forwarder has read all the log holds past where it started. */
  feed(messages: QueueMessage[]): Promise<void>;
  /** Like a crash: no flush, queue and index closed. */
  crash(): Promise<void>;
}

async function startRun(
  logDir: string,
  stateDir: string,
  store: ObjectStore,
  options: ForwarderOptionsInput = {},
): Promise<Run> {
  const queue = await openLogQueue({ dir: logDir, durability: 'none' });
  const consumer = await queue.consumer('forwarder');
  const startedAt = consumer.committed;
  const index = await openLmdbDedupIndex(stateDir);
  const clock = { now: NOW };
  const forwarder = createForwarder({
    consumer,
    store,
    compress: gzipLevel6,
    dedupIndex: index,
    now: () => clock.now,
    options: { ...FAST, ...options },
  });
  const crash = runUntilCrash(forwarder, async () => {
    await queue.close();
    await index.close();
  });
  cleanups.push(crash);
  return {
    queue,
    forwarder,
    index,
    clock,
    async feed(messages) {
      await queue.append(messages);
      const target = queue.stats().nextPosition - startedAt;
      await waitFor(() => forwarder.stats().read === target, 10_000);
    },
    crash,
  };
}

/** Stops cleanly (everything flushed and acknowledged), then closes like a crash would. */
async function stopRun(run: Run): Promise<void> {
  await run.forwarder.stop();
  await run.crash();
}

describe.each(STORES)('a forwarder writing to %s', (_name, openStore) => {
  it('rotates each partition by size and by age, naming each file by its first position', async () => {
    const store = await openStore();
    const run = await startRun(await tempDir('log'), await tempDir('state'), store, {
      maxFileBytes: 400,
      maxFileAgeMs: 60_000,
    });
    // 43–45 bytes a line: three files for 10:00 by size; one line for 09:00, cut by age.
    const hh10 = Array.from({ length: 20 }, (_, n) => message(n, { pad: 10 }));
    const hh09 = message(20, { time: Date.UTC(2026, 10, 24, 9) });
    await run.feed([...hh10, hh09]);
    await waitFor(() => run.forwarder.stats().filesWritten === 2);
    expect(await readAllLines(store, 'events/source=shop/dt=2026-11-24/hh=09/')).toEqual([]);

    run.clock.now += 60_000;
    await waitFor(() => run.forwarder.stats().filesWritten === 4);
    // s3rver lists keys in its own order across folders: sort them.
    const files = (await readFiles(store)).sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(files[0]).toEqual({
      key: 'events/source=shop/dt=2026-11-24/hh=09/00000000000000000020.ndjson.gz',
      lines: [bodyText(hh09)],
    });
    const hourFiles = files.slice(1);
    expect(hourFiles).toHaveLength(3);
    for (const file of hourFiles) {
      const first = JSON.parse(file.lines[0]!) as { n: number };
      expect(file.key).toBe(
        `events/source=shop/dt=2026-11-24/hh=10/${String(first.n).padStart(20, '0')}.ndjson.gz`,
      );
      expect(file.lines.reduce((sum, line) => sum + line.length + 1, 0)).toBeLessThanOrEqual(400);
    }
    expect(hourFiles.flatMap((f) => f.lines)).toEqual(hh10.map(bodyText));
    await stopRun(run);
  });

  it('drops a repeat that arrives after a restart, in another hour even, and acknowledges it', async () => {
    const store = await openStore();
    const [logDir, stateDir] = [await tempDir('log'), await tempDir('state')];
    const first = await startRun(logDir, stateDir, store);
    const originals = Array.from({ length: 5 }, (_, n) => message(n));
    await first.feed(originals);
    await stopRun(first);

    const second = await startRun(logDir, stateDir, store);
    // A resend of m1 whose corrected time crossed into the next hour, a resend of m3, a new m5.
    const resent = [
      { ...message(1), time: Date.UTC(2026, 10, 24, 11, 0, 1) },
      message(3),
      message(5),
    ];
    await second.feed(resent);
    await stopRun(second);

    expect(second.forwarder.stats()).toMatchObject({ read: 3, repeatsDropped: 2, acked: 3 });
    expect((await readAllLines(store)).sort()).toEqual(
      [...originals, message(5)].map(bodyText).sort(),
    );
    const reopened = await openLogQueue({ dir: logDir, durability: 'none' });
    expect((await reopened.consumer('forwarder')).committed).toBe(8);
    await reopened.close();
  });

  it('drops the repeats of ids in an index written before packed keys, after the upgrade', async () => {
    const store = await openStore();
    const [logDir, stateDir] = [await tempDir('log'), await tempDir('state')];
    // The old forwarder stored m1 and a UUID id at positions of a log since trimmed, in the
    // slot of now, as string keys in `slot-<n>`.
    const uuid = '0f8e2c1a-5b3d-4e6f-9a7b-8c9d0e1f2a3b';
    const slot = Math.floor(NOW / parseForwarderOptions(FAST).dedupSlotMs);
    const old = openLmdb({ path: stateDir, maxDbs: 266 });
    const db = old.openDB<number, string>({ name: `slot-${slot}` });
    await db.put('m1', 1_000);
    await db.put(uuid, 1_001);
    await old.close();

    const run = await startRun(logDir, stateDir, store);
    await run.feed([message(1), message(2, { id: uuid }), message(3)]);
    await stopRun(run);
    expect(run.forwarder.stats()).toMatchObject({ read: 3, repeatsDropped: 2, acked: 3 });
    expect(await readAllLines(store)).toEqual([bodyText(message(3))]);
  });

  it('retries failed uploads with backoff: each file written once, under its own key', async () => {
    const failed: string[] = [];
    const store = await openStore();
    const run = await startRun(
      await tempDir('log'),
      await tempDir('state'),
      failingFirstPuts(store, failed),
      { maxFileBytes: 200 },
    );
    const messages = Array.from({ length: 30 }, (_, n) => message(n, { pad: 10 }));
    await run.feed(messages);
    await stopRun(run);

    const files = await readFiles(store);
    expect(files.map((f) => f.key).sort()).toEqual([...failed].sort());
    expect(files.flatMap((f) => f.lines)).toEqual(messages.map(bodyText));
    expect(run.forwarder.stats()).toMatchObject({ failures: failed.length, acked: 30 });
  });

  it('writes no event twice nor loses one when it crashed after the upload and the id record, before the checkpoint', async () => {
    const store = await openStore();
    const [logDir, stateDir] = [await tempDir('log'), await tempDir('state')];
    // The first recording checkpoint save fails: the file is uploaded and its ids are recorded
    // as stored, but the watermark is not saved and nothing is acknowledged.
    const noCheckpoint: ObjectStore = {
      ...store,
      put: (key, body, options) =>
        isRecordingSave(key, body)
          ? Promise.reject(new Error('injected: checkpoint failed'))
          : store.put(key, body, options),
      get: (key) => store.get(key),
      list: (prefix) => store.list(prefix),
      delete: (key) => store.delete(key),
    };
    const messages = Array.from({ length: 12 }, (_, n) => message(n, { pad: 10 }));
    const first = await startRun(logDir, stateDir, noCheckpoint, { maxFileBytes: 250 });
    // Reading stops at the failing checkpoint: wait for the failure, not for every read.
    await first.queue.append(messages);
    await waitFor(() => first.forwarder.stats().failures > 0);
    expect(first.forwarder.stats().dedup.ids).toBeGreaterThan(0);
    const inDoubt = await readFiles(store);
    expect(inDoubt).toHaveLength(1);
    await first.crash();

    // The re-run finds the in-doubt file's ids stored at their own positions: the same
    // events, kept and written again under the same key, not dropped as repeats.
    const second = await startRun(logDir, stateDir, store, { maxFileBytes: 1_000 });
    await second.feed([]);
    await stopRun(second);
    const files = await readFiles(store);
    expect(files.flatMap((f) => f.lines)).toEqual(messages.map(bodyText));
    expect(files[0]!.key).toBe(inDoubt[0]!.key);
    expect(second.forwarder.stats()).toMatchObject({ repeatsDropped: 0, acked: 12 });
  });
});
