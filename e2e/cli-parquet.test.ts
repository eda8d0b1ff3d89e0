import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jsonLines, postDemoBatch, runSluice, startSluice } from './cli-process.js';

// `sluice start --format parquet` as a user runs it: a real process fed over HTTP and stopped
// with Ctrl+C, twice (two files in one partition); DuckDB (`sluice query`) reads the Parquet files
// with Hive partitions; then `sluice compact` merges them into one Parquet file and `sluice erase`
// rewrites it without one user's events.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-parquet-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const READY = /Press Ctrl\+C to stop/;
// Client time in a past hour (sentAt is now, so no skew correction moves it): the partition
// is closed, as compaction wants it.
const TIMESTAMP = '2026-11-24T10:15:00.000Z';
const PARTITION = 'events/source=demo/dt=2026-11-24/hh=10/';

/** One run of `sluice start --format parquet` that takes `events` and is stopped with Ctrl+C. */
async function runOnce(events: Record<string, unknown>[]): Promise<void> {
  const sluice = await startSluice(
    ['start', '--data-dir', dir, '--port', '0', '--format', 'parquet'],
    READY,
  );
  expect(sluice.stdout()).toContain(`read_parquet('${dir}/store/events/**/*.parquet'`);
  const answer = await postDemoBatch(
    sluice.stdout(),
    events.map((event) => ({ timestamp: TIMESTAMP, ...event })),
    { sentAt: new Date().toISOString() },
  );
  expect(await answer.json()).toMatchObject({ accepted: events.length });
  const stopped = await sluice.stop('SIGINT');
  expect(stopped, stopped.stderr).toMatchObject({ code: 0, signal: null });
}

/** Runs `sql` with `sluice query` (DuckDB), as a user would; the rows as JSON. */
async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const result = await runSluice(['query', sql, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return jsonLines(result.stdout);
}

const track = (n: number, userId: string, price: unknown) => ({
  type: 'track',
  event: n % 2 === 0 ? 'Order Completed' : 'Product Viewed',
  messageId: `pq-${n}`,
  userId,
  properties: { price },
});

it('start --format parquet writes Parquet that DuckDB queries; compact and erase work on it', async () => {
  // Mixed types across events: price a number in some events, a string in others.
  await runOnce([0, 1, 2].map((n) => track(n, 'u-erase', n + 0.5)));
  await runOnce([3, 4, 5, 6].map((n) => track(n, `u-${n}`, n === 4 ? 'free' : n)));
  const store = join(dir, 'store');
  const files = (await readdir(join(store, PARTITION))).filter((f) => !f.startsWith('_'));
  expect(files).toHaveLength(2);
  expect(files.every((f) => f.endsWith('.parquet'))).toBe(true);

  const glob = `${store}/events/**/*.parquet`;
  const counts = `SELECT event, dt::VARCHAR AS dt, hh, count(*)::INTEGER AS n,
                         list(properties->>'$.price' ORDER BY messageId) AS prices
                  FROM read_parquet('${glob}', hive_partitioning = true,
                                    hive_types = {'dt': DATE, 'hh': INTEGER})
                  GROUP BY ALL ORDER BY event`;
  expect(await duckdb(counts)).toEqual([
    {
      event: 'Order Completed',
      dt: '2026-11-24',
      hh: 10,
      n: 4,
      prices: ['0.5', '2.5', 'free', '6'],
    },
    { event: 'Product Viewed', dt: '2026-11-24', hh: 10, n: 3, prices: ['1.5', '3', '5'] },
  ]);
  // `sluice query` without SQL reads the Parquet files too.
  const queried = await runSluice(['query', '--store-dir', store, '--json']);
  expect(queried.code, queried.stderr).toBe(0);
  expect(jsonLines(queried.stdout)).toEqual([
    { dt: '2026-11-24', type: 'track', event: 'Order Completed', events: '4' },
    { dt: '2026-11-24', type: 'track', event: 'Product Viewed', events: '3' },
  ]);

  const compacted = await runSluice(['compact', '--store-dir', store, '--target-mib', '1']);
  expect(compacted.code, compacted.stderr).toBe(0);
  expect(JSON.parse(compacted.stdout)).toMatchObject({ compacted: 1, failed: [] });
  const after = (await readdir(join(store, PARTITION))).filter((f) => !f.startsWith('_'));
  expect(after).toEqual([expect.stringMatching(/\.c1\.parquet$/)]);
  expect(await duckdb(counts)).toEqual([
    expect.objectContaining({
      event: 'Order Completed',
      n: 4,
      prices: ['0.5', '2.5', 'free', '6'],
    }),
    expect.objectContaining({ event: 'Product Viewed', n: 3 }),
  ]);

  const erased = await runSluice([
    'erase',
    '--store-dir',
    store,
    '--user-id',
    'u-erase',
    '--queue',
    'none',
  ]);
  expect(erased.code, erased.stderr).toBe(0);
  expect(JSON.parse(erased.stdout)).toMatchObject({ store: { eventsRemoved: 3 } });
  expect(
    await duckdb(`SELECT count(*)::INTEGER AS n, count(*) FILTER (userId = 'u-erase')::INTEGER AS gone,
                         count(*) FILTER (json_type(properties->'$.price') = 'VARCHAR')::INTEGER AS strings
                  FROM read_parquet('${glob}')`),
  ).toEqual([{ n: 4, gone: 0, strings: 1 }]);
}, 180_000);
