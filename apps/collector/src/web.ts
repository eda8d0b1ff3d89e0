// The runtime-free API (Web APIs only), for edge runtimes; `index.ts` adds the Node entry point.
export * from './app.js';
export type { BatchResponse } from './batch-route.js';
export * from './config.js';
export * from './errors.js';
export type { RejectedEvent } from './ingest.js';
