import { DEFAULT_RETRY_INITIAL_MS } from '@sluice/queue';
import { describeIssues, MAX_EVENT_BYTES, MAX_ID_LENGTH, SOURCE_ID_PATTERN } from '@sluice/schema';
import { z } from 'zod';
import { topicPatternProblem } from './topic-pattern.js';

const brokerSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^(mqtts?|tcp|ssl|wss?):\/\/[^/]/, 'must be mqtt://, mqtts://, ws:// or wss:// a host')
      .describe('The broker: mqtt://host:1883, or mqtts://host:8883 for TLS.'),
    clientId: z
      .string()
      .min(1)
      .max(MAX_ID_LENGTH)
      .describe(
        'Fixed client id: the broker keeps this session (subscriptions, unacknowledged messages) while the bridge is away. One bridge process per id.',
      ),
    username: z
      .string()
      .min(1)
      .optional()
      .describe('Broker user (password: SLUICE_MQTT_PASSWORD).'),
    password: z
      .string()
      .optional()
      .describe('Broker password; prefer the SLUICE_MQTT_PASSWORD environment variable.'),
    caFile: z.string().optional().describe('PEM file of the CA that signed the broker’s cert.'),
    certFile: z.string().optional().describe('PEM client certificate (TLS client auth).'),
    keyFile: z.string().optional().describe('PEM private key of certFile.'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a broker whose TLS certificate does not verify.'),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(4)
      .describe('4: MQTT 3.1.1; 5: MQTT 5.'),
    sessionExpirySeconds: z
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600)
      .describe(
        'MQTT 5 only: how long the broker keeps the session while the bridge is away (3.1.1 keeps it until the broker’s persistent_client_expiration).',
      ),
    keepaliveSeconds: z.number().int().min(5).max(65535).default(30),
    reconnectPeriodMs: z.number().int().min(100).default(1000),
    connectTimeoutMs: z.number().int().min(1000).default(30_000),
  })
  .refine((b) => (b.certFile === undefined) === (b.keyFile === undefined), {
    message: 'certFile and keyFile come together',
    path: ['keyFile'],
  });

const routeSchema = z.strictObject({
  topic: z
    .string()
    .superRefine((pattern, ctx) => {
      const problem = topicPatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(
      'Topic pattern: MQTT levels, `+`, a final `#`, and the placeholders {deviceId} and {event}, each a whole level.',
    ),
  source: z
    .string()
    // The collector's rule for source ids: devices and web pages can share a source.
    .regex(
      SOURCE_ID_PATTERN,
      'a slug: lower-case letters, digits, "-" or "_", at most 64 characters',
    )
    .describe('The source the messages are filed under: `events/source=<source>/…`.'),
  correctClockSkew: z
    .boolean()
    .default(false)
    .describe(
      'Correct the device clock by receivedAt − (sentAt − timestamp). Off by default: the bridge reads messages the broker held while it was away, so its receive time is not the send time.',
    ),
  maxEventBytes: z
    .number()
    .int()
    .positive()
    .default(MAX_EVENT_BYTES)
    .describe('Largest event (the mapped message); larger ones go to quarantine.'),
});

/** A refused append is retried sooner than a store call: a device's message waits on it. */
const BRIDGE_RETRY_MAX_MS = 10_000;

const retrySchema = z.strictObject({
  initialMs: z.number().int().positive().default(DEFAULT_RETRY_INITIAL_MS),
  maxMs: z.number().int().positive().default(BRIDGE_RETRY_MAX_MS),
});

/** The bridge's configuration (the JSON file `sluice mqtt-bridge --config` reads). */
export const bridgeConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  broker: brokerSchema,
  routes: z
    .array(routeSchema)
    .min(1)
    .describe('Subscriptions, in order: a topic is handled by the first route it matches.'),
  retry: retrySchema
    .default({ initialMs: 200, maxMs: 10_000 })
    .describe('Backoff while the queue refuses: the message stays unacknowledged meanwhile.'),
});

export type BridgeConfigInput = z.input<typeof bridgeConfigSchema>;
export type BridgeConfig = z.output<typeof bridgeConfigSchema>;
export type BrokerConfig = BridgeConfig['broker'];
export type RouteConfig = BridgeConfig['routes'][number];

/** Validates a configuration; throws an Error listing every problem by path. */
export function parseBridgeConfig(input: unknown): BridgeConfig {
  const result = bridgeConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = describeIssues(result.error).map(
    (issue) => `  - ${issue.path || '(config)'}: ${issue.message}`,
  );
  throw new Error(`invalid MQTT bridge config:\n${lines.join('\n')}`);
}
