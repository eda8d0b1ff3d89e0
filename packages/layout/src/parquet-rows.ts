// How an event becomes a Parquet row and back. The common fields get typed columns (strings,
// UTC timestamps, the page and library fields of `context`); `properties`, `traits`, the rest of
// `context` and `integrations` are JSON columns, so no event's shape can fail a write and a
// number in one event and a string in the next both survive. A value a typed column cannot hold
// exactly (a number as userId, a time in another ISO form, a top-level field outside the schema)
// is kept as sent in `extra`, which overrides the typed value when the event is read back.

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

/** The row of an event whose (corrected) event time is `eventTime`, ms since the epoch (or NaN). */
export function eventToRow(event: Row, eventTime: number): Row {
  const row: Row = {};
  const extra: Row = {};
  for (const { name, type } of TOP_LEVEL) {
    const value = event[name];
    if (name === 'timestamp') {
      // The queue header's time is the corrected event time the file's partition is chosen by.
      // NaN (no event time known): the column stays null and the value sent is kept in `extra`.
      const known = !Number.isNaN(eventTime);
      row[name] = known ? microsOf(eventTime) : null;
      if (value !== undefined && (!known || value !== new Date(eventTime).toISOString())) {
        extra[name] = value;
      }
    } else if (value === undefined || value === null) {
      row[name] = null;
    } else if (type === 'STRING') {
      row[name] = typeof value === 'string' ? value : JSON.stringify(value);
      if (typeof value !== 'string') extra[name] = value;
    } else if (type === 'TIMESTAMP') {
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      row[name] = Number.isNaN(ms) ? null : microsOf(ms);
      if (Number.isNaN(ms) || new Date(ms).toISOString() !== value) extra[name] = value;
    } else {
      row[name] = value;
    }
  }
  Object.assign(row, splitContext(row.context));
  for (const key of Object.keys(event)) if (!DECLARED.has(key)) setOwn(extra, key, event[key]);
  row.extra = Object.keys(extra).length === 0 ? null : extra;
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

// Takes the string fields of CONTEXT_FIELDS out of `context` (a copy) into their columns.
function splitContext(context: unknown): Row {
  const columns: Row = Object.fromEntries(
    CONTEXT_FIELDS.map((path) => [contextColumn(path), null]),
  );
  if (!isObject(context)) return columns;
  const rest: Row = { ...context };
  for (const path of CONTEXT_FIELDS) {
    const [object, field] = path;
    const inner = rest[object];
    if (!isObject(inner) || typeof inner[field] !== 'string') continue;
    columns[contextColumn(path)] = inner[field];
    const { [field]: _taken, ...others } = inner;
    if (Object.keys(others).length === 0) delete rest[object];
    else rest[object] = others;
  }
  return { ...columns, context: rest };
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
