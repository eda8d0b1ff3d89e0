// One sluice node for the delivery-modes benchmark: a collector and a forwarder in one
// process on the queue QUEUE_URL names, files into STORE_DIR. Killing it (SIGKILL) is the
// crash the benchmark counts losses and duplicates for. Prints one JSON line when ready.
import { startCollector } from '@sluice/collector';
import { startForwarding } from '@sluice/forwarder';
import { openQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';

const env = process.env;
const queue = await openQueue(env.QUEUE_URL ?? 'memory:');
const collector = await startCollector({
  port: Number(env.PORT ?? 0),
  queue,
  logger: false,
  metrics: false,
  config: { sources: [{ id: 'bench', writeKeys: ['scale-key'], allowedOrigins: ['*'] }] },
});
const forwarding =
  env.FORWARD === 'off'
    ? undefined
    : await startForwarding({
        queue,
        store: createFsStore({ root: env.STORE_DIR ?? 'data/bench-store' }),
        stateDir: env.STATE_DIR || undefined,
        options: {
          maxFileAgeMs: Number(env.FILE_AGE_MS ?? 1_000),
          dedupWindowMs: Number(env.DEDUP_WINDOW_MS ?? 24 * 3_600_000),
        },
      });
console.log(JSON.stringify({ ready: true, url: collector.url }));

async function shutdown(): Promise<void> {
  await collector.close();
  await forwarding?.stop();
  await queue.close();
  process.exit(0);
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
