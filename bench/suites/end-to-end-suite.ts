// End to end: real Chromium loads the tag from the collector, which appends to the durable log;
// the forwarder (same process, as `pnpm start` runs them) writes gzip NDJSON into a local
// store; a poller records when each messageId becomes readable in a file. Two pipelines run
// side by side over the same window: default rotation and a low-latency setting.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ForwarderOptionsInput } from '@sluice/forwarder';
import { launchChromium } from '../../e2e/browser.js';
import { startSite } from '../../e2e/site-server.js';
import type { BuiltServers } from '../build-servers.js';
import { type ServerProcess, startServerProcess } from '../server-process.js';
import type { Settings } from '../settings.js';
import { quantile } from '../stats.js';
import { benchPage, RECORD_SENDS_SCRIPT, type SentBatch } from './bench-page.js';
import { type StoreWatcher, watchStore } from './store-watcher.js';
import { TAG_SCRIPT_PATH } from './tracker-build.js';

const POLL_MS = 50;
const DEFAULT_AGE_MS = 120_000;
/** Waiting for the last file: its age limit, plus reads, uploads and the tag's 2 s flush. */
const SLACK_MS = 15_000;

export interface EndToEndSetting {
  name: string;
  options: ForwarderOptionsInput;
  /** The age limit in effect (for the wait and the report). */
  maxFileAgeMs: number;
}

export interface EndToEndResult {
  setting: EndToEndSetting;
  sent: number;
  /** Latencies (ms) of the events found in a file, from sendBeacon to readable. */
  latenciesMs: number[];
  files: number;
  maxRssBytes: number;
}

export interface EndToEndResults {
  results: EndToEndResult[];
  sendMs: number;
  eventsPerSecond: number;
  pollMs: number;
}

interface Lane {
  setting: EndToEndSetting;
  pipeline: ServerProcess;
  watcher: StoreWatcher;
  dataDir: string;
}

export async function runEndToEndSuite(
  settings: Settings,
  built: BuiltServers,
  cpuProfileDir: string | undefined,
): Promise<EndToEndResults> {
  const e = settings.endToEnd;
  const defaultAge = e.defaultAgeMs ?? DEFAULT_AGE_MS;
  const lanes: EndToEndSetting[] = [
    {
      name: e.defaultAgeMs ? `default, age shortened to ${defaultAge / 1000} s` : 'default',
      options: e.defaultAgeMs ? { maxFileAgeMs: e.defaultAgeMs } : {},
      maxFileAgeMs: defaultAge,
    },
    { name: 'low latency', options: e.lowLatency, maxFileAgeMs: e.lowLatency.maxFileAgeMs },
  ];
  const running: Lane[] = [];
  const browser = await launchChromium();
  const pages: Record<string, string> = {};
  const site = await startSite(pages);
  try {
    for (const [i, setting] of lanes.entries()) {
      const dataDir = await mkdtemp(join(tmpdir(), 'sluice-bench-e2e-'));
      const pipeline = await startServerProcess(
        built.entry('pipeline'),
        { dataDir, tagScriptPath: TAG_SCRIPT_PATH, forwarderOptions: setting.options },
        { label: `pipeline-e2e-${i}`, cpuProfileDir },
      );
      running.push({
        setting,
        pipeline,
        dataDir,
        watcher: watchStore(join(dataDir, 'store'), POLL_MS),
      });
      pages[`/lane-${i}`] = benchPage(pipeline.url, e.eventsPerSecond, e.sendMs);
    }
    const contexts = await Promise.all(running.map(() => browser.newContext()));
    const tabs = await Promise.all(contexts.map((c) => c.newPage()));
    for (const tab of tabs) await tab.addInitScript(RECORD_SENDS_SCRIPT);
    console.log(`end-to-end: ${e.eventsPerSecond} events/s for ${e.sendMs / 1000} s per setting`);
    await Promise.all(tabs.map((tab, i) => tab.goto(`${site.origin}/lane-${i}`)));
    // Sending ends after sendMs; the tag flushes its last batch up to 2 s later.
    await new Promise((resolve) => setTimeout(resolve, e.sendMs + 3_000));

    const sentBy = await Promise.all(
      tabs.map((tab) =>
        tab.evaluate(() => (window as unknown as { __benchSent: SentBatch[] }).__benchSent),
      ),
    );
    const results: EndToEndResult[] = [];
    await Promise.all(
      running.map(async (lane, i) => {
        const sentAt = new Map<string, number>();
        for (const batch of sentBy[i]!) {
          for (const id of batch.ids) sentAt.set(id, Math.min(sentAt.get(id) ?? batch.t, batch.t));
        }
        const deadline = Date.now() + lane.setting.maxFileAgeMs + SLACK_MS;
        while ([...sentAt.keys()].some((id) => !lane.watcher.seen.has(id))) {
          if (Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        await lane.watcher.stop();
        const latenciesMs = [...sentAt].flatMap(([id, t]) => {
          const seenAt = lane.watcher.seen.get(id);
          return seenAt === undefined ? [] : [seenAt - t];
        });
        results[i] = {
          setting: lane.setting,
          sent: sentAt.size,
          latenciesMs,
          files: lane.watcher.files(),
          maxRssBytes: 0,
        };
        console.log(
          `end-to-end: ${lane.setting.name}: ${latenciesMs.length}/${sentAt.size} events readable, ` +
            `p50 ${Math.round(quantile(latenciesMs, 0.5))} ms, p99 ${Math.round(quantile(latenciesMs, 0.99))} ms`,
        );
      }),
    );
    for (const context of contexts) await context.close();
    for (const [i, lane] of running.entries()) {
      results[i]!.maxRssBytes = (await lane.pipeline.stop()).maxRssBytes ?? 0;
    }
    return { results, sendMs: e.sendMs, eventsPerSecond: e.eventsPerSecond, pollMs: POLL_MS };
  } finally {
    for (const lane of running) {
      lane.pipeline.kill();
      await lane.watcher.stop();
      await rm(lane.dataDir, { recursive: true, force: true });
    }
    await browser.close();
    await site.close();
  }
}
