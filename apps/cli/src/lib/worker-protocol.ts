// What the collector worker threads and the main thread of `--workers N` say to each other.
import type { CollectorConfigInput, TlsFiles } from '@sluice/collector';
import type { QueueMessage } from '@sluice/queue';

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

/** Thread -> main. */
export type FromWorker =
  | { type: 'append'; id: number; messages: QueueMessage[] }
  | { type: 'listening'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'closed' };

/** Main -> thread. */
export type ToWorker =
  | {
      type: 'appended';
      id: number;
      error?: { name: string; message: string; retryAfterSeconds?: number };
    }
  | { type: 'close' };
