// Snowplow's tracker protocol v2: the `payload_data` body its trackers POST to
// `/com.snowplowanalytics.snowplow/tp2` (and the query string of `GET /i`, one event) onto the
// batch that `ingestBatch` turns into stored events. Snowplow has no write key: each event
// names its app (`aid`), and the collector picks the source by it. The mapping of one event
// is in snowplow-event.ts.
import { type BatchRequest, type FieldIssue, MAX_BATCH_EVENTS } from '@sluice/schema';
import { mapSnowplowEvent } from './snowplow-event.js';

type Fields = Record<string, unknown>;

/** `iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-<n>`: every 1-0-x. */
const PAYLOAD_SCHEMA = /^iglu:com\.snowplowanalytics\.snowplow\/payload_data\/jsonschema\/1-0-\d+$/;

/** The events of a body, or why the body as a whole is refused. */
export type SnowplowPayload = { ok: true; events: Fields[] } | { ok: false; issue: FieldIssue };

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `payload_data` body: `{ schema: "iglu:...payload_data/jsonschema/1-0-4", data: [...] }`. */
export function snowplowPayload(body: Fields): SnowplowPayload {
  if (typeof body.schema !== 'string' || !PAYLOAD_SCHEMA.test(body.schema)) {
    return {
      ok: false,
      issue: {
        path: 'schema',
        message: 'schema must be iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-x',
      },
    };
  }
  const { data } = body;
  if (!Array.isArray(data) || data.length === 0 || !data.every(isPlainObject)) {
    return {
      ok: false,
      issue: { path: 'data', message: 'data must be a non-empty array of event objects' },
    };
  }
  if (data.length > MAX_BATCH_EVENTS) {
    return {
      ok: false,
      issue: { path: 'data', message: `data holds at most ${MAX_BATCH_EVENTS} events` },
    };
  }
  return { ok: true, events: data };
}

/** The app id (`aid`) an event names, or undefined. */
export function snowplowAppId(params: Fields): string | undefined {
  return typeof params.aid === 'string' && params.aid !== '' ? params.aid : undefined;
}

/** The batch to ingest, and the issues of the events the mapping already refused. */
export interface SnowplowBatch {
  batch: BatchRequest;
  /** By index into `batch.batch`: these events go to quarantine with these issues. */
  issues: Map<number, FieldIssue[]>;
}

/**
 * An event that could not be mapped, as it goes to quarantine: its parameters as sent, under
 * `snowplow`, except that `eid` is its messageId (a retry is quarantined once) and an `ip`
 * parameter is in `context.ip`, where quarantine anonymizes it like any other.
 */
function unmapped(params: Fields): Fields {
  const snowplow: Fields = {};
  for (const key of Object.keys(params)) {
    if (key !== '__proto__' && key !== 'ip') snowplow[key] = params[key];
  }
  const record: Fields = { snowplow };
  if (typeof params.eid === 'string') record.messageId = params.eid;
  if (params.ip !== undefined) record.context = { ip: params.ip };
  return record;
}

/** Maps each event (see snowplow-event.ts); the ones that cannot be mapped carry issues. */
export function fromSnowplow(events: Fields[]): SnowplowBatch {
  const issues = new Map<number, FieldIssue[]>();
  const batch = events.map((params, index) => {
    const mapped = mapSnowplowEvent(params);
    if (mapped.ok) return mapped.event;
    issues.set(index, mapped.issues);
    return unmapped(params);
  });
  return { batch: { batch }, issues };
}

/** The parameters of `GET /i` as one event (each parameter's last value, as Snowplow reads them). */
export function snowplowQueryEvent(query: URLSearchParams): Fields {
  const params: Fields = {};
  for (const [name, value] of query) if (name !== '__proto__') params[name] = value;
  return params;
}
