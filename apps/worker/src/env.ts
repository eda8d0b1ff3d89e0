import type {
  Queue as CloudflareQueue,
  DurableObjectNamespace,
  R2Bucket,
} from '@cloudflare/workers-types';
import type { WireMessage } from '@sluice/queue/cloudflare';

/** The Worker's bindings, as `wrangler.toml` declares them. */
export interface WorkerEnv {
  /** Producer of the events queue: the collector appends here. */
  EVENTS_QUEUE: CloudflareQueue<WireMessage>;
  /** Where the partitions' Durable Objects write the files. */
  EVENTS_BUCKET: R2Bucket;
  /** One `PartitionFiles` object per partition folder (`idFromName(partition)`). */
  PARTITION_FILES: DurableObjectNamespace;
  /**
   * The collector's configuration as JSON (the same shape as the Node collector's config
   * file). A secret (`wrangler secret put SLUICE_CONFIG`), as it may hold secret keys.
   */
  SLUICE_CONFIG?: string;
  /** How files are cut, and their format (file-settings.ts): `[vars]` in wrangler.toml. */
  SLUICE_FORMAT?: string;
  SLUICE_FILE_BYTES?: string;
  SLUICE_FILE_AGE_SECONDS?: string;
  SLUICE_DEDUP_WINDOW_SECONDS?: string;
  /** Partitions the Cron Trigger compacts per run at most (scheduled-handler.ts). */
  SLUICE_COMPACTIONS_PER_RUN?: string;
  /** Marked partitions the Cron Trigger visits per run at most (scheduled-handler.ts). */
  SLUICE_VISITS_PER_RUN?: string;
}
