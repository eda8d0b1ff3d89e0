// The bytes a messageId takes as a key of the LMDB dedup index. The index's pages grow with
// the keys (each B-tree leaf node is its key, its value and about 10 bytes more), and ids are
// kept for the whole window: a 36-character UUID took 76 B of pages an id. So the two common
// shapes are packed, and the mapping stays exact (no hash, no collision to argue), because the
// filter is refilled from these keys after a restart and needs the ids back:
//   - a UUID in canonical lowercase form (Segment's libraries, randomUUID): its 16 bytes;
//   - an id of decimal digits only (sluice's own tag: four 32-bit numbers, 37–40 digits):
//     DIGITS, then two digits a byte, a last odd digit padded with the nibble F (21 bytes);
//   - any other string: TEXT, then its UTF-8 bytes.
// Only UUIDs are 16 bytes long: another key that would be is padded with one byte (END after
// the digits, TEXT before the text). Neither tag byte occurs in UTF-8 (so not in the text),
// and the digits stop at the first F nibble: every key reads back as the one id it came from.
// An uppercase UUID is another id than its lowercase form, so it is kept as text.

/** First byte of a key of digits. */
const DIGITS = 0xfd;
/** First byte (twice when the key would be 16 bytes long) of a key of UTF-8 text. */
const TEXT = 0xff;
/** Pads a key of digits that would be 16 bytes long. */
const END = 0xff;
const UUID_BYTES = 16;
const UUID_LENGTH = 36;
const HEX = '0123456789abcdef';

/**
 * Writes the key of `id` into `target` at `start`; returns the offset after it. Bytes are
 * written as they are: lmdb-js starts an iteration of all keys at the key [0].
 */
export function writeIdKey(id: string | Uint8Array, target: Buffer, start: number): number {
  if (typeof id !== 'string') {
    target.set(id, start);
    return start + id.byteLength;
  }
  if (id.length === UUID_LENGTH && writeUuid(id, target, start)) return start + UUID_BYTES;
  if (id.length > 0 && isDigits(id)) return writeDigits(id, target, start);
  let p = start;
  target[p++] = TEXT;
  if (1 + Buffer.byteLength(id, 'utf8') === UUID_BYTES) target[p++] = TEXT;
  return p + target.write(id, p, 'utf8');
}

/** The id whose key is `source[start, end)`. */
export function readIdKey(source: Uint8Array, start: number, end: number): string {
  if (end - start === UUID_BYTES) return readUuid(source, start);
  if (source[start] === DIGITS) return readDigits(source, start + 1, end);
  let p = start;
  while (source[p] === TEXT) p++;
  return Buffer.from(source.buffer, source.byteOffset + p, end - p).toString('utf8');
}

/** Writes the 16 bytes of a canonical lowercase UUID; false (nothing usable written) otherwise. */
function writeUuid(id: string, target: Buffer, start: number): boolean {
  let p = start;
  for (let i = 0; i < UUID_LENGTH; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 0x2d) return false;
      i--; // the next pair starts right after the hyphen
      continue;
    }
    const high = hexValue(id.charCodeAt(i));
    const low = hexValue(id.charCodeAt(i + 1));
    if (high < 0 || low < 0) return false;
    target[p++] = (high << 4) | low;
  }
  return true;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

function readUuid(source: Uint8Array, start: number): string {
  let out = '';
  for (let i = 0; i < UUID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    const byte = source[start + i] as number;
    out += HEX[byte >> 4] + HEX[byte & 15]!;
  }
  return out;
}

function isDigits(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function writeDigits(id: string, target: Buffer, start: number): number {
  let p = start;
  target[p++] = DIGITS;
  for (let i = 0; i < id.length; i += 2) {
    const high = id.charCodeAt(i) - 0x30;
    const low = i + 1 < id.length ? id.charCodeAt(i + 1) - 0x30 : 15;
    target[p++] = (high << 4) | low;
  }
  if (p - start === UUID_BYTES) target[p++] = END;
  return p;
}

function readDigits(source: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let p = start; p < end; p++) {
    const byte = source[p] as number;
    if (byte >> 4 === 15) break;
    out += String.fromCharCode(0x30 + (byte >> 4));
    if ((byte & 15) === 15) break;
    out += String.fromCharCode(0x30 + (byte & 15));
  }
  return out;
}
