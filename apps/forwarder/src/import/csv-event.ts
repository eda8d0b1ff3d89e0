// How a CSV row becomes an event: the header names the fields, dots nest them
// (`properties.plan`, `context.page.url`), and a cell of an object column (`properties`,
// `context`, `traits`, `integrations`) that holds a JSON object is taken as that object.
// Cells stay strings otherwise: guessing numbers from text would make "007" lose its zeros;
// typed values go in a JSON column. Empty cells are left out, as if the field were absent.

const JSON_COLUMNS = new Set(['properties', 'context', 'traits', 'integrations']);
// Keys that would reach Object.prototype through a plain object.
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type CsvEvent = { event: Record<string, unknown> } | { error: string };

/** Builds the event of one row; `header` must have passed `checkCsvHeader`. */
export function csvRowToEvent(header: readonly string[], cells: readonly string[]): CsvEvent {
  if (cells.length !== header.length) {
    return { error: `row has ${cells.length} fields, the header has ${header.length}` };
  }
  const event: Record<string, unknown> = {};
  for (let i = 0; i < header.length; i++) {
    const cell = cells[i] as string;
    if (cell === '') continue;
    const path = (header[i] as string).split('.');
    let value: unknown = cell;
    if (path.length === 1 && JSON_COLUMNS.has(path[0] as string) && cell.startsWith('{')) {
      try {
        value = JSON.parse(cell);
      } catch {
        return { error: `column ${header[i]} is not a JSON object` };
      }
    }
    setPath(event, path, value);
  }
  return { event };
}

/** Checks a header: names present, unique, and no name both a value and a parent. */
export function checkCsvHeader(header: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of header) {
    const parts = name.split('.');
    if (parts.some((part) => part === '')) return `header has an empty column name: "${name}"`;
    if (parts.some((part) => UNSAFE_KEYS.has(part))) return `header names "${name}": not allowed`;
    if (seen.has(name)) return `header names "${name}" twice`;
    seen.add(name);
  }
  for (const name of header) {
    const parts = name.split('.');
    for (let n = 1; n < parts.length; n++) {
      const parent = parts.slice(0, n).join('.');
      if (seen.has(parent)) {
        return `header has both "${parent}" and "${name}"`;
      }
    }
  }
  return undefined;
}

// The header check rules out a field that is both a value and a parent, so every parent
// met here is an object this function made.
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}
