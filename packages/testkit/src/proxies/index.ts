export { freePort } from '../mosquitto/mosquitto.js';
export * from './caddy.js';
export * from './nginx.js';
export type { RunningProxy } from './proxy-process.js';
