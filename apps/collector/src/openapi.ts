// The OpenAPI 3.1 document served at /openapi.json. Event and batch schemas are generated
// from the zod schemas the collector validates with, so the document cannot drift from them.
import {
  batchRequestSchema,
  EVENT_TYPES,
  eventSchema,
  MAX_BATCH_EVENTS,
  MAX_REJECTED_LISTED,
} from '@sluice/schema';
import { z } from 'zod';
import type { CollectorConfig } from './config.js';
import { SNOWPLOW_PIXEL_PATH, SNOWPLOW_POST_PATH } from './snowplow-routes.js';
import { SEGMENT_SHORT_PATHS, TRACKING_PATHS } from './tracking-routes.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

const json = (ref: string) => ({ 'application/json': { schema: { $ref: ref } } });
const errorAnswer = (description: string) => ({
  description,
  content: json('#/components/schemas/Error'),
});
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

function trackingOperation(summary: string, bodyRef: string, limits: CollectorConfig['limits']) {
  const body = { schema: { $ref: bodyRef } };
  return {
    post: {
      summary,
      security: [{}, { writeKeyBasic: [] }, { secretKeyBearer: [] }],
      requestBody: {
        required: true,
        description: `UTF-8 JSON, at most ${limits.maxRequestBytes} bytes (also once gzip is inflated). Browsers put "writeKey" in the body; servers use Basic auth (write key as user name) or a Bearer secret key.`,
        content: { 'application/json': body, 'text/plain': body },
      },
      parameters: [
        {
          name: 'Content-Encoding',
          in: 'header',
          required: false,
          schema: { type: 'string', enum: ['gzip', 'identity'] },
        },
      ],
      responses: {
        200: {
          description: `The queue holds the events. Invalid events are kept in quarantine: "rejectedCount" counts them, "rejected" lists the first ${MAX_REJECTED_LISTED} with their reasons.`,
          content: json('#/components/schemas/BatchResponse'),
        },
        400: errorAnswer('invalid_json, invalid_batch or unreadable_body'),
        401: errorAnswer('unauthorized: missing, unknown or conflicting key'),
        403: errorAnswer("origin_not_allowed: the Origin is not in the source's allowedOrigins"),
        405: errorAnswer('method_not_allowed'),
        413: errorAnswer('payload_too_large'),
        415: errorAnswer('unsupported_media_type: Content-Type or Content-Encoding'),
        429: {
          ...errorAnswer(
            "rate_limited: requests, events or bytes, per client IP or per source; quota_exceeded: the source's events per minute or day",
          ),
          headers: retryAfter,
        },
        503: { ...errorAnswer('queue_full or queue_unavailable'), headers: retryAfter },
      },
    },
  };
}

/** Builds the OpenAPI document of the collector with this config's limits. */
export function buildOpenApiDocument(config: CollectorConfig, withMetrics: boolean): Json {
  const batch = jsonSchema(batchRequestSchema);
  const properties = batch.properties as Json;
  // The batch schema takes any objects so that one bad event does not refuse the others.
  properties.batch = {
    ...(properties.batch as Json),
    items: { $ref: '#/components/schemas/Event' },
  };
  const paths: Json = {
    [TRACKING_PATHS.batch]: trackingOperation(
      `Send up to ${MAX_BATCH_EVENTS} events`,
      '#/components/schemas/BatchRequest',
      config.limits,
    ),
  };
  for (const type of EVENT_TYPES) {
    paths[TRACKING_PATHS[type]] = trackingOperation(
      `Send one ${type} event ("type" may be left out)`,
      '#/components/schemas/Event',
      config.limits,
    );
  }
  for (const [path, route] of Object.entries(SEGMENT_SHORT_PATHS)) {
    const { post } = paths[TRACKING_PATHS[route]] as { post: Json };
    paths[path] = {
      post: { ...post, summary: `Same as ${TRACKING_PATHS[route]} (Segment SDK path)` },
    };
  }
  const status = (description: string) => ({
    get: {
      summary: description,
      responses: { 200: { description: 'ok' }, 503: { description: 'not ready' } },
    },
  });
  paths['/healthz'] = status('Liveness: the process answers');
  paths['/readyz'] = status('Readiness: not shutting down and the queue takes events');
  if (withMetrics) paths['/metrics'] = status('Prometheus metrics (Node)');
  paths['/openapi.json'] = status('This document');
  paths['/s.js'] = status('The browser tag (cached for an hour)');
  paths['/s.{version}.js'] = status(
    'The browser tag at its version (its SHA-384, 12 hex digits), cached as immutable',
  );
  paths['/demo'] = status('A page to try the tag by hand');
  paths['/demo.js'] = status("The demo page's script");
  paths['/v1/projects/{writeKey}/settings'] = status(
    "Segment analytics.js settings for the write key's source: its one destination sends here",
  );
  const sourceConfig = status("RudderStack JS SDK source config: the write key's source, enabled");
  paths['/sourceConfig'] = sourceConfig;
  paths['/sourceConfig/'] = sourceConfig;
  paths[SNOWPLOW_POST_PATH] = {
    post: {
      summary:
        "Snowplow tracker protocol v2: a payload_data body; the source is the one listing the events' app id (aid)",
      requestBody: {
        required: true,
        description: `{"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-x", "data": [events]}, at most ${MAX_BATCH_EVENTS} events and ${config.limits.maxRequestBytes} bytes`,
        content: { 'application/json': { schema: { type: 'object' } } },
      },
      responses: {
        200: { description: 'as /v1/batch', content: json('#/components/schemas/BatchResponse') },
        400: errorAnswer('not payload_data'),
        401: errorAnswer('unknown or missing app id'),
        403: errorAnswer('origin_not_allowed'),
      },
    },
  };
  paths[SNOWPLOW_PIXEL_PATH] = {
    get: {
      summary: 'Snowplow pixel: one event in the query string',
      responses: {
        200: { description: 'a 1×1 GIF', content: { 'image/gif': {} } },
        401: errorAnswer('unknown or missing app id: the event is not stored'),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'sluice collector',
      version: '1',
      description:
        'The Segment HTTP Tracking API: existing Segment and RudderStack SDKs send here by changing only their endpoint.',
    },
    paths,
    components: {
      securitySchemes: {
        writeKeyBasic: { type: 'http', scheme: 'basic', description: 'write key as user name' },
        secretKeyBearer: { type: 'http', scheme: 'bearer', description: 'a secret key' },
      },
      schemas: {
        Event: jsonSchema(eventSchema),
        BatchRequest: batch,
        BatchResponse: {
          type: 'object',
          required: ['success', 'accepted', 'rejectedCount', 'rejected'],
          properties: {
            success: { const: true },
            accepted: { type: 'integer' },
            rejectedCount: { type: 'integer', description: 'Events kept in quarantine' },
            rejected: {
              type: 'array',
              maxItems: MAX_REJECTED_LISTED,
              description: `The first ${MAX_REJECTED_LISTED} events kept in quarantine`,
              items: {
                type: 'object',
                required: ['index', 'errors'],
                properties: {
                  index: { type: 'integer' },
                  messageId: { type: 'string' },
                  errors: { type: 'array', items: { $ref: '#/components/schemas/FieldIssue' } },
                },
              },
            },
          },
        },
        FieldIssue: {
          type: 'object',
          required: ['path', 'message'],
          properties: { path: { type: 'string' }, message: { type: 'string' } },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                path: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}
