// The whole path for the other vendors' SDKs: a real collector on 127.0.0.1 (port 0), the
// durable log, the forwarder writing gzip NDJSON into a directory store. Tests point an
// official SDK at `url` and read what was stored, after the forwarder's dedup by messageId.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CollectorConfigInput,
  type RunningCollector,
  startCollector,
} from '@sluice/collector';
import { type RunningForwarder, startForwarder } from '@sluice/forwarder';
import { openLogQueue, type Queue } from '@sluice/queue';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { afterAll, beforeAll } from 'vitest';
import { readStoredEvents, type StoredLine } from './read-store.js';

export interface SdkPipeline {
  url: string;
  store: ObjectStore;
  /** Every message id the collector acknowledged (repeats included). */
  acknowledged: string[];
  /** The stored events under `prefix`, once at least `count` are there (or 20 s went by). */
  stored(count: number, prefix?: string): Promise<StoredLine[]>;
  close(): Promise<void>;
}

export async function startSdkPipeline(config: CollectorConfigInput): Promise<SdkPipeline> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-sdk-'));
  const log = await openLogQueue({ dir: join(dir, 'queue') });
  const acknowledged: string[] = [];
  const queue: Queue = {
    append: async (messages) => {
      await log.append(messages);
      for (const m of messages) acknowledged.push(m.id);
    },
    consumer: (name) => log.consumer(name),
    close: () => log.close(),
  };
  const store = createFsStore({ root: join(dir, 'store') });
  let collector: RunningCollector | undefined;
  let forwarder: RunningForwarder | undefined;
  try {
    collector = await startCollector({ queue, config, logger: false });
    forwarder = await startForwarder({
      queue: log,
      store,
      options: { maxFileAgeMs: 200, minFileBytes: 1 },
    });
  } catch (error) {
    await collector?.close();
    await log.close();
    throw error;
  }
  const running = { collector, forwarder };
  return {
    url: collector.url,
    store,
    acknowledged,
    async stored(count, prefix = 'events/') {
      const deadline = Date.now() + 20_000;
      let lines = await readStoredEvents(store, prefix);
      while (lines.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        lines = await readStoredEvents(store, prefix);
      }
      return lines;
    },
    async close() {
      await running.forwarder.stop();
      await running.collector.close();
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One pipeline for the tests of a file, with these sources and no per-IP limits: started in
 * `beforeAll`, closed in `afterAll`. Its fields are read through once it has started.
 */
export function useSdkPipeline(sources: CollectorConfigInput['sources']): SdkPipeline {
  let running: SdkPipeline | undefined;
  beforeAll(async () => {
    running = await startSdkPipeline({
      limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
      sources,
    });
  });
  afterAll(() => running?.close());
  const started = () => {
    if (!running) throw new Error('the SDK pipeline starts in beforeAll');
    return running;
  };
  return {
    get url() {
      return started().url;
    },
    get store() {
      return started().store;
    },
    get acknowledged() {
      return started().acknowledged;
    },
    stored: (count, prefix) => started().stored(count, prefix),
    close: () => started().close(),
  };
}
