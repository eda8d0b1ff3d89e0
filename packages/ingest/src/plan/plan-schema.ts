// The shape of a tracking plan file (JSON or YAML, one per source, kept in git). The JSON
// Schemas inside are only checked for being objects here; compile-plan.ts judges them.
import { EVENT_TYPES } from '@sluice/schema';
import { z } from 'zod';

/** What happens to an event that breaks its source's plan. */
export const VIOLATION_ACTIONS = ['quarantine', 'flag'] as const;
export type ViolationAction = (typeof VIOLATION_ACTIONS)[number];

/** The field a kept event's violations are written to when the plan says `flag`. */
export const PLAN_VIOLATIONS_FIELD = 'planViolations';

/** The key of a type's rule for events whose name the plan does not list (and nameless types). */
export const ANY_NAME = '*';

const jsonSchema = z.record(z.string(), z.unknown(), {
  message: 'must be a JSON Schema (draft 2020-12) object',
});

const contextRule = z.strictObject({
  required: z
    .array(
      z
        .string({ message: 'a context field must be a string' })
        .regex(/^[^.]+(\.[^.]+)*$/, 'a context field is a dotted path, e.g. "page.url"'),
      { message: 'required must be a list of dotted paths' },
    )
    .default([])
    .describe('Fields `context` must have, as dotted paths ("page.url", "library.name").'),
});

/** The rule for one event name of one type. */
export const eventRuleSchema = z.strictObject({
  properties: jsonSchema.optional().describe('JSON Schema of `properties` (absent counts as {}).'),
  traits: jsonSchema.optional().describe('JSON Schema of `traits` (absent counts as {}).'),
  context: contextRule.optional(),
});

const typeRules = z.record(z.string().min(1, 'an event name must not be empty'), eventRuleSchema, {
  message: `must map event names (or "${ANY_NAME}") to rules`,
});

/** A tracking plan. */
export const trackingPlanSchema = z.strictObject({
  $schema: z.string().optional(),
  onViolation: z
    .enum(VIOLATION_ACTIONS, { message: 'onViolation must be "quarantine" or "flag"' })
    .default('quarantine')
    .describe(
      `"quarantine": a violating event is kept in quarantine with its reasons; "flag": it is stored with \`context.${PLAN_VIOLATIONS_FIELD}\`.`,
    ),
  unplanned: z
    .enum(['violation', 'allow'], { message: 'unplanned must be "violation" or "allow"' })
    .default('violation')
    .describe('Events whose type or name the plan does not list: a violation, or let through.'),
  context: contextRule.optional().describe('Context fields every event must have.'),
  events: z
    .partialRecord(
      z.enum(EVENT_TYPES, { message: `an event type is one of ${EVENT_TYPES.join(', ')}` }),
      typeRules,
    )
    .default({})
    .describe(
      `Per event type, per name (\`event\` of a track, \`name\` of a page or screen): the rule. "${ANY_NAME}" matches the other names and the types without one.`,
    ),
});

/** A tracking plan as written. */
export type TrackingPlanInput = z.input<typeof trackingPlanSchema>;
/** A tracking plan with its defaults. */
export type TrackingPlan = z.output<typeof trackingPlanSchema>;
/** One rule of a plan. */
export type EventRule = z.output<typeof eventRuleSchema>;
