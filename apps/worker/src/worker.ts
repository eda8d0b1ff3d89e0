// The collector on Cloudflare Workers: the same Hono app as on Node, with Cloudflare Queues
// as its queue, and the queue's consumer handing each partition's events to a Durable Object
// that cuts right-sized files into R2. Deploy with `wrangler deploy` (see wrangler.toml and
// the README).
import tagScript from '@sluice/tracker/sluice.js';
import type { WorkerEnv } from './env.js';
import { createFetchHandler } from './fetch-handler.js';
import { type DeliveredBatch, handleQueueBatch } from './queue-handler.js';
import { handleScheduled } from './scheduled-handler.js';

export { PartitionFiles } from './partition-files.js';

const fetch = createFetchHandler(tagScript);

// A default export because the Workers runtime finds a module Worker's handlers there.
export default {
  fetch,
  queue: (batch: DeliveredBatch, env: WorkerEnv) => handleQueueBatch(batch, env),
  // The Cron Trigger: lost alarms and compaction of closed partitions (scheduled-handler.ts).
  scheduled: async (_controller: unknown, env: WorkerEnv) => {
    await handleScheduled(env);
  },
};
