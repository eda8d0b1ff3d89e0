// The object layout of a sluice store: where each message's file goes and what it is called
// (partition.ts, file-names.ts, object-keys.ts), and what a file holds (formats.ts, ndjson.ts,
// file-format.ts, file-codec.ts). Runtime-free: compressors are injected. Parquet, which needs
// its libraries, is `@sluice/layout/parquet`.
export * from './file-codec.js';
export * from './file-format.js';
export * from './file-names.js';
export * from './formats.js';
export * from './iceberg-schema.js';
export * from './message-ids-name.js';
export * from './ndjson.js';
export * from './object-keys.js';
export * from './partition.js';
export * from './partition-time.js';
