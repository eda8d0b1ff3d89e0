// The output is queryable as it lies: DuckDB reads the forwarder's files with Hive partitioning
// (the query of the README's "Querying with DuckDB"), from a directory store and from S3.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLogQueue, openLogReader, type QueueMessage } from '@sluice/queue';
import type { ObjectStore } from '@sluice/store';
import { afterAll, describe, expect, it } from 'vitest';
import { storeCases, trackMessage } from './bulk/test-support.js';
import { gzipLevel6, startForwarder } from './node.js';
import { replayQueue } from './replay/replay.js';
import { waitFor } from './test-support.js';

const START = Date.UTC(2026, 10, 23, 20);
const NAMES = ['Signed Up', 'Order Completed', 'Page Viewed'];

/**
 * 300 events every 12 minutes from 2026-11-23 20:00 (60 hours over four days), named in turn,
 * from two sources; plus a resend (dropped) and a quarantined record (not under events/).
 */
function traffic(): QueueMessage[] {
  const messages = Array.from({ length: 300 }, (_, n) =>
    trackMessage(n, START + n * 12 * 60_000, { source: n % 2 === 0 ? 'shop' : 'blog' }),
  );
  messages.splice(5, 0, messages[4] as QueueMessage);
  messages.push({ ...trackMessage(1_000, START), kind: 'quarantine' });
  return messages;
}

/** The counts by event name and UTC day, computed from the same numbers, not from the files. */
function expectedCounts(): Array<{ event: string; dt: string; n: number }> {
  const counts = new Map<string, number>();
  for (let n = 0; n < 300; n++) {
    const key = `${NAMES[n % 3]}|${new Date(START + n * 12 * 60_000).toISOString().slice(0, 10)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, n]) => {
      const [event, dt] = key.split('|') as [string, string];
      return { event, dt, n };
    })
    .sort((a, b) => a.dt.localeCompare(b.dt) || a.event.localeCompare(b.event));
}

const QUERY = (root: string) => `
  SELECT event, dt, count(*)::INTEGER AS n
  FROM read_ndjson('${root}/events/**/*.ndjson.gz',
                   hive_partitioning = true, hive_types = {'dt': DATE, 'hh': INTEGER})
  GROUP BY event, dt
  ORDER BY dt, event`;

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Copies every object of `store` under `prefix` to `root`: key `<prefix>a/b` to `<root>/a/b`. */
async function download(store: ObjectStore, prefix: string, root: string): Promise<number> {
  let files = 0;
  for await (const { key } of store.list(prefix)) {
    const bytes = await store.get(key);
    if (!bytes) throw new Error(`listed ${key} but cannot get it`);
    const path = join(root, key.slice(prefix.length));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    files++;
  }
  return files;
}

const cases = storeCases();
const dirs: string[] = [];
afterAll(async () => {
  for (const c of cases) await c.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-duckdb-'));
  dirs.push(dir);
  return dir;
}

describe.each(cases)('DuckDB over the files of the $name store', (storeCase) => {
  it('counts events by name and day with Hive partitions, each event once', async () => {
    const store = await storeCase.create();
    const queueDir = await tempDir();
    const queue = await openLogQueue({ dir: queueDir, durability: 'none' });
    const messages = traffic();
    const forwarder = await startForwarder({
      queue,
      store,
      options: { readWaitMs: 5 },
    });
    for (let i = 0; i < messages.length; i += 50) await queue.append(messages.slice(i, i + 50));
    await waitFor(() => forwarder.stats().read === messages.length);
    await forwarder.stop();

    // The S3 case reads a local copy: DuckDB's httpfs cannot be installed offline.
    const root = await tempDir();
    const copied = await download(store, 'events/', join(root, 'events'));
    expect(copied).toBe(120); // 60 hours x 2 sources
    const expected = expectedCounts();
    expect(new Set(expected.map((row) => row.dt)).size).toBe(4);
    expect(await query(QUERY(root))).toEqual(expected);

    // The partition columns are typed and match each line's own time.
    expect(
      await query(`
        SELECT count(*)::INTEGER AS n,
               count(*) FILTER (WHERE dt = CAST(timestamp AS DATE)
                                  AND hh = hour(CAST(timestamp AS TIMESTAMP)))::INTEGER AS matching,
               count(DISTINCT source)::INTEGER AS sources, typeof(any_value(dt)) AS dt_type
        FROM read_ndjson('${root}/events/**/*.ndjson.gz',
                         hive_partitioning = true, hive_types = {'dt': DATE, 'hh': INTEGER})`),
    ).toEqual([{ n: 300, matching: 300, sources: 2, dt_type: 'DATE' }]);

    // A replay folder has the same layout: the same query over it gives the same counts.
    await replayQueue({ source: openLogReader(queueDir), store, compress: gzipLevel6 });
    const replayRoot = await tempDir();
    await download(store, 'replay/0-302/', replayRoot);
    expect(await query(QUERY(replayRoot))).toEqual(expected);
    await queue.close();
  });
});
