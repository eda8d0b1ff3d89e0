// NDJSON as every sluice file holds it (inside its compression): one JSON value a line, each
// line ending in `\n`, the bodies byte for byte as they were queued.

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
// Fatal: bytes that are not UTF-8 must not be rewritten with replacement characters.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The NDJSON of `bodies`: each byte for byte, then `\n`. */
export function encodeNdjson(bodies: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const body of bodies) total += body.byteLength + 1;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const body of bodies) {
    out.set(body, offset);
    offset += body.byteLength;
    out[offset++] = NEWLINE;
  }
  return out;
}

/** The NDJSON of text lines (none may hold a `\n`): each line, then `\n`. */
export function encodeNdjsonText(lines: readonly string[]): Uint8Array {
  return encoder.encode(lines.map((line) => `${line}\n`).join(''));
}

/**
 * The lines of NDJSON, without their `\n` (a last line without one counts too; empty lines are
 * kept). Throws a TypeError on bytes that are not UTF-8.
 */
export function decodeNdjson(ndjson: Uint8Array): string[] {
  const lines = decoder.decode(ndjson).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines in an NDJSON buffer (each ends in `\n`; a last line without one counts too). */
export function countLines(ndjson: Uint8Array): number {
  let lines = 0;
  for (const byte of ndjson) if (byte === NEWLINE) lines++;
  if (ndjson.byteLength > 0 && ndjson[ndjson.byteLength - 1] !== NEWLINE) lines++;
  return lines;
}

/** Joins NDJSON buffers, adding the newline a buffer may lack at its end. */
export function concatNdjson(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.byteLength + (endsWithNewline(part) ? 0 : 1);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
    if (!endsWithNewline(part)) out[offset++] = NEWLINE;
  }
  return out;
}

function endsWithNewline(part: Uint8Array): boolean {
  return part.byteLength === 0 || part[part.byteLength - 1] === NEWLINE;
}
