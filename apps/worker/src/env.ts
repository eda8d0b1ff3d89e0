import type { Queue as CloudflareQueue, R2Bucket } from '@cloudflare/workers-types';
import type { WireMessage } from '@sluice/queue/cloudflare';

/** The Worker's bindings, as `wrangler.toml` declares them. */
export interface WorkerEnv {
  /** Producer of the events queue: the collector appends here. */
  EVENTS_QUEUE: CloudflareQueue<WireMessage>;
  /** Where the queue consumer writes the files. */
  EVENTS_BUCKET: R2Bucket;
  /**
   * The collector's configuration as JSON (the same shape as the Node collector's config
   * file). A secret (`wrangler secret put SLUICE_CONFIG`), as it may hold secret keys.
   */
  SLUICE_CONFIG?: string;
  /**
   * What the queue consumer's event files hold: `ndjson-gzip` (default) or `parquet` (Snappy
   * pages: the pure-JS writer has no zstd on Workers). A `[vars]` entry in `wrangler.toml`.
   */
  SLUICE_FORMAT?: string;
}
