// How an event becomes a Parquet row and back. The common fields get typed columns (strings,
// UTC timestamps, the page and library fields of `context`); `properties`, `traits`, the rest of
// `context` and `integrations` are JSON columns, so no event's shape can fail a write and a
// number in one event and a string in the next both survive. A value a typed column cannot hold
// exactly (a number as userId, a time in another ISO form, a top-level field outside the schema)
// is kept as sent in `extra`, which overrides the typed value when the event is read back.

import { canonicalIsoMs } from './iso-time.js';

type Row = Record<string, unknown>;
export type ParquetColumnType = 'STRING' | 'TIMESTAMP' | 'JSON';

/** A column: its name and type. */
export interface ParquetColumn {
  name: string;
  type: ParquetColumnType;
}

// `context.<object>.<field>` with a column of its own, named `context_<object>_<field>`.
const CONTEXT_FIELDS = [
  ['page', 'url'],
  ['page', 'path'],
  ['page', 'referrer'],
  ['page', 'title'],
  ['page', 'search'],
  ['library', 'name'],
  ['library', 'version'],
] as const;
const contextColumn = ([object, field]: readonly [string, string]) => `context_${object}_${field}`;

const TOP_LEVEL: ReadonlyArray<ParquetColumn> = [
  { name: 'messageId', type: 'STRING' },
  { name: 'type', type: 'STRING' },
  { name: 'event', type: 'STRING' },
  { name: 'name', type: 'STRING' },
  { name: 'category', type: 'STRING' },
  { name: 'userId', type: 'STRING' },
  { name: 'anonymousId', type: 'STRING' },
  { name: 'groupId', type: 'STRING' },
  { name: 'previousId', type: 'STRING' },
  { name: 'timestamp', type: 'TIMESTAMP' },
  { name: 'originalTimestamp', type: 'STRING' },
  { name: 'sentAt', type: 'TIMESTAMP' },
  { name: 'receivedAt', type: 'TIMESTAMP' },
  { name: 'timestampClamped', type: 'STRING' },
  { name: 'properties', type: 'JSON' },
  { name: 'traits', type: 'JSON' },
  { name: 'context', type: 'JSON' },
  { name: 'integrations', type: 'JSON' },
];

/** The columns, in file order. Timestamps are UTC microseconds; `timestamp` is the event time. */
export const PARQUET_COLUMNS: ReadonlyArray<ParquetColumn> = [
  ...TOP_LEVEL,
  ...CONTEXT_FIELDS.map((path) => ({ name: contextColumn(path), type: 'STRING' as const })),
  { name: 'extra', type: 'JSON' },
];

const DECLARED = new Set(TOP_LEVEL.map((column) => column.name));
const INDEX = new Map(PARQUET_COLUMNS.map((column, index) => [column.name, index]));
const at = (name: string) => INDEX.get(name)!;
const TIMESTAMP_AT = at('timestamp');
const CONTEXT_AT = at('context');
const EXTRA_AT = at('extra');
// The columns of CONTEXT_FIELDS by object: [object, [field, column index]...].
const CONTEXT_OBJECTS = [...new Set(CONTEXT_FIELDS.map(([object]) => object))].map(
  (object) =>
    [
      object,
      CONTEXT_FIELDS.filter((path) => path[0] === object).map(
        ([, field]) => [field, at(contextColumn([object, field]))] as const,
      ),
    ] as const,
);

/** Values a column, in PARQUET_COLUMNS order: what a file's row group is written from. */
export type ColumnValues = unknown[][];

/** Empty columns to append events to. */
export function emptyColumns(): ColumnValues {
  return PARQUET_COLUMNS.map(() => []);
}

/**
 * Appends the row of an event whose (corrected) event time is `eventTime`, ms since the epoch
 * (or NaN), to `columns`: each field straight into its column, no row object in between (the
 * forwarder's Parquet files are written from these). `event` is left as it was.
 */
