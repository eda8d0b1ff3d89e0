// How to fix a config problem: the field's documentation from the config's JSON Schema (the
// same text as the README's reference), or for a misspelt name the name that was meant.
import { configJsonSchema } from '@sluice/collector';
import type { JsonPath } from './locate.js';

interface Schema {
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
}

let root: Schema | undefined;

/** The schema of the value at `path` (array indexes step into items). */
function schemaAt(path: JsonPath): Schema | undefined {
  root ??= configJsonSchema() as Schema;
  let schema: Schema | undefined = root;
  for (const part of path) {
    if (!schema) return undefined;
    const object: Schema | undefined = schema.properties
      ? schema
      : schema.anyOf?.find((s) => s.properties || s.items);
    schema =
      typeof part === 'number' ? (object?.items ?? schema.items) : object?.properties?.[part];
  }
  return schema;
}

/** The field's meaning, as the reference documents it. */
export function describeField(path: JsonPath): string | undefined {
  for (let length = path.length; length > 0; length--) {
    if (typeof path[length - 1] === 'number') continue;
    const description = schemaAt(path.slice(0, length))?.description;
    if (description) return description;
  }
  return undefined;
}

/** The names an object at `path` may have. */
export function knownNames(path: JsonPath): string[] {
  const schema = schemaAt(path);
  const object = schema?.properties ? schema : schema?.anyOf?.find((s) => s.properties);
  return Object.keys(object?.properties ?? {});
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The fix for an unknown name: the known name it most likely misspells, else the known ones. */
export function unknownNameFix(path: JsonPath, name: string): string {
  const known = knownNames(path);
  const closest = known
    .map((candidate) => ({ candidate, d: distance(name, candidate) }))
    .sort((a, b) => a.d - b.d)[0];
  if (closest && closest.d <= Math.max(2, Math.floor(name.length / 3))) {
    return `did you mean "${closest.candidate}"?`;
  }
  return known.length > 0
    ? `remove it; the names allowed here are ${known.map((n) => `"${n}"`).join(', ')}`
    : 'remove it';
}
