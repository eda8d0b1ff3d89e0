import { describeIssues } from '@sluice/schema';
import { z } from 'zod';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// Write keys travel in URLs, data attributes and Basic auth user names (where ':' ends the name).
const WRITE_KEY = /^[A-Za-z0-9._~-]{1,256}$/;

/** True for "*" or an exact origin such as "https://shop.example" or "http://localhost:8080". */
function isOriginPattern(value: string): boolean {
  if (value === '*') return true;
  // The URL parser accepts "*" in a host name; wildcard subdomains are not supported (yet).
  if (value.includes('*')) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

const sourceSchema = z.strictObject({
  id: z
    .string({ message: 'id must be a string' })
    .regex(
      SLUG,
      'id must be a slug: lower-case letters, digits, "-" or "_", at most 64 characters',
    ),
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
    .min(1, 'writeKeys must hold at least one key'),
  allowedOrigins: z
    .array(
      z
        .string({ message: 'an origin must be a string' })
        .refine(
          isOriginPattern,
          'an origin must be exact, like "https://shop.example" (scheme, host and port only, no path or trailing slash), or "*"',
        ),
      { message: 'allowedOrigins must be a list of strings' },
    )
    .default([]),
});

/** The collector's configuration. Parse errors are written for the person editing the config. */
export const collectorConfigSchema = z
  .strictObject({
    sources: z
      .array(sourceSchema, { message: 'sources must be a list of sources' })
      .min(1, 'sources must hold at least one source'),
  })
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    const keys = new Map<string, string>();
    config.sources.forEach((source, i) => {
      if (ids.has(source.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sources', i, 'id'],
          message: `source id "${source.id}" is used twice`,
        });
      }
      ids.add(source.id);
      source.writeKeys.forEach((key, k) => {
        const owner = keys.get(key);
        if (owner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['sources', i, 'writeKeys', k],
            message: `this write key is already used by source "${owner}"`,
          });
        }
        keys.set(key, source.id);
      });
    });
  });

/** A parsed, valid collector configuration. */
export type CollectorConfig = z.output<typeof collectorConfigSchema>;
/** A configuration as written by hand (defaults not yet applied). */
export type CollectorConfigInput = z.input<typeof collectorConfigSchema>;
/** One site or app sending events. */
export type SourceConfig = CollectorConfig['sources'][number];

/**
 * Validates a configuration; throws an Error whose message lists every problem
 * by path, e.g. `sources.0.allowedOrigins.1: an origin must be exact, ...`.
 */
export function parseCollectorConfig(input: unknown): CollectorConfig {
  const result = collectorConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = describeIssues(result.error).map(
    (issue) => `  - ${issue.path || '(config)'}: ${issue.message}`,
  );
  throw new Error(`invalid collector config:\n${lines.join('\n')}`);
}
