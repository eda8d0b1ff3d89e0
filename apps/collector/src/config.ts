import { describeIssues, MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from '@sluice/schema';
import { z } from 'zod';
import { adminSchema } from './config-admin.js';
import { pathsSchema } from './config-paths.js';
import {
  collectorMaxEventBytes,
  type Issue,
  inheritedLimits,
  sourceRules,
} from './config-source-rules.js';
import { checkSourcesFast, FAST_CHECK_FROM } from './config-sources-check.js';
import { tlsSchema } from './config-tls.js';

export { DEFAULT_MAX_VIEWERS } from './config-admin.js';

import { byteRateSchema, eventRateSchema, rateLimitSchema, sourceSchema } from './config-source.js';

export type { ByteRate, EnrichOptions, EventRate, Quota, RateLimit } from './config-source.js';

/** Default limit per client IP: generous for people, a wall for a flood from one address. */
export const DEFAULT_IP_RATE = { requestsPerSecond: 100, burst: 500 } as const;

/**
 * Default events per client IP: a person's tag sends a few a second; one address sending full
 * batches of 2,500 at the request limit would otherwise put 250k events/s into the queue.
 */
export const DEFAULT_IP_EVENT_RATE = { eventsPerSecond: 2_000, burst: 10_000 } as const;

/** Default request bytes per client IP (as read, once gzip is inflated): 2 MiB/s, burst 8 MiB. */
export const DEFAULT_IP_BYTE_RATE = {
  bytesPerSecond: 2 * 1024 * 1024,
  burst: 8 * 1024 * 1024,
} as const;

/** Default bound on the clients (IPs and sources) whose rate is tracked in memory. */
export const DEFAULT_MAX_TRACKED_CLIENTS = 100_000;

const collectorLimitsSchema = z.strictObject({
  maxRequestBytes: z
    .int({ message: 'maxRequestBytes must be a whole number of bytes' })
    .min(1024, 'maxRequestBytes must be at least 1024 bytes')
    .default(MAX_REQUEST_BYTES)
    .describe('Largest request body read at all, also once gzip is inflated (Segment: 500 KB).'),
  maxEventBytes: z
    .int({ message: 'maxEventBytes must be a whole number of bytes' })
    .min(1024, 'maxEventBytes must be at least 1024 bytes')
    .optional()
    .describe(
      `Largest event, for sources that set none (default: ${MAX_EVENT_BYTES}, as Segment, or maxRequestBytes if lower).`,
    ),
  ipRate: rateLimitSchema
    .nullable()
    .default({ ...DEFAULT_IP_RATE })
    .describe(
      `Requests per second from one client IP (an IPv6 /64), all sources together (default: ${DEFAULT_IP_RATE.requestsPerSecond}/s, burst ${DEFAULT_IP_RATE.burst}); null: no limit.`,
    ),
  ipEventRate: eventRateSchema
    .nullable()
    .default({ ...DEFAULT_IP_EVENT_RATE })
    .describe(
      `Events per second from one client IP, all sources together (default: ${DEFAULT_IP_EVENT_RATE.eventsPerSecond}/s, burst ${DEFAULT_IP_EVENT_RATE.burst}); null: no limit.`,
    ),
  ipByteRate: byteRateSchema
    .nullable()
    .default({ ...DEFAULT_IP_BYTE_RATE })
    .describe(
      `Request bytes per second from one client IP, all sources together (default: ${DEFAULT_IP_BYTE_RATE.bytesPerSecond}/s, burst ${DEFAULT_IP_BYTE_RATE.burst}); null: no limit.`,
    ),
  maxTrackedClients: z
    .int({ message: 'maxTrackedClients must be a whole number' })
    .min(100, 'maxTrackedClients must be at least 100')
    .default(DEFAULT_MAX_TRACKED_CLIENTS)
    .describe('Most per-IP rate buckets kept in memory; idle ones are evicted first.'),
});

const configObjectSchema = z.strictObject({
  $schema: z
    .string()
    .optional()
    .describe('Lets an editor check the file against `sluice.config.schema.json`; ignored.'),
  trustProxy: z
    .int({ message: 'trustProxy must be the number of proxies in front of the collector' })
    .min(0, 'trustProxy must be 0 or more')
    .max(10, 'trustProxy must be at most 10')
    .default(0)
    .describe(
      'Proxies in front of the collector that append to X-Forwarded-For (Node). 0: the socket address; the header, which anyone can forge, is ignored.',
    ),
  paths: pathsSchema,
  limits: collectorLimitsSchema
    .default({
      maxRequestBytes: MAX_REQUEST_BYTES,
      ipRate: { ...DEFAULT_IP_RATE },
      ipEventRate: { ...DEFAULT_IP_EVENT_RATE },
      ipByteRate: { ...DEFAULT_IP_BYTE_RATE },
      maxTrackedClients: DEFAULT_MAX_TRACKED_CLIENTS,
    })
    .describe('Collector-wide limits. Rate limits count per process.'),
  sources: z
    .array(sourceSchema, { message: 'sources must be a list of sources' })
    .min(1, 'sources must hold at least one source')
    .describe('The sites and apps that send events.'),
  admin: adminSchema,
  tls: tlsSchema,
});

type ConfigObject = z.output<typeof configObjectSchema>;
type SourceOutput = ConfigObject['sources'][number];

function checkConfig(config: ConfigObject, ctx: z.RefinementCtx): void {
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  checkCollectorLimits(config.limits, issue);
  config.sources.forEach(sourceRules(config.limits, issue));
}

function checkCollectorLimits(limits: ConfigObject['limits'], issue: Issue): void {
  if ((limits.maxEventBytes ?? 0) > limits.maxRequestBytes) {
    issue(
      ['limits', 'maxEventBytes'],
      `must be at most limits.maxRequestBytes (${limits.maxRequestBytes})`,
    );
  }
  const byteBurst = limits.ipByteRate?.burst ?? Number.POSITIVE_INFINITY;
  if (byteBurst < limits.maxRequestBytes) {
    issue(
      ['limits', 'ipByteRate', 'burst'],
      `must be at least limits.maxRequestBytes (${limits.maxRequestBytes}), or the largest request never passes`,
    );
  }
}

// Sources inherit the collector-wide size limits they do not set.
function inheritLimits(config: ConfigObject) {
  return {
    ...config,
    limits: { ...config.limits, maxEventBytes: collectorMaxEventBytes(config.limits) },
    sources: config.sources.map((source) => ({
      ...source,
      limits: inheritedLimits(source.limits, config.limits),
    })),
  };
}

/** The collector's configuration. Parse errors are written for the person editing the config. */
export const collectorConfigSchema = configObjectSchema
  .superRefine(checkConfig)
  .transform(inheritLimits);

/** The same without the sources, which config-sources-check.ts parses (many sources). */
const configWithoutSourcesSchema = configObjectSchema.extend({ sources: z.custom<unknown>() });

/** A parsed, valid collector configuration. */
export type CollectorConfig = z.output<typeof collectorConfigSchema>;
/** A configuration as written by hand (defaults not yet applied); a parsed one is one too. */
export type CollectorConfigInput = z.input<typeof collectorConfigSchema>;
/** One site or app sending events. */
export type SourceConfig = CollectorConfig['sources'][number];
/** A source's limits, with the collector-wide defaults filled in. */
export type SourceLimits = SourceConfig['limits'];

/** The results of parseCollectorConfig (frozen in spirit: nothing changes a parsed config). */
const parsedConfigs = new WeakSet<object>();

/**
 * Validates a configuration; throws an Error whose message lists every problem
 * by path, e.g. `sources.0.allowedOrigins.1: an origin must be ...`.
 */
export function parseCollectorConfig(input: unknown): CollectorConfig {
  // A config this function returned is valid as it is: the loader, startCollector and the app
  // each take one, and parsing 100,000 sources three times tripled the time to ready.
  if (typeof input === 'object' && input !== null && parsedConfigs.has(input)) {
    return input as CollectorConfig;
  }
  const result = parseWithFastSources(input) ?? collectorConfigSchema.safeParse(input);
  if (result.success) {
    parsedConfigs.add(result.data);
    return result.data;
  }
  const lines = describeIssues(result.error).map(
    (issue) => `  - ${issue.path || '(config)'}: ${issue.message}`,
  );
  throw new Error(`invalid collector config:\n${lines.join('\n')}`);
}

/**
 * The parse with the sources checked by the compiled check (many sources: zod alone took
 * 6 µs a source), or undefined when zod must parse all of it (and word what is wrong).
 * One pass over the sources checks each, checks it against the others and gives it its
 * inherited limits (a second pass copying 100,000 sources cost a fifth of the parse).
 */
function parseWithFastSources(
  input: unknown,
): { success: true; data: CollectorConfig } | undefined {
  if (typeof input !== 'object' || input === null || !('sources' in input)) return undefined;
  if (!Array.isArray(input.sources) || input.sources.length < FAST_CHECK_FROM) return undefined;
  const rest = configWithoutSourcesSchema.safeParse(input);
  if (!rest.success) return undefined;
  const config = rest.data;
  let valid = true;
  const refuse: Issue = () => {
    valid = false;
  };
  checkCollectorLimits(config.limits, refuse);
  if (!valid) return undefined;
  const rules = sourceRules(config.limits, refuse);
  // Sources that set no limits share one limits object (the check's defaults): they share
  // one inherited object too, instead of 100,000 equal ones.
  let lastIn: SourceOutput['limits'] | undefined;
  let lastOut: SourceConfig['limits'] | undefined;
  const sources = checkSourcesFast(input.sources, FAST_CHECK_FROM, (source, i) => {
    rules(source, i);
    if (!valid) return undefined;
    if (source.limits !== lastIn) {
      lastIn = source.limits;
      lastOut = inheritedLimits(source.limits, config.limits);
    }
    // `source` is the check's own new object: giving it its limits copies nothing.
    const parsed = source as SourceConfig;
    parsed.limits = lastOut!;
    return parsed;
  });
  if (!sources) return undefined;
  const limits = { ...config.limits, maxEventBytes: collectorMaxEventBytes(config.limits) };
  return { success: true, data: { ...config, limits, sources } };
}
