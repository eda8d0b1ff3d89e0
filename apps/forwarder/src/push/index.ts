// Push mode: the queue hands the forwarder a batch (Cloudflare Queues' `queue()` handler)
// instead of the forwarder pulling from a consumer. Runtime-free (Web APIs only), so it
// bundles for workerd; the pull forwarder (`@sluice/forwarder`) needs Node. Keys and file
// names come from @sluice/layout (`partitionOf`, `messageIdsFileName`, `objectKeyOf`).
export { gunzip, gzip } from './gzip.js';
export {
  type DeliveredMessage,
  readDeliveredMessage,
  UNREADABLE_SOURCE,
  type WriteBatchDeps,
  type WriteBatchResult,
  writeMessageBatch,
} from './write-batch.js';
