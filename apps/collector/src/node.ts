import { createHash } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { createAdaptorServer, serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { LocateIp } from '@sluice/ingest';
import type { QueueProducer } from '@sluice/queue';
import type { Context } from 'hono';
import { type DestinationStream, pino } from 'pino';
import type { Registry } from 'prom-client';
import { createCollectorApp } from './app.js';
import { clientIpFromForwardedFor } from './client-ip.js';
import { type CollectorConfig, type CollectorConfigInput, parseCollectorConfig } from './config.js';
import { type ConfigReloadOptions, reloadableApp } from './config-reload.js';
import { createLiveView } from './live/live-view.js';
import { openGeoDatabase } from './node-geo.js';
import { createPrometheusObserver, type LogCounts } from './node-metrics.js';
import { readTlsFiles, reloadTlsOnHangup, type TlsFiles } from './node-tls.js';
import type { CollectorLogger } from './observe.js';
import { createUsageCounters } from './source-usage.js';

// A request must arrive whole within this time: slow senders cannot hold sockets forever.
export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 10_000;
// How often Node looks for requests past those times. Its default (30 s) let a slowloris
// connection live up to 40 s with its headers unsent and 60 s with its body.
const TIMEOUT_CHECK_MS = 1_000;

export interface StartCollectorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind (default 127.0.0.1: nothing is exposed unless asked). */
  host?: string;
  queue: QueueProducer;
  config: CollectorConfigInput;
  tagScript?: string;
  /** Structured logs (default: pino at info level on stdout); false for none. */
  logger?: CollectorLogger | false;
  /** Serve Prometheus metrics at `/metrics` (default true). */
  metrics?: boolean;
  /**
   * Register the collector's metrics here, to serve them with others of the process (e.g. the
   * forwarder's in `sluice start`). Default: a registry of its own with Node's process metrics.
   */
  registry?: Registry;
  /**
   * Messages waiting in the queue, for the `sluice_queue_depth` gauge. By default the queue's
   * own `depth()` where it has one (the embedded log: appended and not yet removed by retention).
   */
  queueDepth?: () => number | undefined;
  /** The server clock (tests). */
  now?: () => number;
  /** Why the process is not ready, if it is not (see `CollectorDeps.notReady`). */
  notReady?: () => string | undefined;
  /**
   * Reload the config while running (SIGHUP, file changes): requests in flight finish with
   * the config they started with, the next ones get the new one. The live view's admin
   * section, the tls section and the listening address stay as started.
   */
  reload?: ConfigReloadOptions;
  /** Label event metrics with every source id (default: the first 100, then "_other"). */
  perSourceMetrics?: boolean;
  /**
   * Serve HTTPS with these PEM files, reloaded on SIGHUP (node-tls.ts); wins over the
   * config's `tls` section. Without either, plain HTTP: for use behind a proxy that
   * terminates TLS.
   */
  tls?: TlsFiles;
  /**
   * Bind with SO_REUSEPORT, so several collectors (worker threads or processes) share one port
   * and the kernel spreads connections among them (Node >= 22.12 or 23.1; `reusePortSupport`).
   */
  reusePort?: boolean;
  /**
   * Looks up client locations for sources with `enrich.geo` (default: the installed DB-IP
   * database, see node-geo.ts); false: none.
   */
  geo?: LocateIp | false;
}

/** Why this Node cannot share a port with `reusePort`, or undefined when it can. */
export function reusePortSupport(version = process.version): string | undefined {
  const [major = 0, minor = 0] = version.slice(1).split('.').map(Number);
  const supported = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return supported
    ? undefined
    : `several workers share the port with SO_REUSEPORT, which needs Node 22.12, 23.1 or later; this is Node ${version}`;
}

/** `serve` of @hono/node-server, listening with `reusePort` (it has no option for it). */
function reusePortServe(port: number, host: string): typeof serve {
  return (options, listening) => {
    const server = createAdaptorServer(options);
    server.listen({ port, host, reusePort: true }, () => {
      listening?.(server.address() as AddressInfo);
    });
    return server;
  };
}

/** A running collector. `close` stops accepting connections and waits for open ones. */
export interface RunningCollector {
  url: string;
  close(): Promise<void>;
}

/**
 * pino with the collector's defaults (JSON lines on stdout unless `destination` is given);
 * headers that carry keys are redacted should they ever be logged.
 */
