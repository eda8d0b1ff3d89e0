export * from './batch.js';
export * from './event.js';
export * from './issues.js';
export * from './limits.js';
