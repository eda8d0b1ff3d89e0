// A sluice process for the reliability tests, run as a child and killed by pid. It wires the
// public entry points the way `pnpm start` does (the collector and the forwarder in one
// process on the embedded log, the forwarder's dedup index in a state directory), so what
// the tests break is what users run; it only adds a store choice (directory or S3) and a
// probe the tests ask over IPC whether anything polluted the built-in prototypes.
//
//   RELIABILITY_ROLE      pipeline (collector + forwarder, default) | collector
//   QUEUE_URL             log:<dir>?... or nats://...
//   PORT, SLUICE_CONFIG, SLUICE__*      the collector (loadCollectorConfig)
//   RELIABILITY_STORE_DIR | RELIABILITY_S3_ENDPOINT + RELIABILITY_S3_BUCKET
//   RELIABILITY_STATE_DIR, RELIABILITY_FILE_AGE_MS, RELIABILITY_LOG_LEVEL (default: no logs)
//
// Prints one JSON line `{ "ready": true, "url": ... }` once it answers.

import { createNodeLogger, loadCollectorConfig, startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { openQueue } from '@sluice/queue';
import { createFsStore, createS3Store, type ObjectStore } from '@sluice/store';

const env = process.env;
const role = env.RELIABILITY_ROLE ?? 'pipeline';

function openStore(): ObjectStore {
  if (env.RELIABILITY_S3_ENDPOINT) {
    return createS3Store({
      bucket: env.RELIABILITY_S3_BUCKET ?? 'sluice',
      endpoint: env.RELIABILITY_S3_ENDPOINT,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
    });
  }
  return createFsStore({ root: env.RELIABILITY_STORE_DIR ?? 'data/store' });
}

const { config } = await loadCollectorConfig({ env });
const queue = await openQueue(env.QUEUE_URL ?? 'log:./data/queue');
const level = env.RELIABILITY_LOG_LEVEL;
const collector = await startCollector({
  port: Number(env.PORT ?? 0),
  queue,
  config,
  logger: level ? createNodeLogger({ level }) : false,
});
const forwarder =
  role === 'pipeline'
    ? await startForwarder({
        queue,
        store: openStore(),
        stateDir: env.RELIABILITY_STATE_DIR,
        options: { maxFileAgeMs: Number(env.RELIABILITY_FILE_AGE_MS ?? 1_000) },
        // Store outages are expected here; the retries are the behaviour under test.
        onError: () => {},
      })
    : undefined;

// Node defines many globals (atob, fetch, ReadableStream, ...) as getters that replace
// themselves on first use: use them all now, then snapshot every global and built-in reachable
// from globalThis, so later changes (a polluted Object.prototype, a replaced
// Array.prototype.map) are found. undici's dispatcher appears on a first fetch, by design, and
// so does the AWS SDK's `awslambda.InvokeStore` on a first S3 request (seen on Node 26).
for (const name of Object.getOwnPropertyNames(globalThis)) {
  void (globalThis as Record<string, unknown>)[name];
}
const { assertNoPoisoning } = await import('@fast-check/poisoning');
const LAZY_GLOBALS = /^(Symbol\(undici\..*\)|awslambda)$/;

/** What the probe answers: undefined when every built-in is as it was once started. */
function poisoning(): string | undefined {
  try {
    assertNoPoisoning({ ignoredRootRegex: LAZY_GLOBALS });
    return undefined;
  } catch (error) {
    return String(error);
  }
}
process.on('message', (message) => {
  if (message === 'probe') process.send?.({ pid: process.pid, poisoning: poisoning() ?? null });
});

console.log(JSON.stringify({ ready: true, pid: process.pid, url: collector.url }));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await collector.close();
  await forwarder?.stop();
  await queue.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
