export * from './config-file.js';
export * from './node.js';
export * from './node-metrics.js';
export * from './web.js';
