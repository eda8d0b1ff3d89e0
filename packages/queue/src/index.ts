export * from './log/index.js';
export * from './memory-queue.js';
export * from './nats/index.js';
export * from './open-queue.js';
export * from './queue.js';
export * from './redact-queue-url.js';
export * from './retry/retry-with-backoff.js';
