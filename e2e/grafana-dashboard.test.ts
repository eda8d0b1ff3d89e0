import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MosquittoBroker, startMosquitto } from '@sluice/testkit/mosquitto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, startSluice } from './cli-process.js';
import { exportedNames, scrape } from './metrics-scrape.js';
import { startBridgeProcess, writeBridgeConfig } from './mqtt-bridge-process.js';

// docs/grafana-dashboard.json is only useful if its queries find data: every metric named in
// its PromQL must be exported by a running sluice start, sluice forwarder or sluice mqtt-bridge.

let dir: string;
let broker: MosquittoBroker;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-dashboard-'));
  broker = await startMosquitto({
    users: { bridge: 'bridge-secret' },
    acl: 'user bridge\ntopic read devices/#\n',
  });
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Panel {
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

/** The metric names in a PromQL expression: identifiers of sluice's and Node's metrics. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(?:sluice|process|nodejs)_[a-z0-9_]+\b/g)].map((m) => m[0]);
}

it('names in its queries only metrics the processes export', async () => {
  const dashboard = JSON.parse(
    await readFile(join(REPO_ROOT, 'docs/grafana-dashboard.json'), 'utf8'),
  ) as { panels: Panel[] };
  const queried = new Map<string, string>();
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const { expr } of panel.targets ?? []) {
        const names = metricsIn(expr);
        expect(names, `${panel.title}: ${expr}`).not.toHaveLength(0);
        for (const name of names) queried.set(name, panel.title);
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);

  const start = await startSluice(
    ['start', '--data-dir', join(dir, 'start'), '--port', '0'],
    /Press Ctrl\+C to stop/,
  );
  const forwarder = await startSluice(
    [
      'forwarder',
      '--queue',
      `log:${join(dir, 'queue')}`,
      '--store-dir',
      join(dir, 'store'),
      '--metrics-port',
      '0',
    ],
    /"ready":true/,
  );
  const configFile = await writeBridgeConfig(dir, broker.url, 'sluice-dashboard');
  const bridge = await startBridgeProcess({ SLUICE_MQTT_PASSWORD: 'bridge-secret' }, [
    '--config',
    configFile,
    '--queue',
    `log:${join(dir, 'bridge-queue')}`,
    '--metrics-port',
    '0',
  ]);
  try {
    const startUrl = /demo page\s+(http:\/\/127\.0\.0\.1:\d+)\/demo/.exec(start.stdout())![1]!;
    const forwarderMetrics = /"metrics":"([^"]+)"/.exec(forwarder.stdout())![1]!;
    const ready = await bridge.waitForLine((line) => line.ready === true);
    const bridgeMetrics = ready.metrics as string;
    const exported = new Set<string>();
    for (const url of [`${startUrl}/metrics`, forwarderMetrics, bridgeMetrics]) {
      for (const name of exportedNames(await scrape(url))) exported.add(name);
    }
    // Their own listeners answer health and readiness too.
    for (const url of [forwarderMetrics, bridgeMetrics]) {
      expect((await fetch(url.replace(/metrics$/, 'healthz'))).status).toBe(200);
      expect((await fetch(url.replace(/metrics$/, 'readyz'))).status).toBe(200);
    }
    const missing = [...queried].filter(([name]) => !exported.has(name));
    expect(missing).toEqual([]);
    expect(queried.size).toBeGreaterThan(20);
  } finally {
    await bridge.stop();
    expect((await forwarder.stop('SIGTERM')).code).toBe(0);
    expect((await start.stop('SIGTERM')).code).toBe(0);
  }
}, 120_000);
