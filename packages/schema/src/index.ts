export * from './batch.js';
export * from './event.js';
export * from './event-check.js';
export * from './event-time.js';
export * from './issues.js';
export * from './limits.js';
export * from './quarantine.js';
