export * from './test-certificates.js';
