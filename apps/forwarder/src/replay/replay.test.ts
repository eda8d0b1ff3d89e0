// Replay from the real log into both real stores (a directory and s3rver), twice.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readParquetRows } from '@sluice/layout/parquet';
import { type LogQueue, openLogQueue, openLogReader, type QueueMessage } from '@sluice/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digests, gzipMtime, linesOf, snapshot, trackMessage } from '../bulk/test-support.js';
import { parquetZstd, zstdParquet } from '../formats/parquet-zstd.js';
import { gzipLevel6, startForwarder } from '../node.js';
import { waitFor } from '../test-support.js';
import { storeKindsClosedAfterAll } from '../testing/store-kinds.js';
import { type ReplayProgress, replayQueue } from './replay.js';

const HOUR = 3_600_000;
const DAY1 = Date.UTC(2026, 10, 23, 22);

/** 120 events over five hours of two days and two sources, a quarantined one, and a resend. */
function history(): QueueMessage[] {
  const messages = Array.from({ length: 120 }, (_, n) =>
    trackMessage(n, DAY1 + (n % 5) * HOUR + n * 1000, { source: n % 4 === 0 ? 'blog' : 'shop' }),
  );
  // A resend right after the original (position 2): the same messageId, one line is kept.
  messages.splice(2, 0, messages[1] as QueueMessage);
  messages.push({ ...trackMessage(999, DAY1), kind: 'quarantine' });
  return messages;
}

/** The distinct events (first copy of each messageId), as lines. */
function distinct(messages: QueueMessage[]): string[] {
  const seen = new Set<string>();
  return bodies(messages.filter((m) => !seen.has(m.id) && seen.add(m.id)));
}

const bodies = (messages: QueueMessage[]) => messages.map((m) => new TextDecoder().decode(m.body));

const cases = storeKindsClosedAfterAll();

