// What the collector worker threads and the main thread of `--workers N` say to each other.
import type { openQueue } from '@sluice/queue';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { CollectorConfig, CollectorConfigInput } from '../config.js';
import type { ConfigReloadOptions } from '../config-reload.js';
import type { TlsFiles } from '../node-tls.js';

/** What a worker thread starts with (structured-clonable: no functions). */
export interface WorkerStart {
  index: number;
  port: number;
  host: string;
  config: CollectorConfigInput;
  /** The tag served at /s.js (read once by the main thread). */
  tagScript?: string;
  /**
   * Reload the config as `startCollector` does: the thread watches the file and takes SIGHUP
   * (through `hangup`), and asks the main thread to load each new config (`load-config`).
   */
  reload?: Omit<ConfigReloadOptions, 'load'>;
  logLevel: string;
  tls?: TlsFiles;
  /**
   * The queue this thread opens and owns (`openQueue(url, modes)`): its log partition, whose
   * writer then runs here. Without it the thread appends through the main thread's queue.
   */
  queue?: { url: string; modes: NonNullable<Parameters<typeof openQueue>[1]> };
}

/** A registry's metrics as prom-client's `getMetricsAsJSON` gives them (structured-clonable). */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Thread -> main. */
export type FromWorker =
  /**
   * Accepted messages to append, as `records` log frames (`encodeFrames`); `frames` is in the
   * transfer list, not cloned (frames-hand-off.ts). Answered by `appended`.
   */
  | { type: 'frames'; id: number; frames: ArrayBuffer; records: number }
  | { type: 'listening'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'closed' }
  /** A scrape of /metrics reached this thread: the process's metrics, please. */
  | { type: 'scrape'; id: number }
  /** This thread's metrics, asked for by `collect`. */
  | { type: 'collected'; id: number; metrics: MetricsJson }
  /** The config changed (file or SIGHUP): the main thread's `reload.load()`, please. */
  | { type: 'load-config'; id: number };

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
  | { type: 'hangup' }
  /** The answer to `load-config`: the new config, or why it was refused. */
  | { type: 'config-loaded'; id: number; config?: CollectorConfig; error?: string };
