export * from './nats-operator.js';
export * from './nats-servers.js';
export * from './test-certificates.js';
