// A collector process (scale-out): answers the tag and appends to the queue named by
// QUEUE_URL. Run as many as the load needs behind a load balancer; they hold no state.
//
//   QUEUE_URL=nats://10.0.0.1:4222?replicas=3 PORT=8080 HOST=0.0.0.0 \
//   SLUICE_WRITE_KEY=site-key SLUICE_ALLOWED_ORIGINS=https://shop.example  tsx scripts/run-collector.ts
import { startCollector } from '@sluice/collector';
import { openQueue } from '@sluice/queue';

const env = process.env;
const queue = await openQueue(env.QUEUE_URL ?? 'log:./data/queue');
const collector = await startCollector({
  port: Number(env.PORT ?? 8080),
  host: env.HOST ?? '127.0.0.1',
  queue,
  logger: env.SLUICE_LOG === 'off' ? false : undefined,
  config: {
    sources: [
      {
        id: env.SLUICE_SOURCE_ID ?? 'demo',
        writeKeys: [env.SLUICE_WRITE_KEY ?? 'demo-key'],
        allowedOrigins: (env.SLUICE_ALLOWED_ORIGINS ?? '*').split(',').map((o) => o.trim()),
      },
    ],
  },
});
console.log(JSON.stringify({ collector: process.pid, url: collector.url }));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await collector.close();
  await queue.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
