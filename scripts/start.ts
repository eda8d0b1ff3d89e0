// `pnpm start`: the collector and the forwarder in one process on embedded defaults
// (a durable log under ./data/queue, files under ./data/store).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startCollector } from '@sluice/collector';
import { startForwarder } from '@sluice/forwarder';
import { openLogQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';

const dataDir = resolve(process.env.SLUICE_DATA_DIR ?? 'data');
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const writeKey = process.env.SLUICE_WRITE_KEY ?? 'demo-key';
// Write keys are public: the origin list is what keeps other sites out. '*' suits a local try-out.
const allowedOrigins = (process.env.SLUICE_ALLOWED_ORIGINS ?? '*').split(',').map((o) => o.trim());
const maxFileAgeMs = Number(process.env.SLUICE_FILE_AGE_MS ?? 120_000);

const tagScript = await readFile(
  new URL('../packages/tracker/dist/sluice.js', import.meta.url),
  'utf8',
);
const queue = await openLogQueue({ dir: resolve(dataDir, 'queue') });
const store = createFsStore({ root: resolve(dataDir, 'store') });
const collector = await startCollector({
  port,
  host,
  queue,
  tagScript,
  config: { sources: [{ id: 'demo', writeKeys: [writeKey], allowedOrigins }] },
});
const forwarder = await startForwarder({ queue, store, options: { maxFileAgeMs } });

console.log(`sluice is running
  demo page:   ${collector.url}/demo
  script tag:  <script async src="${collector.url}/s.js" data-key="${writeKey}"></script>
  queue:       ${resolve(dataDir, 'queue')}
  files:       ${resolve(dataDir, 'store')}/events/source=demo/dt=YYYY-MM-DD/hh=HH/ (written every ${maxFileAgeMs / 1000} s or 64 MiB)
Press Ctrl+C to stop (pending events are flushed to files first).`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await collector.close();
  await forwarder.stop();
  await queue.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
