export * from './log/index.js';
export * from './memory-queue.js';
export * from './queue.js';
