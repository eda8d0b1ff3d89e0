// The tail every tracking protocol shares (Segment, RudderStack, Snowplow): check the size
// against the source, validate and enrich, append to the queue and wait, report, answer.
import {
  type IngestContext,
  type IngestResult,
  ingestBatch,
  type RejectedEvent,
} from '@sluice/ingest';
import { QueueFullError, type QueueMessage } from '@sluice/queue';
import { type BatchRequest, MAX_REJECTED_LISTED } from '@sluice/schema';
import type { Context } from 'hono';
import type { SourceConfig } from './config.js';
import { CollectorError } from './errors.js';
import type { TrackingDeps } from './tracking-routes.js';

/** Seconds a client should wait after a queue failure that gave no hint of its own. */
export const QUEUE_RETRY_AFTER_SECONDS = 5;

/** The 200 answer of every tracking route (Segment's clients read only `success`). */
export interface BatchResponse {
  success: true;
  accepted: number;
  /** How many events went to quarantine. */
  rejectedCount: number;
  /** The first MAX_REJECTED_LISTED of them, with their reasons. */
  rejected: RejectedEvent[];
}

/** What differs by protocol and request; the rest of the ingest context comes from the source. */
export type RequestFacts = Omit<
  IngestContext,
  'sourceId' | 'newId' | 'maxEventBytes' | 'options' | 'describeUserAgent' | 'plan' | 'locate'
>;

/** A 413 when the body is larger than the source allows. */
export function checkSourceRequestBytes(source: SourceConfig, bytes: number): void {
  if (bytes > source.limits.maxRequestBytes) {
    throw new CollectorError(
      413,
      'payload_too_large',
      `the request body is larger than ${source.limits.maxRequestBytes} bytes`,
    );
  }
}

/** Validates and enriches the batch, and returns once the queue holds its messages. */
export async function ingestAndEnqueue(
  deps: TrackingDeps,
  source: SourceConfig,
  batch: BatchRequest,
  facts: RequestFacts,
): Promise<IngestResult> {
  const result = ingestBatch(batch, {
    sourceId: source.id,
    newId: deps.newId,
    maxEventBytes: source.limits.maxEventBytes,
    options: source.enrich,
    describeUserAgent: deps.describeUserAgent,
    locate: source.enrich.geo ? deps.locateIp : undefined,
    plan: deps.plans.get(source.id),
    ...facts,
  });
  await enqueue(deps, source.id, result.messages);
  if (!deps.observer) return result;
  // The accepted events' ids and delays, in one pass over the messages.
  const ids: string[] = [];
  const delaysMs: number[] = [];
  for (const message of result.messages) {
    if (message.kind !== 'event') continue;
    ids.push(message.id);
    delaysMs.push(facts.receivedAtMs - message.time);
  }
  deps.observer.eventsIngested({
    source: source.id,
    accepted: result.accepted,
    repeated: deps.recentIds?.repeats(source.id, ids),
    quarantined: result.reasons,
    planViolations: result.planViolations,
    transport: facts.transport,
    delaysMs,
    sequence: result.sequence.length > 0 ? result.sequence : undefined,
  });
  return result;
}

/** The 200 answer: counts, and the first rejected events with their reasons. */
export function batchAnswer(c: Context, result: IngestResult) {
  const answer: BatchResponse = {
    success: true,
    accepted: result.accepted,
    rejectedCount: result.rejected.length,
    rejected: result.rejected.slice(0, MAX_REJECTED_LISTED),
  };
  return c.json(answer);
}

/**
 * Appends and waits: the client hears 200 only once the queue holds the messages. Any
 * failure is a 503 so the client retries; nothing was acknowledged.
 */
async function enqueue(deps: TrackingDeps, source: string, messages: QueueMessage[]) {
  try {
    await deps.queue.append(messages);
  } catch (error) {
    const full = error instanceof QueueFullError;
    const retryAfter = full ? error.retryAfterSeconds : QUEUE_RETRY_AFTER_SECONDS;
    deps.onQueueRefused(retryAfter);
    if (full) deps.logger.warn({ source, events: messages.length }, 'queue full: answered 503');
    else deps.logger.error({ err: error, source }, 'queue append failed: answered 503');
    throw new CollectorError(
      503,
      full ? 'queue_full' : 'queue_unavailable',
      full ? 'the collector is full; retry later' : 'the queue is unavailable; retry later',
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }
}
