export * from './config-file.js';
export * from './node.js';
export * from './node-metrics.js';
export * from './node-tls.js';
export * from './web.js';
