// A compiled check of the sources list, for configs of many sources (issue 24: a hosted
// endpoint with 100,000 sources ready in under a second). zod parses one source in about
// 6 µs; an ajv function compiled from the same zod schema's JSON Schema checks one in a
// fraction of that. The check only speeds up what zod would accept: it returns exactly what
// zod returns, and where it cannot be sure it leaves the decision to zod. The parts of a
// source whose output zod derives (its limits, its enrichment) come from zod itself; a list
// with a plan or any mistake is left to zod whole, whose messages name every one.
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { enrichSchema, hasCredential, sourceLimitsSchema, sourceSchema } from './config-source.js';
import { checkOriginPattern } from './origin-pattern.js';

type Source = z.output<typeof sourceSchema>;

interface FastCheck {
  validate: ValidateFunction;
  /** What zod gives a source that sets nothing but its id and a key. */
  defaults: Source;
}

let fastCheck: FastCheck | null | undefined;

/** The fields fromValidSource builds; a field added to the schema turns the check off. */
const FIELDS = 'id,writeKeys,secretKeys,snowplowAppIds,allowedOrigins,side,limits,enrich,plan';

/**
 * Compiling the check costs tens of milliseconds (more than zod takes for a few thousand
 * sources): shorter lists are left to zod.
 */
export const FAST_CHECK_FROM = 5_000;

/**
 * The parsed sources, as `sourceSchema` gives them, or undefined when zod must judge the list
 * (a mistake in it, a source with a plan, a runtime that cannot compile the check), and for
 * fewer than `least` sources. `finish` (the config's checks across sources) takes each parsed
 * source in turn and gives what is kept of it, or undefined to leave the list to zod.
 * Sources that set no limits or no enrichment share one frozen object of the defaults.
 */
export function checkSourcesFast(input: unknown, least?: number): Source[] | undefined;
export function checkSourcesFast<T>(
  input: unknown,
  least: number,
  finish: (source: Source, i: number) => T | undefined,
): T[] | undefined;
export function checkSourcesFast<T>(
  input: unknown,
  least = FAST_CHECK_FROM,
  finish?: (source: Source, i: number) => T | undefined,
): (T | Source)[] | undefined {
  if (!Array.isArray(input) || input.length === 0 || input.length < least) return undefined;
  const check = compiled();
  if (!check) return undefined;
  const sources: (T | Source)[] = new Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const source = input[i] as Record<string, unknown> & Partial<Source>;
    if (!check.validate(source)) return undefined;
    const parsed = fromValidSource(source, check.defaults);
    if (!parsed) return undefined;
    const kept = finish ? finish(parsed, i) : parsed;
    if (kept === undefined) return undefined;
    sources[i] = kept;
  }
  return sources;
}

/** `source` (valid by the JSON Schema) as zod would give it, or undefined if zod refuses it. */
function fromValidSource(source: Partial<Source>, defaults: Source): Source | undefined {
  // One literal of fixed keys (the schema's, which ajv allowed alone): every source then has
  // the same shape, also once config.ts gives it its inherited limits.
  const parsed: Source = {
    id: source.id as string,
    writeKeys: source.writeKeys ? source.writeKeys.slice() : [],
    secretKeys: source.secretKeys ? source.secretKeys.slice() : [],
    snowplowAppIds: source.snowplowAppIds ? source.snowplowAppIds.slice() : [],
    allowedOrigins: source.allowedOrigins ? source.allowedOrigins.slice() : [],
    side: source.side ?? defaults.side,
    limits: defaults.limits,
    enrich: defaults.enrich,
  };
  // The refinements a JSON Schema cannot say.
  if (!hasCredential(parsed)) return undefined;
  for (const origin of parsed.allowedOrigins) {
    if (checkOriginPattern(origin) !== undefined) return undefined;
  }
  // Rates get their bursts from zod's transforms: zod parses these small objects itself.
  if (source.limits !== undefined) {
    const limits = sourceLimitsSchema.safeParse(source.limits);
    if (!limits.success) return undefined;
    parsed.limits = limits.data;
  }
  if (source.enrich !== undefined) {
    const enrich = enrichSchema.safeParse(source.enrich);
    if (!enrich.success) return undefined;
    parsed.enrich = enrich.data;
  }
  return parsed;
}

/** The check, compiled once; null where code cannot be generated (workerd forbids eval). */
function compiled(): FastCheck | null {
  if (fastCheck !== undefined) return fastCheck;
  if (Object.keys(sourceSchema.shape).join() !== FIELDS) {
    fastCheck = null;
    return null;
  }
  try {
    // The fields zod parses anyway (below) are left out: a smaller check compiles faster.
    const fields = z.strictObject({
      ...sourceSchema.shape,
      limits: z.unknown().optional(),
      enrich: z.unknown().optional(),
      plan: z.never().optional(),
    });
    const schema = z.toJSONSchema(fields, { io: 'input', unrepresentable: 'any' });
    // zod's regexes run without the u flag, and its lengths count UTF-16 code units. The
    // schema is zod's own: checking it against the meta-schema would only cost time.
    const ajv = new Ajv2020({ strict: false, unicodeRegExp: false, validateSchema: false });
    fastCheck = {
      validate: ajv.compile(withCodeUnitLengths(schema) as object),
      defaults: frozenDefaults(sourceSchema.parse({ id: 'defaults', writeKeys: ['defaults'] })),
    };
  } catch {
    fastCheck = null;
  }
  return fastCheck;
}

/** `source` with its limits and enrichment frozen: many sources share them. */
function frozenDefaults(source: Source): Source {
  Object.freeze(source.limits);
  Object.freeze(source.enrich);
  return source;
}

/**
 * `schema` with minLength/maxLength as patterns over UTF-16 code units: ajv counts code points
 * (an emoji is one), zod counts `length` (an emoji is two), so ajv would pass what zod refuses.
 */
function withCodeUnitLengths(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withCodeUnitLengths);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { minLength, maxLength, ...rest } = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) out[key] = withCodeUnitLengths(value);
  if (minLength === undefined && maxLength === undefined) return out;
  const length = { pattern: `^[\\s\\S]{${minLength ?? 0},${maxLength ?? ''}}$` };
  out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), length];
  return out;
}
