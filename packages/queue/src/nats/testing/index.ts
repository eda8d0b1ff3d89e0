export * from './nats-servers.js';
