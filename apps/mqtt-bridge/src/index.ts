export { type AppendRetry, appendUntilQueued } from './append-until-queued.js';
export * from './bridge-config.js';
export * from './bridge-metrics.js';
export * from './delivery-handler.js';
export * from './device-message.js';
export * from './mqtt-bridge.js';
export * from './topic-pattern.js';
