export * from './mosquitto.js';
