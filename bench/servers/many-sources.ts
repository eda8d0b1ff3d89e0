// A collector loaded with a generated config of N sources (issue 24): how long from reading
// the file to listening, and how much memory the sources cost. The queue takes every append
// at once: this measures authentication and config, not durability.
import { loadCollectorConfig, startCollector } from '@sluice/collector';
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

runChild<ManySourcesChildConfig>(async ({ file }) => {
  // The modules are loaded (imports above); what follows is what the sources cost.
  const baselineRss = rss();
  const began = performance.now();
  const { config } = await loadCollectorConfig({ env: { SLUICE_CONFIG: file } });
  const collector = await startCollector({
    queue: { append: async () => undefined, close: async () => undefined },
    config,
    logger: false,
    metrics: false,
  });
  const readyMs = performance.now() - began;
  const readyRss = rss();
  return {
    url: collector.url,
    values: () => ({ readyMs, baselineRss, readyRss, rssNow: rss() }),
    stop: () => collector.close(),
  };
});
