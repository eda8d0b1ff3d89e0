export { freePort } from '../net/ports.js';
export * from './caddy.js';
export * from './nginx.js';
export type { RunningProxy } from './proxy-process.js';
