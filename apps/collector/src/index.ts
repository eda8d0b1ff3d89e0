export * from './node.js';
export * from './web.js';
