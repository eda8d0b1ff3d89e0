export * from './fs-store.js';
export * from './object-store.js';
export * from './r2-store.js';
export * from './s3-store.js';
