import { type Queue, QueueFullError, type QueueMessage } from '@sluice/queue';
import { batchRequestSchema, describeIssues, MAX_REQUEST_BYTES } from '@sluice/schema';
import type { Hono } from 'hono';
import { authenticate, readWriteKey, type SourceLookup } from './auth.js';
import { CollectorError } from './errors.js';
import { ingestBatch, type RejectedEvent } from './ingest.js';
import { checkContentType, limitBody, parseJsonObject } from './request-body.js';

/** Seconds a client should wait after a queue failure that gave no hint of its own. */
export const QUEUE_RETRY_AFTER_SECONDS = 5;

/** The 200 answer to `POST /v1/batch`. */
export interface BatchResponse {
  success: true;
  accepted: number;
  rejected: RejectedEvent[];
}

export interface BatchRouteDeps {
  queue: Queue;
  lookup: SourceLookup;
  now: () => number;
  newId: () => string;
  logError: (error: unknown) => void;
}

/**
 * Appends and waits: the client hears 200 only once the queue holds the messages. Any
 * failure is a 503 so the client retries; nothing was acknowledged.
 */
async function enqueue(deps: BatchRouteDeps, messages: QueueMessage[]): Promise<void> {
  try {
    await deps.queue.append(messages);
  } catch (error) {
    if (error instanceof QueueFullError) {
      throw new CollectorError(503, 'queue_full', 'the collector is full; retry later', {
        headers: { 'Retry-After': String(error.retryAfterSeconds) },
      });
    }
    deps.logError(error);
    throw new CollectorError(503, 'queue_unavailable', 'the queue is unavailable; retry later', {
      headers: { 'Retry-After': String(QUEUE_RETRY_AFTER_SECONDS) },
    });
  }
}

/** Reads the body as UTF-8; a body that breaks off (client gone, bad chunking) is a 400. */
async function readText(request: Request): Promise<string> {
  try {
    return await request.text();
  } catch {
    throw new CollectorError(400, 'unreadable_body', 'the request body could not be read');
  }
}

/** Adds `POST /v1/batch`: read, authenticate, validate, enrich, enqueue, answer. */
export function addBatchRoute(app: Hono, deps: BatchRouteDeps): void {
  app.post(
    '/v1/batch',
    async (c, next) => {
      checkContentType(c.req.header('content-type'));
      await next();
    },
    limitBody(MAX_REQUEST_BYTES),
    async (c) => {
      const receivedAtMs = deps.now();
      const body = parseJsonObject(await readText(c.req.raw));
      const writeKey = readWriteKey(body, c.req.raw);
      const source = authenticate(deps.lookup, writeKey, c.req.header('origin'));
      const parsed = batchRequestSchema.safeParse(body);
      if (!parsed.success) {
        const issues = describeIssues(parsed.error);
        throw new CollectorError(
          400,
          'invalid_batch',
          issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; '),
          { path: issues[0]?.path ?? '' },
        );
      }
      const result = ingestBatch(parsed.data, {
        sourceId: source.id,
        receivedAtMs,
        userAgent: c.req.header('user-agent'),
        newId: deps.newId,
      });
      await enqueue(deps, result.messages);
      const answer: BatchResponse = {
        success: true,
        accepted: result.accepted,
        rejected: result.rejected,
      };
      return c.json(answer);
    },
  );
  app.all('/v1/batch', () => {
    throw new CollectorError(405, 'method_not_allowed', 'use POST', { headers: { Allow: 'POST' } });
  });
}
