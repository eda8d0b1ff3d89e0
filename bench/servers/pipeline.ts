// The whole server side in one process, as `pnpm start` runs it: the collector appends to the
// durable log (fdatasync per group commit), the forwarder writes gzip NDJSON to a local store.
// (The log is owned by one process, so collector and forwarder share it.) The forwarder keeps
// its dedup index in LMDB under `<dataDir>/forwarder`, as `sluice start` does.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CollectorConfigInput, startCollector } from '@sluice/collector';
import { type ForwarderOptionsInput, startForwarder } from '@sluice/forwarder';
import { openLogQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { BENCH_COLLECTOR_CONFIG } from './bench-source.js';
import { runChild } from './child-runtime.js';
import { sampleMemoryParts } from './memory-parts.js';

export interface PipelineConfig {
  /** The log goes to `<dataDir>/queue`, files to `<dataDir>/store`. */
  dataDir: string;
  /** The built tag, served at /s.js (the end-to-end run loads it in Chromium). */
  tagScriptPath?: string;
  forwarderOptions?: ForwarderOptionsInput;
  /** The collector's config; the benchmark's one source by default. */
  collectorConfig?: CollectorConfigInput;
}

/** How often the memory suite's process samples what its RSS is made of. */
const MEMORY_SAMPLE_MS = 50;

runChild<PipelineConfig>(async ({ dataDir, tagScriptPath, forwarderOptions, collectorConfig }) => {
  const memory = sampleMemoryParts(MEMORY_SAMPLE_MS);
  const tagScript = tagScriptPath ? await readFile(tagScriptPath, 'utf8') : undefined;
  const queue = await openLogQueue({ dir: join(dataDir, 'queue') });
  const store = createFsStore({ root: join(dataDir, 'store') });
  const collector = await startCollector({
    queue,
    config: collectorConfig ?? BENCH_COLLECTOR_CONFIG,
    tagScript,
  });
  // As `sluice start` runs it: the dedup index on disk (LMDB) beside the log.
  const forwarder = await startForwarder({
    queue,
    store,
    options: forwarderOptions,
    stateDir: join(dataDir, 'forwarder'),
  });
  return {
    url: collector.url,
    values: () => {
      const log = queue.stats();
      const stats = forwarder.stats();
      const parts = Object.entries(memory.peak()).map(([k, v]) => [`peak.${k}`, v]);
      return {
        ...Object.fromEntries(parts),
        appended: log.messages,
        syncs: log.syncs,
        acked: stats.acked,
        filesWritten: stats.filesWritten,
        linesWritten: stats.linesWritten,
        bytesWritten: stats.bytesWritten,
        bufferedBytes: stats.bufferedBytes,
        dedupIds: stats.dedup.ids,
        dedupFilterBytes: stats.dedup.filterBytes,
        dedupPending: stats.dedup.pending,
      };
    },
    stop: async () => {
      await collector.close();
      await forwarder.stop();
      await queue.close();
    },
  };
});
