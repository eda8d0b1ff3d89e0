import type { DurableObjectNamespace } from '@cloudflare/workers-types';
import { type DeliveredMessage, readDeliveredMessage } from '@sluice/forwarder/push';
import { partitionOf } from '@sluice/layout';
import type { WorkerEnv } from './env.js';
import type { PartitionFilesRpc } from './partition-files.js';
import type { BufferedLine } from './partition-table.js';

/** A batch as Cloudflare hands it to the `queue()` handler. */
export interface DeliveredBatch {
  readonly queue: string;
  readonly messages: readonly DeliveredMessage[];
}

interface PartitionGroup {
  lines: BufferedLine[];
  delivered: DeliveredMessage[];
}

/** The Durable Object that buffers and cuts one partition folder's files. */
export function partitionFilesOf(
  namespace: DurableObjectNamespace,
  partition: string,
): PartitionFilesRpc {
  return namespace.get(namespace.idFromName(partition)) as unknown as PartitionFilesRpc;
}

/**
 * The Worker's queue consumer: hands each partition's messages to that partition's Durable
 * Object (partition-files.ts: buffering, dedup, cutting files) and acknowledges them once it
 * holds them durably; a partition whose object failed has its messages delivered again.
 */
export async function handleQueueBatch(batch: DeliveredBatch, env: WorkerEnv): Promise<void> {
  const groups = new Map<string, PartitionGroup>();
  for (const delivered of batch.messages) {
    const message = readDeliveredMessage(delivered);
    const partition = partitionOf(message);
    let group = groups.get(partition);
    if (!group) {
      group = { lines: [], delivered: [] };
      groups.set(partition, group);
    }
    group.lines.push({ id: message.id, body: message.body, time: message.time });
    group.delivered.push(delivered);
  }
  await Promise.all(
    [...groups].map(async ([partition, { lines, delivered }]) => {
      try {
        await partitionFilesOf(env.PARTITION_FILES, partition).append(partition, lines);
      } catch (error) {
        console.error(`sluice: could not buffer ${partition}; its messages will come again`, error);
        for (const message of delivered) message.retry();
        return;
      }
      for (const message of delivered) message.ack();
    }),
  );
}
