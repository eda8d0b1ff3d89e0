// Publishing an append: every message goes to its shard's subject with the event's messageId
// as `Nats-Msg-Id`, so the stream stores it once however often it is sent within the
// duplicate window. That is what makes retrying safe: a publish whose answer was lost
// (timeout, leader election, reconnect) is simply sent again with the same id.

import type { JetStreamClient } from '@nats-io/jetstream';
import { encodeMessage } from '../message-codec.js';
import { QueueFullError, type QueueMessage } from '../queue.js';
import { retryWithBackoff } from '../retry/retry-with-backoff.js';
import type { ResolvedNatsQueueOptions } from './nats-options.js';
import { shardOf } from './shard-of.js';
import { shardSubject } from './stream-setup.js';

/** How long one publish attempt waits for the stream's acknowledgement. */
const ATTEMPT_TIMEOUT_MS = 5_000;
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 1_000;
/** The stream's limits were reached: more retries will not help soon. */
const FULL = /maximum (bytes|messages|messages per subject) exceeded|insufficient resources/i;

export interface PublishStats {
  /** Messages the stream acknowledged as new. */
  stored: number;
  /** Messages the stream recognised as already stored (same messageId). */
  duplicates: number;
  /** Attempts that failed and were tried again. */
  retries: number;
}

/**
 * Publishes every message and resolves once the stream acknowledged all of them (stored on
 * a quorum of replicas). Retries each with the same messageId for up to `publishTimeoutMs`;
 * rejects with QueueFullError when the stream is full, or with the last error after that.
 */
export async function publishMessages(
  js: JetStreamClient,
  options: ResolvedNatsQueueOptions,
  messages: readonly QueueMessage[],
  stats: PublishStats,
): Promise<void> {
  const deadline = Date.now() + options.publishTimeoutMs;
  await Promise.all(messages.map((message) => publishOne(js, options, message, deadline, stats)));
}

async function publishOne(
  js: JetStreamClient,
  options: ResolvedNatsQueueOptions,
  message: QueueMessage,
  deadline: number,
  stats: PublishStats,
): Promise<void> {
  const subject = shardSubject(options, shardOf(message.id, options.shards));
  // A small header (kind, id, source, time) before the body, as in the log's records, so
  // the forwarder routes without parsing the event.
  const payload = encodeMessage(message);
  const ack = await retryWithBackoff(
    async () => {
      try {
        return await js.publish(subject, payload, {
          msgID: options.deduplicate ? message.id : undefined,
          timeout: Math.max(1, Math.min(ATTEMPT_TIMEOUT_MS, deadline - Date.now())),
        });
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (FULL.test(text)) throw new QueueFullError(`stream ${options.stream} is full (${text})`);
        throw error;
      }
    },
    {
      initialMs: FIRST_RETRY_MS,
      maxMs: MAX_RETRY_MS,
      giveUp: (error, _attempt, delayMs) =>
        error instanceof QueueFullError || Date.now() + delayMs >= deadline,
      onFailure: () => {
        stats.retries++;
      },
    },
  );
  if (ack.duplicate) stats.duplicates++;
  else stats.stored++;
}