let dir: string;
let queue: LogQueue;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-replay-'));
  queue = await openLogQueue({ dir, durability: 'none', segmentBytes: 4096 });
  // Several appends, so the history spans several segments.
  const messages = history();
  for (let i = 0; i < messages.length; i += 20) await queue.append(messages.slice(i, i + 20));
});
afterEach(async () => {
  await queue.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(cases)('replay into the $name store', (storeCase) => {
  it('writes every entry of the range once, and the same keys and bytes when run again', async () => {
    const store = await storeCase.create();
    const seen: ReplayProgress[] = [];
    const options = { maxFileBytes: 2_000, minFileBytes: 1 };
    const first = await replayQueue(
      { source: openLogReader(dir), store, compress: gzipLevel6, onProgress: (p) => seen.push(p) },
      { ...options, readBatchSize: 25 },
    );
    const firstRun = await snapshot(store);

    // Every key is under the request's own folder, in the live layout, named by a position.
    const keys = [...firstRun.keys()];
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) {
      expect(key).toMatch(
        /^replay\/0-122\/(events\/source=(shop|blog)\/dt=2026-11-2[34]\/hh=\d\d|quarantine\/source=shop\/dt=2026-11-23)\/\d{20}\.ndjson\.gz$/,
      );
    }
    // Each line once: all 121 distinct events (the resend of m-1 dropped), none lost.
    const lines = [...firstRun.values()].flatMap(linesOf);
    expect(lines.sort()).toEqual(distinct(history()).sort());
    // A file is named by the position of its first line; gzip headers carry no time.
    for (const [key, gz] of firstRun) {
      const position = Number(key.slice(-30, -10));
      expect(linesOf(gz)[0]).toBe(bodies(history())[position]);
      expect(gzipMtime(gz)).toBe(0);
    }
    expect(first).toMatchObject({ from: 0, to: 122, read: 122, lines: 121, repeatsDropped: 1 });
    expect(first.files).toBe(keys.length);
    // Progress came batch by batch while it ran.
    const reads = seen.map((p) => p.read);
    expect(reads.length).toBeGreaterThanOrEqual(6);
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
    expect(reads.every((read) => read <= 122)).toBe(true);
    expect(seen.at(-1)).toEqual(first);

    // Run again, with other upload concurrency: the same request gives the same objects.
    await replayQueue(
      { source: openLogReader(dir), store, compress: gzipLevel6 },
      { ...options, to: 122, uploadConcurrency: 1 },
    );
    expect(digests(await snapshot(store))).toEqual(digests(firstRun));
  });

  it('writes events as Parquet with --format parquet (quarantine stays gzip), the same bytes again', async () => {
    const store = await storeCase.create();
    const deps = { source: openLogReader(dir), store, compress: gzipLevel6, format: zstdParquet };
    const options = { maxFileBytes: 2_000, minFileBytes: 1 };
    const result = await replayQueue(deps, options);
    const objects = await snapshot(store);
    const ids: string[] = [];
    const times = new Map(history().map((m) => [m.id, m.time]));
    for (const [key, bytes] of objects) {
      if (key.includes('/quarantine/')) {
        expect(key).toMatch(/\.ndjson\.gz$/);
        continue;
      }
      expect(key).toMatch(/^replay\/0-122\/events\/.*\/\d{20}\.parquet$/);
      const { rows } = await readParquetRows(bytes, parquetZstd);
      ids.push(...rows.map((row) => String(row.messageId)));
      for (const row of rows) {
        expect((row.timestamp as Date).getTime()).toBe(times.get(String(row.messageId)));
      }
    }
    // Every event once (the resend dropped), each with its event time.
    const events = history().filter((m) => m.kind === 'event');
    expect(ids.sort()).toEqual([...new Set(events.map((m) => m.id))].sort());
    expect(result).toMatchObject({ lines: 121, repeatsDropped: 1 });

    await replayQueue(
      { ...deps, source: openLogReader(dir) },
      { ...options, uploadConcurrency: 1 },
    );
    expect(digests(await snapshot(store))).toEqual(digests(objects));
  });

  it('replays only the event-time range asked for, into a folder named by it', async () => {
    const store = await storeCase.create();
    const since = DAY1 + HOUR;
    const until = DAY1 + 3 * HOUR;
    const request = { since, until, from: 10 };
    const result = await replayQueue(
      { source: openLogReader(dir), store, compress: gzipLevel6 },
      request,
    );
    const objects = await snapshot(store);
    const prefix = 'replay/10-122_20261123T230000Z-20261124T010000Z/';
    expect([...objects.keys()].every((key) => key.startsWith(prefix))).toBe(true);
    const expected = history()
      .slice(10)
      .filter((m) => m.time >= since && m.time < until);
    const lines = [...objects.values()].flatMap(linesOf);
    expect(lines.sort()).toEqual(bodies(expected).sort());
    expect(result).toMatchObject({ read: 112, outsideTimeRange: 112 - expected.length });
    // Hours 23 and 00 only: the range covers whole partitions.
    expect(new Set([...objects.keys()].map((key) => key.split('/').slice(4, 6).join('/')))).toEqual(
      new Set(['dt=2026-11-23/hh=23', 'dt=2026-11-24/hh=00']),
    );

    await replayQueue(
      { source: openLogReader(dir), store, compress: gzipLevel6 },
      {
        ...request,
        to: 122,
      },
    );
    expect(digests(await snapshot(store))).toEqual(digests(objects));
  });

  it('leaves the files of the live forwarder alone', async () => {
    const store = await storeCase.create();
    const live = await startForwarder({
      queue,
      store,
      options: { readWaitMs: 5, minFileBytes: 1, maxFileBytes: 3_000, maxFileAgeMs: 60_000 },
    });
    await waitFor(() => live.stats().read === 122);
    await live.stop();
    const liveFiles = await snapshot(store, 'events/');
    expect(liveFiles.size).toBeGreaterThan(0);

    await replayQueue(
      { source: openLogReader(dir), store, compress: gzipLevel6 },
      {
        maxFileBytes: 3_000,
        minFileBytes: 1,
      },
    );
    expect(digests(await snapshot(store, 'events/'))).toEqual(digests(liveFiles));
    const replayed = await snapshot(store, 'replay/0-122/');
    expect([...replayed.values()].flatMap(linesOf).sort()).toEqual(distinct(history()).sort());
  });
});

it('refuses positions the log no longer holds, and a range past its end', async () => {
  const source = openLogReader(dir);
  const store = await cases[0]!.create();
  await expect(replayQueue({ source, store, compress: gzipLevel6 }, { from: 200 })).rejects.toThrow(
    /from 200 is past to 122/,
  );
  await expect(
    replayQueue({ source, store, compress: gzipLevel6 }, { from: 0, to: 500 }),
  ).rejects.toThrow(/to 500 is past the end of the log \(122\)/);
  await expect(
    replayQueue({ source, store, compress: gzipLevel6 }, { maxFileBytes: 1000 }),
  ).rejects.toThrow(/maxFileBytes/);
});
