// A collector loaded with a generated config of N sources (issue 24): how long from reading
// the file to listening, and how much memory the sources cost. The queue takes every append
// at once: this measures authentication and config, not durability.
import { readFile } from 'node:fs/promises';
import {
  collectorConfigSchema,
  loadCollectorConfig,
  parseCollectorConfig,
  startCollector,
} from '@sluice/collector';
import { runChild } from './child-runtime.js';

export interface ManySourcesChildConfig {
  /** The generated config file. */
  file: string;
}

const gcNow = () => (globalThis as { gc?: () => void }).gc?.();
const rss = () => {
  gcNow();
  return process.memoryUsage.rss();
};

/** Milliseconds `run` takes. */
function timed(run: () => unknown): number {
  const began = performance.now();
  run();
  return performance.now() - began;
}

/**
 * The steps of a load, each on a fresh JSON.parse of the file, in turns (the process is warm
 * by now, as a reload's is): JSON.parse, the config's parse as it is now, and zod alone (the
 * whole config, as every load did before the compiled sources check).
 * One turn: at 100,000 sources on a busy machine more would not fit the harness's wait.
 */
async function loadSteps(file: string) {
  const text = await readFile(file, 'utf8');
  const json: number[] = [];
  const parse: number[] = [];
  const zod: number[] = [];
  for (let turn = 0; turn < 1; turn++) {
    json.push(timed(() => JSON.parse(text)));
    const a = JSON.parse(text);
    parse.push(timed(() => parseCollectorConfig(a)));
    const b = JSON.parse(text);
    zod.push(timed(() => collectorConfigSchema.parse(b)));
    gcNow();
  }
  return { jsonMs: json[0]!, parseMs: parse[0]!, zodMs: zod[0]! };
}

runChild<ManySourcesChildConfig>(async ({ file }) => {
  // The modules are loaded (imports above); what follows is what the sources cost.
  const baselineRss = rss();
  const began = performance.now();
  const { config } = await loadCollectorConfig({ env: { SLUICE_CONFIG: file } });
  const loadMs = performance.now() - began;
  const collector = await startCollector({
    queue: { append: async () => undefined, close: async () => undefined },
    config,
    logger: false,
    metrics: false,
  });
  const readyMs = performance.now() - began;
  const readyRss = rss();
  // Asked for once ready was said (the harness waits for 'ready' a limited time).
  let steps: ReturnType<typeof loadSteps> | undefined;
  return {
    url: collector.url,
    values: async () => {
      steps ??= loadSteps(file);
      return { readyMs, loadMs, ...(await steps), baselineRss, readyRss, rssNow: rss() };
    },
    stop: () => collector.close(),
  };
});
