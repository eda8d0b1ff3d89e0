export type { EraseStreamOptions, StreamErasureReport } from './erase-messages.js';
// The functions that need the NATS client load it when called (load-nats.ts).
export { eraseStreamMessages, openNatsQueue } from './load-nats.js';
export type { NatsQueueOptions, ResolvedNatsQueueOptions } from './nats-options.js';
export type { PublishStats } from './nats-publisher.js';
export type { NatsQueue } from './nats-queue.js';
export type { ShardConsumer, ShardConsumerStats } from './shard-consumer.js';
export type { Lease, LeaseBucket } from './shard-lease.js';
export { shardOf } from './shard-of.js';
export {
  runShardWorkers,
  type ShardRunner,
  type ShardRunnerEvent,
  type ShardRunnerOptions,
  type ShardWorker,
  shardCheckpointName,
} from './shard-runner.js';
