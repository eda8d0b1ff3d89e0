// The ingestion core: runtime-free (no `node:*`, no HTTP framework, no environment).
export {
  anonymizeAddress,
  anonymizeIp,
  type IpAddress,
  maskedIpv6,
  parseIpAddress,
} from './anonymize-ip.js';
export { copyFields } from './copy-fields.js';
export {
  applyBatchDefaults,
  DEFAULT_ENRICH,
  type EnrichedEvent,
  type EnrichOptions,
  enrichEvent,
  type ReceiveInfo,
  scrubForQuarantine,
} from './enrich.js';
export {
  createMmdbLocator,
  type GeoLocation,
  type LocateIp,
  locationFromCloudflare,
  locationFromRecord,
  type MmdbReader,
} from './geo-location.js';
export {
  type IngestContext,
  type IngestResult,
  ingestBatch,
  type QuarantineReason,
  type RejectedEvent,
} from './ingest-batch.js';
export { nestsDeeperThan } from './json-depth.js';
export { DERIVED_ID_PREFIX, deriveMessageId } from './message-id.js';
export { normalizeIsoTime, normalizeSpecFields } from './normalize-event.js';
export { type JsonProblem, type ParsedObject, parseJsonObject } from './parse-json.js';
export { checkTrackingPlan, isYamlFile, type PlanCheck, parsePlanText } from './plan/check-plan.js';
export {
  type CompiledPlan,
  compilePlan,
  MAX_PLAN_ISSUES,
  PlanCompileError,
  type PlanViolation,
  UNPLANNED_LABEL,
} from './plan/compile-plan.js';
export {
  ANY_NAME,
  type EventRule,
  PLAN_VIOLATIONS_FIELD,
  type TrackingPlan,
  type TrackingPlanInput,
  trackingPlanSchema,
  VIOLATION_ACTIONS,
  type ViolationAction,
} from './plan/plan-schema.js';
export { isMobileLibraryEvent } from './protocols/client-side.js';
export {
  fromRudderStack,
  isRudderStackRequest,
  RUDDER_NODE_LIBRARY,
  type RudderStackRequest,
} from './protocols/rudderstack.js';
export { type SegmentBatch, segmentBatch, segmentSingleEvent } from './protocols/segment.js';
export {
  fromSnowplow,
  type SnowplowBatch,
  type SnowplowPayload,
  snowplowAppId,
  snowplowPayload,
  snowplowQueryEvent,
} from './protocols/snowplow.js';
export {
  type MappedEvent,
  mapSnowplowEvent,
  PAGE_PING_EVENT,
  TRANSACTION_EVENT,
  TRANSACTION_ITEM_EVENT,
} from './protocols/snowplow-event.js';
export { type QuarantineOrigin, quarantineMessage, quarantineRecord } from './quarantine.js';
export { createUserAgentCache, describeUserAgent, type UserAgentFacts } from './user-agent.js';
export { eventSizeIssue, usableMessageId, validateEvent } from './validate-event.js';
