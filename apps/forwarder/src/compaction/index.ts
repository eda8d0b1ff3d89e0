// Compaction without Node: runtime-free (Web APIs only, enforced by biome's override), so the
// Worker's Cron Trigger runs this same core over R2 (`@sluice/forwarder/compaction`) with the
// codecs it is given (gzip through CompressionStream there, node:zlib on Node).
export * from './compact-closed-partitions.js';
export * from './compact-partition.js';
export * from './compaction-options.js';
export * from './manifest.js';
