import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Machine-readable error codes the collector answers with. */
export type ErrorCode =
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'unreadable_body'
  | 'invalid_json'
  | 'invalid_batch'
  | 'unauthorized'
  | 'origin_not_allowed'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'not_found'
  | 'method_not_allowed'
  | 'queue_full'
  | 'queue_unavailable'
  | 'too_many_viewers'
  | 'internal_error';

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; path?: string };
}

/** A refusal with its HTTP status: thrown inside handlers, turned into JSON by `errorResponse`. */
export class CollectorError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly options: { path?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'CollectorError';
  }
}

/** Builds the JSON answer for a CollectorError. */
export function errorResponse(c: Context, error: CollectorError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.options.path !== undefined) body.error.path = error.options.path;
  return c.json(body, error.status, error.options.headers);
}
