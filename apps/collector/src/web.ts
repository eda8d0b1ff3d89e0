// The runtime-free API (Web APIs only), for edge runtimes; `index.ts` adds the Node entry point.

// The per-event validation, enrichment and quarantine live in @sluice/ingest; re-exported for
// code written against the collector's API.
export {
  type GeoLocation,
  type IngestContext,
  type IngestResult,
  ingestBatch,
  type LocateIp,
  locationFromCloudflare,
  nestsDeeperThan,
  type QuarantineReason,
  type RejectedEvent,
} from '@sluice/ingest';
export {
  adminSecretProblem,
  hashAdminSecret,
  MIN_ADMIN_SECRET_LENGTH,
} from './admin-secret-hash.js';
export * from './app.js';
export { anonymizeIp, clientIpFromForwardedFor } from './client-ip.js';
export * from './config.js';
export { applyConfigEnv, CONFIG_ENV_PREFIX } from './config-env.js';
export { DEFAULT_TAG_PATHS, type TagPaths } from './config-paths.js';
export { configJsonSchema } from './config-reference.js';
export * from './errors.js';
export type { LiveEvent, LiveResult } from './live/live-event.js';
export type { LiveFeed, LiveUpdate } from './live/live-feed.js';
export { createLiveView, type LiveView } from './live/live-view.js';
export type * from './observe.js';
export { buildOpenApiDocument } from './openapi.js';
export { generateSecretKey, hashSecretKey } from './secret-keys.js';
export { VERSIONED_TAG_CACHE } from './tag-routes.js';
export {
  describeTagScript,
  scriptTagSnippet,
  type TagScriptIdentity,
  tagScriptPaths,
} from './tag-script.js';
export { type BatchResponse, TRACKING_PATHS } from './tracking-routes.js';
