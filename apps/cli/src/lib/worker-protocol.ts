// What the collector worker threads and the main thread of `--workers N` say to each other.
import type { CollectorConfigInput, TlsFiles } from '@sluice/collector';
import type { QueueMessage } from '@sluice/queue';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What a worker thread starts with. */
export interface WorkerStart {
  index: number;
  port: number;
  host: string;
  /** The config file (`--config`), read by the thread, unless `collectorConfig` is given. */
  config?: string;
  /** The config as the main thread made it (`sluice start` adds an admin secret). */
  collectorConfig?: CollectorConfigInput;
  logLevel: string;
  tls?: TlsFiles;
}

/** A registry's metrics as prom-client's `getMetricsAsJSON` gives them (structured-clonable). */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Thread -> main. */
export type FromWorker =
  | { type: 'append'; id: number; messages: QueueMessage[] }
  | { type: 'listening'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'closed' }
  /** A scrape of /metrics reached this thread: the process's metrics, please. */
  | { type: 'scrape'; id: number }
  /** This thread's metrics, asked for by `collect`. */
  | { type: 'collected'; id: number; metrics: MetricsJson };

/** Main -> thread. */
export type ToWorker =
  | {
      type: 'appended';
      id: number;
      error?: { name: string; message: string; retryAfterSeconds?: number };
    }
  | { type: 'close' }
  /** The answer to `scrape`: every thread's metrics summed, and the main thread's. */
  | { type: 'scraped'; id: number; body: string; contentType: string }
  | { type: 'collect'; id: number }
  /** Why the process is not ready now (the forwarder's reason), or ready again. */
  | { type: 'readiness'; notReady?: string }
  /** The process got SIGHUP (signals reach the main thread only): reload config and TLS. */
  | { type: 'hangup' };
