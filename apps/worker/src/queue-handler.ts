import { type DeliveredMessage, gzip, writeMessageBatch } from '@sluice/forwarder/push';
import { parquetEvents } from '@sluice/layout/parquet';
import { createR2Store } from '@sluice/store/r2';
import type { WorkerEnv } from './env.js';

/** A batch as Cloudflare hands it to the `queue()` handler. */
export interface DeliveredBatch {
  readonly queue: string;
  readonly messages: readonly DeliveredMessage[];
}

/**
 * The Worker's queue consumer: writes each batch to R2 as gzip NDJSON (or Parquet) files in the
 * forwarder's layout, acknowledging a message only once its file is stored.
 */
export async function handleQueueBatch(batch: DeliveredBatch, env: WorkerEnv): Promise<void> {
  const result = await writeMessageBatch(batch.messages, {
    store: createR2Store(env.EVENTS_BUCKET),
    compress: gzip,
    ...(env.SLUICE_FORMAT === 'parquet' ? { format: parquetEvents } : {}),
    onError: (error, key) => console.error(`sluice: could not write ${key}; will retry`, error),
  });
  if (result.retried > 0) {
    console.warn(`sluice: ${result.retried} of ${batch.messages.length} messages will come again`);
  }
}
