import { describeIssues, MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from '@sluice/schema';
import { z } from 'zod';
import { adminSchema } from './config-admin.js';
import { pathsSchema } from './config-paths.js';
import { checkSourcesFast } from './config-sources-check.js';
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
  const ids = new Set<string>();
  const keys = new Map<string, string>();
  const appIds = new Map<string, string>();
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  if ((config.limits.maxEventBytes ?? 0) > config.limits.maxRequestBytes) {
    issue(
      ['limits', 'maxEventBytes'],
      `must be at most limits.maxRequestBytes (${config.limits.maxRequestBytes})`,
    );
  }
  const byteBurst = config.limits.ipByteRate?.burst ?? Number.POSITIVE_INFINITY;
  if (byteBurst < config.limits.maxRequestBytes) {
    issue(
      ['limits', 'ipByteRate', 'burst'],
      `must be at least limits.maxRequestBytes (${config.limits.maxRequestBytes}), or the largest request never passes`,
    );
  }
  config.sources.forEach((source, i) => {
    if (ids.has(source.id)) issue(['sources', i, 'id'], `source id "${source.id}" is used twice`);
    ids.add(source.id);
    for (const field of ['writeKeys', 'secretKeys'] as const) {
      source[field].forEach((key, k) => {
        const owner = keys.get(key);
        if (owner !== undefined) {
          issue(['sources', i, field, k], `this key is already used by source "${owner}"`);
        }
        keys.set(key, source.id);
      });
    }
    source.snowplowAppIds.forEach((appId, k) => {
      const owner = appIds.get(appId);
      if (owner !== undefined) {
        issue(
          ['sources', i, 'snowplowAppIds', k],
          `this app id is already used by source "${owner}"`,
        );
      }
      appIds.set(appId, source.id);
    });
    const maxRequest = source.limits.maxRequestBytes ?? config.limits.maxRequestBytes;
    if (maxRequest > config.limits.maxRequestBytes) {
      issue(
        ['sources', i, 'limits', 'maxRequestBytes'],
        `must be at most limits.maxRequestBytes (${config.limits.maxRequestBytes})`,
      );
    }
    if ((source.limits.byteRate?.burst ?? Number.POSITIVE_INFINITY) < maxRequest) {
      issue(
        ['sources', i, 'limits', 'byteRate', 'burst'],
        `must be at least the request limit (${maxRequest}), or the largest request never passes`,
      );
    }
    const maxEvent = source.limits.maxEventBytes;
    if (maxEvent !== undefined && maxEvent > maxRequest) {
      issue(
        ['sources', i, 'limits', 'maxEventBytes'],
        `must be at most the request limit (${maxRequest})`,
      );
    }
  });
}

// Sources inherit the collector-wide size limits they do not set.
function inheritLimits(config: ConfigObject) {
  const maxEventBytes =
    config.limits.maxEventBytes ?? Math.min(MAX_EVENT_BYTES, config.limits.maxRequestBytes);
  return {
    ...config,
    limits: { ...config.limits, maxEventBytes },
    sources: config.sources.map((source) => {
      const maxRequestBytes = source.limits.maxRequestBytes ?? config.limits.maxRequestBytes;
      return {
        ...source,
        limits: {
          rate: source.limits.rate,
          eventRate: source.limits.eventRate,
          byteRate: source.limits.byteRate,
          quota: source.limits.quota,
          maxEventBytes: source.limits.maxEventBytes ?? Math.min(maxEventBytes, maxRequestBytes),
          maxRequestBytes,
        },
      };
    }),
  };
}

/** The collector's configuration. Parse errors are written for the person editing the config. */
export const collectorConfigSchema = configObjectSchema
  .superRefine(checkConfig)
  .transform(inheritLimits);

/** The same, for a config whose sources config-sources-check.ts has parsed already. */
const checkedSourcesConfigSchema = configObjectSchema
  .extend({ sources: z.custom<SourceOutput[]>() })
  .superRefine(checkConfig)
  .transform(inheritLimits);

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
 */
function parseWithFastSources(input: unknown) {
  if (typeof input !== 'object' || input === null || !('sources' in input)) return undefined;
  const sources = checkSourcesFast(input.sources);
  if (!sources) return undefined;
  const result = checkedSourcesConfigSchema.safeParse({ ...input, sources });
  return result.success ? result : undefined;
}
