// The small HTTP listener of the processes that serve no HTTP of their own (`sluice forwarder`,
// `sluice mqtt-bridge`): /metrics for Prometheus, /healthz (alive), /readyz (503 with a reason
// while not ready). `sluice start` needs none: its collector serves these.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Option } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { wholeNumber } from './options.js';

export const metricsPortOption = () =>
  new Option(
    '--metrics-port <n>',
    'serve /metrics, /healthz and /readyz on this port (0: any free one)',
  )
    .env('SLUICE_METRICS_PORT')
    .argParser(wholeNumber);

export const metricsHostOption = () =>
  new Option('--metrics-host <address>', 'address of the --metrics-port listener')
    .env('SLUICE_METRICS_HOST')
    .default('127.0.0.1');

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on `host:port`; `notReady` gives the reason /readyz answers 503, if any. */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  notReady: () => string | undefined;
}): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET')
      return json(405, { error: { code: 'method_not_allowed', message: 'use GET' } });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      const reason = options.notReady();
      return reason ? json(503, { status: 'not_ready', reason }) : json(200, { status: 'ready' });
    }
    if (path !== '/metrics')
      return json(404, { error: { code: 'not_found', message: `no route ${path}` } });
    options.registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(body);
      },
      (error: unknown) => json(500, { error: { code: 'metrics_failed', message: String(error) } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** A registry with Node's process metrics, for one process's own metrics. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Starts the listener when `--metrics-port` was given; none otherwise. */
export async function serveMetricsIfAsked(
  options: { metricsPort?: number; metricsHost: string },
  registry: Registry,
  notReady: () => string | undefined,
): Promise<MetricsServer | undefined> {
  if (options.metricsPort === undefined) return undefined;
  return startMetricsServer({
    host: options.metricsHost,
    port: options.metricsPort,
    registry,
    notReady,
  });
}
