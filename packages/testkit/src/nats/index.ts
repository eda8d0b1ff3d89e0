export * from './nats-operator.js';
export * from './nats-servers.js';
