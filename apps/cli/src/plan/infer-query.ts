// The DuckDB query of `sluice plan infer`: per event type and name, how many events, and per
// field of `properties` (or `traits`) how many had each JSON type. Gzip NDJSON, the store's
// default format, of one source.
import { resolve } from 'node:path';
import { ANY_NAME } from '@sluice/ingest';
import { eventsGlob, FORMATS } from '@sluice/layout';
import type { FieldCount } from './infer-plan.js';

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The query over `storeDir`'s events of `source`; the newest `limit` events when given. */
export function inferQuery(storeDir: string, source: string, limit?: number): string {
  const glob = eventsGlob(resolve(storeDir), FORMATS['ndjson-gzip'].extension);
  const take = limit === undefined ? '' : `ORDER BY dt DESC, hh DESC LIMIT ${Math.floor(limit)}`;
  return `WITH e AS (
  SELECT json->>'type' AS type,
         CASE WHEN json->>'type' = 'track' THEN coalesce(json->>'event', ${sqlString(ANY_NAME)})
              ELSE ${sqlString(ANY_NAME)} END AS name,
         CASE WHEN json->>'type' IN ('identify', 'group') THEN json->'traits'
              ELSE json->'properties' END AS fields
  FROM read_ndjson_objects(${sqlString(glob)}, hive_partitioning = true,
                           hive_types = {'dt': DATE, 'hh': INTEGER})
  WHERE source = ${sqlString(source)}
  ${take}
), f AS (
  SELECT type, name, fields, unnest(json_keys(fields)) AS key
  FROM e WHERE json_type(fields) = 'OBJECT'
)
SELECT type, name, NULL AS key, NULL AS json_type, count(*) AS count FROM e GROUP BY ALL
UNION ALL
SELECT type, name, key,
       json_type(json_extract(fields, '$."' || replace(key, '"', '\\"') || '"')) AS json_type,
       count(*) AS count
FROM f GROUP BY ALL`;
}

/** The query's rows as counts. */
export function fieldCounts(rows: readonly Record<string, unknown>[]): FieldCount[] {
  return rows.map((row) => ({
    type: String(row.type),
    name: String(row.name),
    key: row.key === null || row.key === undefined ? null : String(row.key),
    jsonType: row.json_type === null || row.json_type === undefined ? null : String(row.json_type),
    count: Number(row.count),
  }));
}
