export * from './config-file.js';
export type { ConfigReloadOptions } from './config-reload.js';
export * from './node.js';
export * from './node-metrics.js';
export * from './node-tls.js';
export * from './node-workers/collector-workers.js';
export * from './web.js';
