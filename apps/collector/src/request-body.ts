import { parseJsonObject } from '@sluice/ingest';
import { CollectorError } from './errors.js';

// text/plain is what sendBeacon sends for a string body (a CORS "simple" request, no preflight).
// RudderStack's Node SDK labels its JSON (gzip) body as a form: read as JSON all the same, and
// no wider for browsers than text/plain, which is a simple request too.
const ACCEPTED_TYPES = new Set([
  'text/plain',
  'application/json',
  'application/x-www-form-urlencoded',
]);

/**
 * Refuses (415) any content type but text/plain and application/json, whose charset, if
 * given, must be UTF-8: the body is decoded as UTF-8 whatever it says.
 */
export function checkContentType(header: string | undefined): void {
  // Clients send the same header on every request: the last accepted one needs no parsing.
  if (header !== undefined && header === lastAcceptedType) return;
  const [type = '', ...params] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (!ACCEPTED_TYPES.has(type)) {
    throw new CollectorError(
      415,
      'unsupported_media_type',
      'Content-Type must be application/json or text/plain (a JSON body)',
    );
  }
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((part) => part.trim());
    if (name === 'charset' && value.replace(/"/g, '') !== 'utf-8') {
      throw new CollectorError(415, 'unsupported_media_type', 'the charset must be utf-8');
    }
  }
  lastAcceptedType = header;
}

let lastAcceptedType: string | undefined;

function tooLarge(maxBytes: number, what = 'the request body'): CollectorError {
  return new CollectorError(413, 'payload_too_large', `${what} is larger than ${maxBytes} bytes`);
}

/** Refuses (415) a Content-Encoding other than gzip; returns whether the body is gzip. */
export function checkContentEncoding(header: string | undefined): boolean {
  const encoding = (header ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return false;
  if (encoding === 'gzip' || encoding === 'x-gzip') return true;
  throw new CollectorError(415, 'unsupported_media_type', 'Content-Encoding must be gzip or none');
}

/** Passes bytes on, and errors the stream with a 413 once more than `maxBytes` went by. */
function countBytes(maxBytes: number, what: string): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > maxBytes) controller.error(tooLarge(maxBytes, what));
      else controller.enqueue(chunk);
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Stop reading (and inflating) at once: a compressed bomb never grows past the limit.
      reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

// Deflate inflates at most about 1032:1, so feeding the inflater 1 KB at a time bounds what
// one step can produce to about 1 MB, whatever the client's chunks are.
const INFLATE_PIECE_BYTES = 1024;

/**
 * Inflates gzip with the Web DecompressionStream, piece by piece, stopping as soon as the
 * output passes `maxBytes`: a compressed bomb costs at most the limit plus one step.
 */
async function inflate(compressed: ReadableStream<Uint8Array>, maxBytes: number) {
  const gunzip = new DecompressionStream('gzip');
  const writer = gunzip.writable.getWriter();
  let stopped = false;
  const output = collect(gunzip.readable as ReadableStream<Uint8Array>, maxBytes).catch(
    (error: unknown) => {
      stopped = true;
      writer.abort(error).catch(() => {});
      throw error;
    },
  );
  const input = compressed.getReader();
  try {
    while (!stopped) {
      const { done, value } = await input.read();
      if (done) {
        await writer.close();
        break;
      }
      for (let at = 0; at < value.byteLength && !stopped; at += INFLATE_PIECE_BYTES) {
        // Request bodies are never backed by a SharedArrayBuffer.
        await writer.write(value.subarray(at, at + INFLATE_PIECE_BYTES) as Uint8Array<ArrayBuffer>);
      }
    }
  } catch (error) {
    // Invalid gzip or a broken body: the output side rejects with the reason.
    writer.abort(error).catch(() => {});
  }
  if (stopped) input.cancel().catch(() => {});
  return output;
}

/**
 * Reads the body, refusing (413) more than `maxBytes` before any parsing: at once when
 * Content-Length announces more, else while reading, so chunked bodies are bounded too. Both
 * the compressed and the inflated size of a gzip body are bounded by `maxBytes`. A body that
 * breaks off or is not valid gzip is a 400.
 */
export async function readBody(
  request: Request,
  options: { maxBytes: number; gzip: boolean },
): Promise<Uint8Array> {
  const { maxBytes, gzip } = options;
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  try {
    // The fast path (one read, no stream) when the length is known and bounded.
    if (!gzip && declared >= 0) return new Uint8Array(await request.arrayBuffer());
    if (!request.body) return new Uint8Array(0);
    const counted = request.body.pipeThrough(countBytes(maxBytes, 'the request body'));
    if (!gzip) return await collect(counted, maxBytes);
    return await inflate(counted, maxBytes);
  } catch (error) {
    if (error instanceof CollectorError) throw error;
    throw new CollectorError(
      400,
      'unreadable_body',
      gzip
        ? 'the request body could not be read or is not valid gzip'
        : 'the request body could not be read',
    );
  }
}

/**
 * Decodes UTF-8 and parses a JSON object, at most MAX_JSON_DEPTH levels deep (@sluice/ingest
 * does both); anything else is a 400.
 */
export function parseJsonBody(bytes: Uint8Array): Record<string, unknown> {
  const parsed = parseJsonObject(bytes);
  if (parsed.ok) return parsed.value;
  const { code, message } = parsed.problem;
  throw new CollectorError(400, code, message, code === 'invalid_batch' ? { path: '' } : {});
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a UTF-8 body (a form, say); anything else is a 400. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CollectorError(400, 'unreadable_body', 'the body is not valid UTF-8');
  }
}
