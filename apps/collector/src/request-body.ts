import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { CollectorError } from './errors.js';

// text/plain is what sendBeacon sends for a string body (a CORS "simple" request, no preflight).
const ACCEPTED_TYPES = new Set(['text/plain', 'application/json']);

/**
 * Refuses (415) any content type but text/plain and application/json, whose charset, if
 * given, must be UTF-8: the body is decoded as UTF-8 whatever it says.
 */
export function checkContentType(header: string | undefined): void {
  const [type = '', ...params] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (!ACCEPTED_TYPES.has(type)) {
    throw new CollectorError(
      415,
      'unsupported_media_type',
      'Content-Type must be application/json or text/plain',
    );
  }
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((part) => part.trim());
    if (name === 'charset' && value.replace(/"/g, '') !== 'utf-8') {
      throw new CollectorError(415, 'unsupported_media_type', 'the charset must be utf-8');
    }
  }
}

/**
 * Refuses bodies over `maxBytes` with 413 while reading them, before any parsing; hono's
 * bodyLimit also counts chunked bodies that carry no Content-Length.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new CollectorError(
        413,
        'payload_too_large',
        `the request body is larger than ${maxBytes} bytes`,
      );
    },
  });
}

/** Parses a JSON object body; anything else is a 400. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new CollectorError(400, 'invalid_json', `the body is not valid JSON${detail}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CollectorError(400, 'invalid_batch', 'the body must be a JSON object', { path: '' });
  }
  return value as Record<string, unknown>;
}
