// The lake formats side by side, in one run (issue #17): the benchmark's events spread over
// several days are drained by the forwarder (its own process, default options) once as gzip
// NDJSON and once as zstd Parquet; then the sizes of the files it wrote, and DuckDB's time for
// the README's query and for a filtered one over each store, in turns.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BuiltServers } from '../build-servers.js';
import type { Settings } from '../settings.js';
import { median } from '../stats.js';
import { type DrainMeasures, drainInChild } from './forwarder-suite.js';
import { type Preloaded, preloadQueue } from './preload-queue.js';

/** The formats compared: the default and the one for query engines. */
export const LAKE_FORMATS = ['ndjson-gzip', 'parquet'] as const;
export type LakeFormat = (typeof LAKE_FORMATS)[number];

const HOUR_MS = 3_600_000;
const HIVE = `hive_partitioning = true, hive_types = {'dt': DATE, 'hh': INTEGER}`;

/** How DuckDB reads each format's files under `root` (as the README and `sluice query` do). */
const READERS: Record<LakeFormat, (root: string) => string> = {
  'ndjson-gzip': (root) =>
    `read_ndjson('${root}/events/**/*.ndjson.gz', union_by_name = true, ${HIVE})`,
  parquet: (root) => `read_parquet('${root}/events/**/*.parquet', union_by_name = true, ${HIVE})`,
};

export interface LakeQuery {
  name: string;
  /** The SQL over a store's files. */
  sql: (from: string) => string;
}

/** The README's query, and a filtered one: one day, one event name. */
export function lakeQueries(day: string, event: string): LakeQuery[] {
  return [
    {
      name: "README's query (events by day and name)",
      sql: (from) => `SELECT dt, event, count(*) AS n
FROM ${from}
WHERE type = 'track'
GROUP BY dt, event
ORDER BY dt, event`,
    },
    {
      name: `one day, one event name (dt = ${day}, event = '${event}')`,
      sql: (from) => `SELECT count(*) AS n, count(DISTINCT anonymousId) AS visitors
FROM ${from}
WHERE dt = DATE '${day}' AND event = '${event}'`,
    },
  ];
}

export interface LakeDrain extends DrainMeasures {
  format: LakeFormat;
}

export interface LakeQueryTimes {
  query: string;
  /** Wall time of each round, per format. */
  ms: Record<LakeFormat, number[]>;
  /** The rows each format gave (the same, or the comparison is void). */
  rows: Record<LakeFormat, number>;
}

export interface LakeResults {
  preloaded: Preloaded;
  hours: number;
  drains: LakeDrain[];
  queries: LakeQueryTimes[];
  rounds: number;
}

/** The filter's values: the first whole UTC day of the run's events, and one of the names. */
function filterValues(firstTime: number): { day: string; event: string } {
  const day = new Date(Math.ceil(firstTime / (24 * HOUR_MS)) * 24 * HOUR_MS);
  return { day: day.toISOString().slice(0, 10), event: 'Product Added' };
}

export async function runLakeSuite(
  settings: Settings,
  built: BuiltServers,
  cpuProfileDir: string | undefined,
): Promise<LakeResults> {
  const { events, hours, rounds } = settings.lake;
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-lake-'));
  try {
    console.log(`lake: preloading ${events} events over ${hours} hours`);
    const firstTime = Date.now() - hours * HOUR_MS;
    const preloaded = await preloadQueue(join(dir, 'queue'), events, (hours * HOUR_MS) / events);
    const drains: LakeDrain[] = [];
    for (const format of LAKE_FORMATS) {
      // Each drain gets its own copy of the log: a drain acknowledges (and so consumes) it.
      const queueDir = join(dir, `queue-${format}`);
      await cp(join(dir, 'queue'), queueDir, { recursive: true });
      const { values, measures } = await drainInChild(
        built,
        {
          queueDir,
          store: { kind: 'fs', root: join(dir, format) },
          expected: events,
          options: { format },
        },
        { label: `lake-forwarder-${format}`, cpuProfileDir },
        `the ${format} store`,
      );
      await rm(queueDir, { recursive: true, force: true });
      if (values.linesWritten !== events) {
        throw new Error(`forwarder (${format}) wrote ${values.linesWritten} of ${events} events`);
      }
      const drain: LakeDrain = { format, ...measures };
      console.log(
        `lake: forwarder to ${format}: ${Math.round(drain.elapsedMs)} ms, CPU ${Math.round(drain.cpuMs)} ms, ` +
          `${(preloaded.ndjsonBytes / 1e6 / (drain.cpuMs / 1000)).toFixed(1)} MB/s per CPU-second, ${drain.fileSizes.length} files`,
      );
      drains.push(drain);
    }

    const { day, event } = filterValues(firstTime);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const queries: LakeQueryTimes[] = [];
    try {
      for (const query of lakeQueries(day, event)) {
        const times: LakeQueryTimes = {
          query: query.name,
          ms: { 'ndjson-gzip': [], parquet: [] },
          rows: { 'ndjson-gzip': 0, parquet: 0 },
        };
        const answers = new Map<LakeFormat, string>();
        // A first run of each is not timed (the files into the page cache); then in turns.
        for (let round = -1; round < rounds; round++) {
          for (const format of LAKE_FORMATS) {
            const sql = query.sql(READERS[format](join(dir, format)));
            const began = performance.now();
            const reader = await connection.runAndReadAll(sql);
            const ms = performance.now() - began;
            const rows = reader.getRowObjectsJson();
            if (round < 0) {
              answers.set(format, JSON.stringify(rows));
              times.rows[format] = rows.length;
            } else times.ms[format].push(ms);
          }
        }
        if (answers.get('ndjson-gzip') !== answers.get('parquet')) {
          throw new Error(`the formats answer "${query.name}" differently`);
        }
        console.log(
          `lake: ${query.name}: ` +
            LAKE_FORMATS.map((f) => `${f} ${Math.round(median(times.ms[f]))} ms`).join(', '),
        );
        queries.push(times);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    return { preloaded, hours, drains, queries, rounds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
