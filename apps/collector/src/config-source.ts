// The zod schema of one source (a site or app sending events). Messages are written for
// the person editing the config file: they name what is wrong and how to fix it.
import { DEFAULT_ENRICH } from '@sluice/ingest';
import { MAX_BATCH_EVENTS, MAX_REQUEST_BYTES, SOURCE_ID_PATTERN } from '@sluice/schema';
import { z } from 'zod';
import { sourcePlanSchema } from './config-plan.js';
import { checkOriginPattern } from './origin-pattern.js';

// Write keys travel in URLs, data attributes and Basic auth user names (where ':' ends the name).
const WRITE_KEY = /^[A-Za-z0-9._~-]{1,256}$/;
const SECRET_HASH = /^sha256:[0-9a-f]{64}$/;

/** A token bucket: a steady rate and how many requests may come at once above it. */
export const rateLimitSchema = z
  .strictObject({
    requestsPerSecond: z
      .number({ message: 'requestsPerSecond must be a number' })
      .positive('requestsPerSecond must be above 0')
      .describe('Steady rate the bucket refills at.'),
    burst: z
      .int({ message: 'burst must be a whole number' })
      .positive('burst must be at least 1')
      .optional()
      .describe('Requests allowed at once above the rate (default: twice the rate).'),
  })
  // A burst of twice the rate absorbs the flush of a page leave without inviting floods.
  .transform((rate) => ({
    requestsPerSecond: rate.requestsPerSecond,
    burst: rate.burst ?? Math.max(1, Math.ceil(rate.requestsPerSecond * 2)),
  }));

export type RateLimit = z.output<typeof rateLimitSchema>;

// A bucket over events or bytes must hold the largest request (a full batch, the largest
// body), or such a request could never pass; by default it holds four seconds' worth.
const amountBurst = (least: number, what: string, defaultLeast: number) =>
  z
    .int({ message: 'burst must be a whole number' })
    .min(least, `burst must be at least ${least} (${what})`)
    .optional()
    .describe(
      `Allowed at once above the rate, at least ${what} (default: four times the rate, at least ${defaultLeast}).`,
    );

const amountRate = (perSecond: number, burst: number | undefined, least: number) =>
  burst ?? Math.max(least, Math.ceil(perSecond * 4));

/** Events per second: a request costs its number of events. */
export const eventRateSchema = z
  .strictObject({
    eventsPerSecond: z
      .number({ message: 'eventsPerSecond must be a number' })
      .positive('eventsPerSecond must be above 0')
      .describe('Steady rate the bucket refills at.'),
    burst: amountBurst(MAX_BATCH_EVENTS, 'a full batch', MAX_BATCH_EVENTS),
  })
  .transform((rate) => ({
    eventsPerSecond: rate.eventsPerSecond,
    burst: amountRate(rate.eventsPerSecond, rate.burst, MAX_BATCH_EVENTS),
  }));

/** Request bytes per second, counted as read (once gzip is inflated). */
export const byteRateSchema = z
  .strictObject({
    bytesPerSecond: z
      .number({ message: 'bytesPerSecond must be a number' })
      .positive('bytesPerSecond must be above 0')
      .describe('Steady rate the bucket refills at.'),
    // Checked against maxRequestBytes once the whole config is known.
    burst: amountBurst(1024, 'the largest request body', MAX_REQUEST_BYTES),
  })
  .transform((rate) => ({
    bytesPerSecond: rate.bytesPerSecond,
    burst: amountRate(rate.bytesPerSecond, rate.burst, MAX_REQUEST_BYTES),
  }));

export type EventRate = z.output<typeof eventRateSchema>;
export type ByteRate = z.output<typeof byteRateSchema>;

const byteCount = (name: string) =>
  z
    .int({ message: `${name} must be a whole number of bytes` })
    .min(1024, `${name} must be at least 1024 bytes`);

const quotaCount = (name: string) =>
  z
    .int({ message: `${name} must be a whole number of events` })
    .positive(`${name} must be at least 1`)
    .optional();

/** Events a source may send per UTC minute and per UTC day, for a hosted plan's limits. */
export const quotaSchema = z
  .strictObject({
    eventsPerMinute: quotaCount('eventsPerMinute').describe(
      'Events per UTC minute; over it requests get 429 with Retry-After until the next minute.',
    ),
    eventsPerDay: quotaCount('eventsPerDay').describe(
      'Events per UTC day; over it requests get 429 with Retry-After until midnight UTC.',
    ),
  })
  .nullable()
  .default(null)
  .describe(
    "The source's quota, counted per process like the rates (events of a refused request are not counted); null: none.",
  );

export type Quota = NonNullable<z.output<typeof quotaSchema>>;

export const sourceLimitsSchema = z.strictObject({
  maxEventBytes: byteCount('maxEventBytes')
    .optional()
    .describe(
      'Largest event as sent; larger ones go to quarantine (default: `limits.maxEventBytes`).',
    ),
  maxRequestBytes: byteCount('maxRequestBytes')
    .optional()
    .describe('Largest request body, at most `limits.maxRequestBytes` (default: that).'),
  rate: rateLimitSchema
    .nullable()
    .default(null)
    .describe('Requests per second for the whole source, all clients together; null: no limit.'),
  eventRate: eventRateSchema
    .nullable()
    .default(null)
    .describe('Events per second for the whole source, all clients together; null: no limit.'),
  byteRate: byteRateSchema
    .nullable()
    .default(null)
    .describe(
      'Request bytes per second for the whole source, all clients together; null: no limit.',
    ),
  quota: quotaSchema,
});

