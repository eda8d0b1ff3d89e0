// `sluice usage --from --to`: events and bytes per source per day, counted in the store with
// DuckDB (the store's `source=` and `dt=` folders, so only the days asked for are read).
import { resolve } from 'node:path';
import { eventsGlob, FORMATS } from '@sluice/layout';
import type { Command } from 'commander';
import { addStoreReportCommand, sqlString } from '../lib/store-report.js';

/** The report's query: one row per source and day, `bytes` the stored JSON of its events. */
export function usageQuery(storeDir: string, from: string, to: string): string {
  const glob = eventsGlob(resolve(storeDir), FORMATS['ndjson-gzip'].extension);
  return `SELECT source, dt AS day, count(*) AS events, sum(strlen(json::VARCHAR)) AS bytes
FROM read_ndjson_objects(${sqlString(glob)}, hive_partitioning = true,
                         hive_types = {'dt': DATE, 'hh': INTEGER})
WHERE dt BETWEEN DATE ${sqlString(from)} AND DATE ${sqlString(to)}
GROUP BY ALL
ORDER BY day, source`;
}

export function addUsageCommand(program: Command): void {
  addStoreReportCommand(program, {
    name: 'usage',
    description: 'events and bytes per source per day, from the store (DuckDB)',
    help: `
Counts what the forwarder stored (events/source=<id>/dt=<day>/, ndjson-gzip files): the day is
the event's partition day. Bytes are those of each event's JSON as stored. What a collector
counts right now is in its /metrics (sluice_source_events_today, sluice_source_bytes_today).
Example:
  sluice usage --from 2026-03-01 --to 2026-03-31 --store-dir data/store`,
    columns: ['source', 'day', 'events', 'bytes'],
    query: usageQuery,
  });
}
