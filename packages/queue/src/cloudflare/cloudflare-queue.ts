import type { Queue as CloudflareProducer } from '@cloudflare/workers-types';
import type { QueueMessage, QueueProducer } from '../queue.js';
import { fitMessage, type SizedWireMessage } from './fit-message.js';
import { MAX_SEND_BATCH_BYTES, MAX_SEND_BATCH_MESSAGES } from './limits.js';
import { toWireMessage, type WireMessage } from './wire-message.js';

/** A Cloudflare Queues producer binding carrying sluice messages. */
export type CloudflareQueueProducer = Pick<CloudflareProducer<WireMessage>, 'sendBatch'>;

/**
 * Splits messages into `sendBatch` calls that respect Cloudflare's limits: at most 100
 * messages and 256 KB each, keeping their order.
 */
export function chunkForSendBatch(messages: readonly SizedWireMessage[]): WireMessage[][] {
  const chunks: WireMessage[][] = [];
  let chunk: WireMessage[] = [];
  let chunkBytes = 0;
  for (const { wire, bytes } of messages) {
    if (
      chunk.length > 0 &&
      (chunk.length === MAX_SEND_BATCH_MESSAGES || chunkBytes + bytes > MAX_SEND_BATCH_BYTES)
    ) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(wire);
    chunkBytes += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * A QueueProducer over a Cloudflare Queues producer binding, for the collector on Workers. `append`
 * resolves once Cloudflare has accepted every message (it keeps them durably from then on).
 *
 * A request's messages may take several `sendBatch` calls, and Cloudflare has no transaction
 * across them: when one fails, `append` rejects (the collector answers 503 and the client
 * resends) though other chunks may already be queued. Their messageIds make those repeats
 * visible downstream.
 *
 * Consuming is Cloudflare's job: it pushes batches to the Worker's `queue()` handler, so this
 * is a producer only; decode each delivered body with `fromWireMessage`.
 */
export function createCloudflareQueue(producer: CloudflareQueueProducer): QueueProducer {
  let closed = false;
  return {
    async append(messages: readonly QueueMessage[]) {
      if (closed) throw new Error('cloudflare queue producer is closed');
      if (messages.length === 0) return;
      const chunks = chunkForSendBatch(messages.map((m) => fitMessage(toWireMessage(m))));
      // In parallel: the client waits for the slowest chunk, not for their sum.
      await Promise.all(
        chunks.map((chunk) =>
          producer.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const }))),
        ),
      );
    },
    // The binding belongs to the Worker's env: closing only stops this producer.
    async close() {
      closed = true;
    },
  };
}