export function createNodeLogger(
  options: { level?: string; destination?: DestinationStream; service?: string } = {},
): CollectorLogger {
  const settings = {
    level: options.level ?? 'info',
    base: { service: options.service ?? 'sluice-collector' },
    redact: ['headers.authorization', 'headers.cookie', '*.writeKey', '*.secretKey'],
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

function queueDepthOf(queue: QueueProducer): (() => number) | undefined {
  return queue.depth && (() => queue.depth?.() ?? 0);
}

/** The embedded log's stats, when the queue is one. */
function logStatsOf(queue: QueueProducer): (() => LogCounts) | undefined {
  const stats = (queue as { stats?: () => Partial<LogCounts> }).stats;
  if (typeof stats !== 'function' || typeof stats.call(queue).corruptBytes !== 'number') return;
  return () => stats.call(queue) as LogCounts;
}

/**
 * The client IP on Node: the socket's peer, or with `trustProxy` proxies in front, the
 * entry of X-Forwarded-For they vouch for.
 */
function nodeClientIp(trustProxy: number) {
  return (c: Context): string | undefined => {
    const forwarded = clientIpFromForwardedFor(c.req.header('x-forwarded-for'), trustProxy);
    if (forwarded) return forwarded;
    try {
      return getConnInfo(c).remote.address;
    } catch {
      return undefined;
    }
  };
}

/** Starts the collector on Node's HTTP server. The queue stays open: its owner closes it. */
export async function startCollector(options: StartCollectorOptions): Promise<RunningCollector> {
  const config = parseCollectorConfig(options.config);
  const logger = options.logger === false ? undefined : (options.logger ?? createNodeLogger());
  // Counts and quotas per source, kept across config reloads.
  const usage = createUsageCounters();
  const prometheus =
    options.metrics === false
      ? undefined
      : createPrometheusObserver({
          registry: options.registry,
          queueDepth: options.queueDepth ?? queueDepthOf(options.queue),
          usage,
          perSourceLabels: options.perSourceMetrics,
          logStats: logStatsOf(options.queue),
        });
  let closing = false;
  // Opened once for every reload; its files are read on the first lookup.
  const locateIp = options.geo === false ? undefined : (options.geo ?? openGeoDatabase());
  const liveView = config.admin ? createLiveView(config.admin, { now: options.now }) : undefined;
  const build = (config: CollectorConfig) =>
    createCollectorApp({
      queue: options.queue,
      config,
      tagScript: options.tagScript,
      now: options.now,
      clientIp: nodeClientIp(config.trustProxy),
      locateIp,
      logger,
      observer: prometheus?.observer,
      metrics: prometheus?.metrics,
      isReady: () => !closing,
      notReady: options.notReady,
      liveView,
      usage,
      sha256: (text) => createHash('sha256').update(text).digest(),
    });
  const app = reloadableApp(build, config, options.reload, logger);
  const host = options.host ?? '127.0.0.1';
  // The option (the CLI's flags) wins over the config file's tls section.
  const tlsFiles = options.tls ?? config.tls;
  const tls = tlsFiles && (await readTlsFiles(tlsFiles));
  const { server, address } = await new Promise<{
    server: ReturnType<typeof serve>;
    address: AddressInfo;
  }>((resolve, reject) => {
    const listen = options.reusePort ? reusePortServe(options.port ?? 0, host) : serve;
    const server = listen(
      {
        fetch: app.fetch,
        port: options.port ?? 0,
        hostname: host,
        ...(tls ? { createServer: createHttpsServer } : {}),
        serverOptions: {
          requestTimeout: REQUEST_TIMEOUT_MS,
          headersTimeout: HEADERS_TIMEOUT_MS,
          connectionsCheckingInterval: TIMEOUT_CHECK_MS,
          ...tls,
        },
      },
      (info) => resolve({ server, address: info }),
    );
    server.once('error', reject);
  });
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${urlHost}:${address.port}`;
  const stopReloading =
    tlsFiles && reloadTlsOnHangup(server as unknown as TlsServer, tlsFiles, logger);
  logger?.info(
    {
      url,
      sources: config.sources.length,
      firstSources: config.sources.slice(0, 5).map((s) => s.id),
    },
    'collector listening',
  );
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        app.close();
        stopReloading?.();
        // Open live views would otherwise hold the server open.
        liveView?.close();
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive connections would hold close() open until they time out.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }),
  };
}
