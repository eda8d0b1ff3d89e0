// The runtime-free API (Web APIs only): what edge runtimes get for `@sluice/queue` (the
// `workerd` and `worker` export conditions) and at `@sluice/queue/web`. `index.ts` adds the
// adapters that need Node (the embedded log, NATS). The Cloudflare Queues adapter is at
// `@sluice/queue/cloudflare`.
export * from './memory-queue.js';
export * from './queue.js';
export * from './retry/retry-with-backoff.js';