export const enrichSchema = z.strictObject({
  receivedAt: z
    .boolean()
    .default(true)
    .describe('Add `receivedAt`, the server time the request arrived.'),
  correctClockSkew: z
    .boolean()
    .default(true)
    .describe(
      "Set `timestamp` to receivedAt − (sentAt − timestamp): the client's clock error removed.",
    ),
  ip: z
    .enum(['anonymize', 'drop'], { message: 'ip must be "anonymize" or "drop"' })
    .default('anonymize')
    .describe(
      '"anonymize": `context.ip` cut to its /24 (IPv4) or /48 (IPv6); "drop": no IP. Never the raw one.',
    ),
  parseUserAgent: z
    .boolean()
    .default(true)
    .describe('Add `context.browser`, `context.os` and `context.device` from the user agent.'),
  detectBots: z
    .boolean()
    .default(true)
    .describe('Add `context.bot`: true for crawlers and scripts.'),
  geo: z
    .boolean()
    .default(true)
    .describe(
      'Add `context.location` (`country` code, `region`, `city`, `source`: the database and its version) from the client IP before it is anonymized: DB-IP lite on Node, `request.cf` on Workers.',
    ),
});

export type EnrichOptions = z.output<typeof enrichSchema>;

/** A source can be told apart by at least one key or app id (what its schema requires). */
export function hasCredential(source: {
  writeKeys: readonly string[];
  secretKeys: readonly string[];
  snowplowAppIds: readonly string[];
}): boolean {
  return source.writeKeys.length + source.secretKeys.length + source.snowplowAppIds.length > 0;
}

/** One source: who may send (keys, origins), its limits and what the collector adds. */
export const sourceSchema = z
  .strictObject({
    id: z
      .string({ message: 'id must be a string' })
      .regex(
        SOURCE_ID_PATTERN,
        'id must be a slug: lower-case letters, digits, "-" or "_", at most 64 characters',
      )
      .describe('Names the source in object keys (`source=<id>`) and metrics.'),
    writeKeys: z
      .array(
        z
          .string({ message: 'a write key must be a string' })
          .regex(
            WRITE_KEY,
            'a write key uses only letters, digits and . _ ~ - (1 to 256 characters)',
          ),
        { message: 'writeKeys must be a list of strings' },
      )
      .default([])
      .describe('Public keys for browsers and SDKs: in the body or as Basic auth user name.'),
    secretKeys: z
      .array(
        z
          .string({ message: 'a secret key hash must be a string' })
          .regex(
            SECRET_HASH,
            'a secret key is stored as its hash: "sha256:" and 64 lower-case hex digits (make one with `pnpm --filter @sluice/collector hash-secret`)',
          ),
        { message: 'secretKeys must be a list of strings' },
      )
      .default([])
      .describe(
        'Hashes (`sha256:<hex>`) of secret keys for servers: sent as Bearer token or Basic auth user name.',
      ),
    snowplowAppIds: z
      .array(
        z
          .string({ message: 'a Snowplow app id must be a string' })
          .min(1, 'a Snowplow app id must not be empty')
          .max(256, 'a Snowplow app id has at most 256 characters'),
        { message: 'snowplowAppIds must be a list of strings' },
      )
      .default([])
      .describe(
        "App ids (`aid`, the trackers' `appId`) whose Snowplow events this source takes; Snowplow's trackers send no key.",
      ),
    allowedOrigins: z
      .array(
        z.string({ message: 'an origin must be a string' }).superRefine((pattern, ctx) => {
          const problem = checkOriginPattern(pattern);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
        { message: 'allowedOrigins must be a list of strings' },
      )
      .default([])
      .describe(
        'Browser origins allowed with a write key: "*", exact ("https://shop.example") or "https://*.shop.example".',
      ),
    side: z
      .enum(['auto', 'client', 'server'], { message: 'side must be "auto", "client" or "server"' })
      .default('auto')
      .describe(
        'Where the SDKs of this source run, as Segment tells client-side from server-side sources. "client" (browsers, apps): `context.ip` from the connection when the event has none, times over 30 days back clamped. "server": no IP from the connection, past times kept (imports). "auto": client for a request with an Origin, a body writeKey without Authorization, or a mobile SDK\'s `context.library`; server otherwise.',
      ),
    limits: sourceLimitsSchema
      .default({ rate: null, eventRate: null, byteRate: null, quota: null })
      .describe("The source's own limits."),
    enrich: enrichSchema
      .default({ ...DEFAULT_ENRICH })
      .describe('What the collector adds to each valid event.'),
    plan: sourcePlanSchema.optional(),
  })
  .refine(hasCredential, {
    message:
      'a source needs at least one write key (browsers, SDKs), secret key (servers) or Snowplow app id',
    path: ['writeKeys'],
  });
