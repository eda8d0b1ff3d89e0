// Just enough of the source map format (v3) to name the TypeScript line behind a position in a
// bundle: CPU profiles carry bundle positions. Written here because the profile summary needs
// only this lookup, not a dependency.

import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** A position in a source file: path relative to `root`, 1-based line. */
export interface SourcePosition {
  source: string;
  line: number;
}

/** Decodes one segment's base64 VLQ fields. */
function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}

/**
 * Loads `<bundle>.map` and returns a lookup from a 0-based bundle line and column to the
 * source position (undefined where the map says nothing).
 */
export function loadSourceMap(
  bundlePath: string,
  root: string,
): (line: number, column: number) => SourcePosition | undefined {
  const map = JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')) as {
    sources: string[];
    mappings: string;
  };
  const sources = map.sources.map((s) => relative(root, resolve(dirname(bundlePath), s)));
  // Per bundle line: [column, source, line] triples in column order.
  const lines: Array<Array<[number, number, number]>> = [];
  let source = 0;
  let sourceLine = 0;
  for (const text of map.mappings.split(';')) {
    const segments: Array<[number, number, number]> = [];
    let column = 0;
    for (const segment of text.split(',')) {
      if (!segment) continue;
      const f = decodeSegment(segment);
      column += f[0]!;
      if (f.length < 4) continue;
      source += f[1]!;
      sourceLine += f[2]!;
      segments.push([column, source, sourceLine]);
    }
    lines.push(segments);
  }
  return (line, column) => {
    let found: [number, number, number] | undefined;
    for (const segment of lines[line] ?? []) {
      if (segment[0] > column) break;
      found = segment;
    }
    found ??= lines[line]?.[0];
    return found && { source: sources[found[1]]!, line: found[2] + 1 };
  };
}