export function appendEvent(columns: ColumnValues, event: Row, eventTime: number): void {
  let extra: Row | undefined;
  const keep = (name: string, value: unknown) => {
    extra ??= {};
    setOwn(extra, name, value);
  };
  for (let index = 0; index < TOP_LEVEL.length; index++) {
    const { name, type } = TOP_LEVEL[index]!;
    const column = columns[index]!;
    const value = event[name];
    if (index === TIMESTAMP_AT) {
      // The queue header's time is the corrected event time the file's partition is chosen by.
      // NaN (no event time known): the column stays null and the value sent is kept in `extra`.
      const known = !Number.isNaN(eventTime);
      column.push(known ? microsOf(eventTime) : null);
      if (value !== undefined && (!known || !isIsoOf(value, eventTime))) keep(name, value);
    } else if (index === CONTEXT_AT) {
      column.push(splitContext(columns, value) ?? null);
    } else if (value === undefined || value === null) {
      column.push(null);
    } else if (type === 'STRING') {
      if (typeof value === 'string') column.push(value);
      else {
        column.push(JSON.stringify(value));
        keep(name, value);
      }
    } else if (type === 'TIMESTAMP') {
      const canonical = typeof value === 'string' ? canonicalIsoMs(value) : undefined;
      const ms = canonical ?? (typeof value === 'string' ? Date.parse(value) : Number.NaN);
      column.push(Number.isNaN(ms) ? null : microsOf(ms));
      if (canonical === undefined && (Number.isNaN(ms) || new Date(ms).toISOString() !== value)) {
        keep(name, value);
      }
    } else {
      column.push(value);
    }
  }
  for (const key in event)
    if (!DECLARED.has(key) && Object.hasOwn(event, key)) keep(key, event[key]);
  columns[EXTRA_AT]!.push(extra ?? null);
}

// Whether `value` is the ISO string of `ms`, as toISOString writes it.
function isIsoOf(value: unknown, ms: number): boolean {
  if (typeof value !== 'string') return false;
  const read = canonicalIsoMs(value);
  return read !== undefined && Number.isInteger(ms)
    ? read === ms
    : value === new Date(ms).toISOString();
}

/** The row of an event whose (corrected) event time is `eventTime`, ms since the epoch (or NaN). */
export function eventToRow(event: Row, eventTime: number): Row {
  const columns = emptyColumns();
  appendEvent(columns, event, eventTime);
  const row: Row = {};
  PARQUET_COLUMNS.forEach(({ name }, index) => {
    row[name] = columns[index]![0];
  });
  return row;
}

/** The event a row holds: what `eventToRow` was given, up to key order and ISO forms. */
export function rowToEvent(row: Row): Row {
  const event: Row = {};
  for (const { name, type } of TOP_LEVEL) {
    const value = row[name];
    if (value === undefined || value === null) continue;
    event[name] = type === 'TIMESTAMP' ? toIso(value) : value;
  }
  const context = joinContext(row);
  if (context !== undefined) event.context = context;
  const extra = row.extra;
  if (isObject(extra)) for (const key of Object.keys(extra)) setOwn(event, key, extra[key]);
  return event;
}

// Sets `key` as an own property, also when it is `__proto__` (JSON.parse makes it one; an
// assignment or Object.assign would set the object's prototype instead and lose it).
function setOwn(target: Row, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

// Appends the string fields of CONTEXT_FIELDS to their columns and returns the rest of
// `context` (for its JSON column). The rest is a copy whose taken fields are undefined, which
// JSON.stringify leaves out: cheaper than deleting keys (that slows an object down).
function splitContext(columns: ColumnValues, context: unknown): unknown {
  if (!isObject(context)) {
    for (const [, fields] of CONTEXT_OBJECTS) for (const [, at] of fields) columns[at]!.push(null);
    return context;
  }
  let rest: Row | undefined;
  for (const [object, fields] of CONTEXT_OBJECTS) {
    const inner = context[object];
    let left: Row | undefined;
    for (const [field, at] of fields) {
      const value = isObject(inner) ? inner[field] : undefined;
      if (typeof value !== 'string') {
        columns[at]!.push(null);
        continue;
      }
      columns[at]!.push(value);
      left ??= { ...(inner as Row) };
      left[field] = undefined;
    }
    if (!left) continue;
    rest ??= { ...context };
    rest[object] = hasValues(left) ? left : undefined;
  }
  return rest ?? context;
}

function hasValues(object: Row): boolean {
  for (const key in object) if (object[key] !== undefined) return true;
  return false;
}

function joinContext(row: Row): unknown {
  let context = row.context ?? undefined;
  for (const path of CONTEXT_FIELDS) {
    const value = row[contextColumn(path)];
    if (value === undefined || value === null) continue;
    const [object, field] = path;
    const base: Row = isObject(context) ? { ...context } : {};
    base[object] = { ...(isObject(base[object]) ? base[object] : {}), [field]: value };
    context = base;
  }
  return context;
}

/** Microseconds since the epoch (what the TIMESTAMP columns hold) of `ms`, milliseconds. */
function microsOf(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1000n;
}

// A timestamp as the reader gives it (a Date, whatever the file's unit) or as `eventToRow`
// made it (bigint microseconds); a number is milliseconds (rows of files written before).
function toIso(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return new Date(Number(value / 1000n)).toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  return value;
}

function isObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
