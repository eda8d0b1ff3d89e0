// A forwarder process (scale-out): reads the queue named by QUEUE_URL and writes files into
// the store. Run several against one JetStream stream: they share its shards.
//
//   QUEUE_URL=nats://10.0.0.1:4222,10.0.0.2:4222?replicas=3 \
//   SLUICE_STORE_DIR=./data/store   (or SLUICE_S3_BUCKET=events [SLUICE_S3_ENDPOINT=...])
//   SLUICE_FILE_AGE_MS=120000 SLUICE_MAX_FILE_BYTES=67108864  tsx scripts/run-forwarder.ts
import { resolve } from 'node:path';
import { openQueue } from '@sluice/queue';
import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';
import { startQueueForwarding } from './lib/forward-queue.js';

const env = process.env;
const queueUrl = env.QUEUE_URL ?? 'log:./data/queue';
const store: ObjectStore = env.SLUICE_S3_BUCKET
  ? createS3Store({
      bucket: env.SLUICE_S3_BUCKET,
      endpoint: env.SLUICE_S3_ENDPOINT,
      region: env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: env.SLUICE_S3_ENDPOINT !== undefined,
    })
  : createFsStore({ root: resolve(env.SLUICE_STORE_DIR ?? 'data/store') });
const maxFileBytes = env.SLUICE_MAX_FILE_BYTES ? Number(env.SLUICE_MAX_FILE_BYTES) : undefined;

const queue = await openQueue(queueUrl);
const forwarding = await startQueueForwarding({
  queue,
  store,
  options: {
    maxFileAgeMs: Number(env.SLUICE_FILE_AGE_MS ?? 120_000),
    ...(maxFileBytes ? { maxFileBytes, minFileBytes: Math.min(maxFileBytes, 1024 * 1024) } : {}),
  },
  stateDir: env.SLUICE_STATE_DIR,
  onShardEvent: (event) => {
    if (event.type !== 'error') console.log(JSON.stringify({ forwarder: process.pid, ...event }));
  },
});
console.log(
  JSON.stringify({ forwarder: process.pid, ready: true, queue: queueUrl.replace(/\?.*/, '') }),
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await forwarding.stop();
  await queue.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
