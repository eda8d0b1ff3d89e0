// `sluice quality --from --to`: the delivery ledger. Per source, day, browser family and
// transport: the events stored, the gaps in the sessions' event numbers (events a client
// numbered that never arrived), repeats left in the store, and the delay from event time to
// arrival. DuckDB over the store's gzip NDJSON, as `sluice usage`.
import { resolve } from 'node:path';
import { eventsGlob, FORMATS } from '@sluice/layout';
import type { Command } from 'commander';
import { addStoreReportCommand, sqlString } from '../lib/store-report.js';

/** The report's columns, in order. */
export const QUALITY_COLUMNS = [
  'source',
  'day',
  'browser',
  'transport',
  'events',
  'numbered',
  'gaps',
  'repeats',
  'delay_p50_ms',
  'delay_p99_ms',
] as const;

/** The day before `day` (YYYY-MM-DD). */
const dayBefore = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * The ledger's query. A session is (source, anonymousId, `context.sessionId` or Snowplow's
 * `sid`); its events carry `context.eventIndex` from 1. A gap is a number below the highest
 * seen that no stored event has, counted on the row of the first event stored after it (the
 * one that shows it). The day before `from` is read too, so a session that began before
 * midnight shows no gap at its start; only rows of `from`..`to` are reported.
 */
export function qualityQuery(storeDir: string, from: string, to: string): string {
  const glob = eventsGlob(resolve(storeDir), FORMATS['ndjson-gzip'].extension);
  return `WITH stored AS (
  SELECT source, dt AS day,
    json->>'$.messageId' AS message_id,
    coalesce(json->>'$.context.browser.name', 'unknown') AS browser,
    coalesce(json->>'$.context.transport', 'unknown') AS transport,
    json->>'$.anonymousId' AS anonymous_id,
    coalesce(json->>'$.context.sessionId', json->>'$.context.snowplow.sid') AS session,
    TRY_CAST(json->>'$.context.eventIndex' AS BIGINT) AS event_index,
    epoch_ms(TRY_CAST(json->>'$.receivedAt' AS TIMESTAMP))
      - epoch_ms(TRY_CAST(json->>'$.timestamp' AS TIMESTAMP)) AS delay_ms
  FROM read_ndjson_objects(${sqlString(glob)}, hive_partitioning = true,
                           hive_types = {'dt': DATE, 'hh': INTEGER})
  WHERE dt BETWEEN DATE ${sqlString(dayBefore(from))} AND DATE ${sqlString(to)}
),
copies AS (
  SELECT *, row_number() OVER (PARTITION BY source, message_id ORDER BY day) AS copy
  FROM stored
),
-- Each number of a session once (two tabs may rarely take the same one: not a loss).
numbers AS (
  SELECT *, row_number() OVER (
    PARTITION BY source, anonymous_id, session, event_index ORDER BY day, message_id) AS once
  FROM copies
  WHERE copy = 1 AND event_index IS NOT NULL AND session IS NOT NULL AND anonymous_id IS NOT NULL
),
gaps AS (
  SELECT source, message_id,
    greatest(event_index - coalesce(lag(event_index) OVER (
      PARTITION BY source, anonymous_id, session ORDER BY event_index), 0) - 1, 0) AS gap_before
  FROM numbers WHERE once = 1
)
SELECT source, day, browser, transport,
  count(*) FILTER (WHERE copy = 1) AS events,
  count(event_index) FILTER (WHERE copy = 1) AS numbered,
  coalesce(sum(gap_before), 0)::BIGINT AS gaps,
  count(*) FILTER (WHERE copy > 1) AS repeats,
  quantile_disc(delay_ms, 0.5) FILTER (WHERE copy = 1) AS delay_p50_ms,
  quantile_disc(delay_ms, 0.99) FILTER (WHERE copy = 1) AS delay_p99_ms
FROM copies LEFT JOIN gaps USING (source, message_id)
WHERE day BETWEEN DATE ${sqlString(from)} AND DATE ${sqlString(to)}
GROUP BY ALL
ORDER BY day, source, browser, transport`;
}

export function addQualityCommand(program: Command): void {
  addStoreReportCommand(program, {
    name: 'quality',
    description:
      'the delivery ledger: events, gaps, repeats and delay per source, day, browser, transport',
    help: `
Reads what the forwarder stored (events/source=<id>/dt=<day>/, ndjson-gzip files).
  events        events stored (each messageId once)
  numbered      of those, events with a session number (context.eventIndex: the sluice tag,
                Snowplow's client_session)
  gaps          session numbers below the highest seen that no stored event has: lost events,
                counted on the row of the first event stored after them
  repeats       further copies of a messageId in the store (0 when the forwarder removed them;
                those it removed: sluice_forwarder_repeats_dropped_total in its /metrics)
  delay_p50_ms  median of receivedAt - timestamp (event time to arrival); delay_p99_ms the 99th
transport is how the request came (beacon, fetch, pixel; resend: the tag's retries and what
earlier pages left; unknown without Fetch Metadata, e.g. from a server). An event the page's beforeSend drops, or one over 32 KB, is a gap too.
Example:
  sluice quality --from 2026-03-01 --to 2026-03-07 --store-dir data/store`,
    columns: QUALITY_COLUMNS,
    query: qualityQuery,
  });
}
