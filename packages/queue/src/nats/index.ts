export {
  type EraseStreamOptions,
  eraseStreamMessages,
  type StreamErasureReport,
} from './erase-messages.js';
export type { NatsQueueOptions, ResolvedNatsQueueOptions } from './nats-options.js';
export type { PublishStats } from './nats-publisher.js';
export { type NatsQueue, openNatsQueue } from './nats-queue.js';
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
