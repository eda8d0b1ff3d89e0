import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Queue } from '@sluice/queue';
import { createCollectorApp } from './app.js';
import type { CollectorConfig } from './config.js';

export interface StartCollectorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind (default 127.0.0.1: nothing is exposed unless asked). */
  host?: string;
  queue: Queue;
  config: CollectorConfig;
  tagScript?: string;
}

/** A running collector. `close` stops accepting connections and waits for open ones. */
export interface RunningCollector {
  url: string;
  close(): Promise<void>;
}

/** Starts the collector on Node's HTTP server. The queue stays open: its owner closes it. */
export async function startCollector(options: StartCollectorOptions): Promise<RunningCollector> {
  const app = createCollectorApp({
    queue: options.queue,
    config: options.config,
    tagScript: options.tagScript,
  });
  const host = options.host ?? '127.0.0.1';
  const { server, address } = await new Promise<{
    server: ReturnType<typeof serve>;
    address: AddressInfo;
  }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (info) =>
      resolve({ server, address: info }),
    );
    server.once('error', reject);
  });
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive connections would hold close() open until they time out.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }),
  };
}
