export * from './mosquitto.js';
export * from './test-certificates.js';
