// Cloudflare Queues' limits on what a producer may send (developers.cloudflare.com/queues/platform/limits).

/** Most messages in one `sendBatch` call. */
export const MAX_SEND_BATCH_MESSAGES = 100;
/** Most bytes (message bodies) in one `sendBatch` call: 256 KB. */
export const MAX_SEND_BATCH_BYTES = 256_000;
/** Largest single message body: 128 KB. */
export const MAX_MESSAGE_BYTES = 128_000;
/**
 * Bytes counted on top of each body, a margin for what the platform adds around a message, so
 * a chunk we think fits never comes back "too large".
 */
export const MESSAGE_OVERHEAD_BYTES = 100;
