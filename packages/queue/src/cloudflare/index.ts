// Runtime-free: only Web APIs, so the Worker bundle can import it (`@sluice/queue/cloudflare`).
export * from './cloudflare-queue.js';
export * from './fit-message.js';
export * from './limits.js';
export * from './wire-message.js';
