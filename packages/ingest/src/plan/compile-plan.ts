// Compiles a tracking plan's JSON Schemas once (ajv, draft 2020-12) into one check per event
// type and name, so judging an event costs a map look-up and a generated function.
import type { FieldIssue } from '@sluice/schema';
import {
  ANY_NAME,
  type EventRule,
  type TrackingPlan,
  type ViolationAction,
} from './plan-schema.js';
import {
  type SchemaIssue,
  type SchemaValidators,
  schemaValidators,
  type ValueCheck,
} from './schema-validators.js';

/** Issues listed per violating event: a broken schema must not make huge records. */
export const MAX_PLAN_ISSUES = 10;

/** The metric label of an event whose type or name the plan does not list. */
export const UNPLANNED_LABEL = '_unplanned';

/** Why an event breaks the plan, and the label it is counted under (bounded by the plan). */
export interface PlanViolation {
  issues: FieldIssue[];
  /** A name the plan lists, `<type>:*`, or UNPLANNED_LABEL: never a name only a client chose. */
  label: string;
}

/** A plan ready to judge events. */
export interface CompiledPlan {
  onViolation: ViolationAction;
  /** The violation of a valid event, or undefined when the plan keeps it as it is. */
  check(event: Record<string, unknown>): PlanViolation | undefined;
}

/** A plan whose schemas do not compile; `issues` have dotted paths inside the plan. */
export class PlanCompileError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

interface CompiledRule {
  label: string;
  fields: { field: 'properties' | 'traits'; check: ValueCheck }[];
  context: string[][];
}

type Rules = Map<string, CompiledRule>;

const compiled = new WeakMap<TrackingPlan, CompiledPlan>();

/**
 * Compiles `plan` (once per plan object: a second call returns the first result), with ajv
 * unless code generation is forbidden (Workers) or `validators` says otherwise.
 */
export function compilePlan(
  plan: TrackingPlan,
  validators: () => SchemaValidators = schemaValidators,
): CompiledPlan {
  if (validators !== schemaValidators) return compileNew(plan, validators());
  let result = compiled.get(plan);
  if (result === undefined) {
    result = compileNew(plan, validators());
    compiled.set(plan, result);
  }
  return result;
}

function compileNew(plan: TrackingPlan, validators: SchemaValidators): CompiledPlan {
  const issues: FieldIssue[] = [];
  const types = new Map<string, Rules>();
  for (const [type, byName] of Object.entries(plan.events)) {
    const rules: Rules = new Map();
    for (const [name, rule] of Object.entries(byName ?? {})) {
      const label = name === ANY_NAME ? `${type}:${ANY_NAME}` : name;
      const path = ['events', type, name];
      rules.set(name, compileRule(validators, rule, label, path, issues));
    }
    types.set(type, rules);
  }
  if (issues.length > 0) throw new PlanCompileError(issues);
  const everyContext = (plan.context?.required ?? []).map((p) => p.split('.'));
  const unplannedAllowed = plan.unplanned === 'allow';
  return {
    onViolation: plan.onViolation,
    check(event) {
      const type = event.type as string;
      const name = nameOf(event);
      const rules = types.get(type);
      const rule = rules && ((name !== undefined && rules.get(name)) || rules.get(ANY_NAME));
      const found: FieldIssue[] = [];
      checkContext(event, everyContext, found);
      if (rule === undefined) {
        if (!unplannedAllowed) found.push(unplannedIssue(type, name, rules !== undefined));
        return found.length > 0 ? { issues: found, label: UNPLANNED_LABEL } : undefined;
      }
      const what = name === undefined ? type : `${type} "${name}"`;
      for (const { field, check } of rule.fields) {
        addSchemaIssues(field, what, check(event[field] ?? {}), found);
      }
      checkContext(event, rule.context, found);
      return found.length > 0
        ? { issues: found.slice(0, MAX_PLAN_ISSUES), label: rule.label }
        : undefined;
    },
  };
}

function compileRule(
  validators: SchemaValidators,
  rule: EventRule,
  label: string,
  path: string[],
  issues: FieldIssue[],
): CompiledRule {
  const fields: CompiledRule['fields'] = [];
  for (const field of ['properties', 'traits'] as const) {
    const schema = rule[field];
    if (schema === undefined) continue;
    const at = [...path, field].join('.');
    const mistakes = validators.checkSchema(schema);
    if (mistakes.length > 0) {
      for (const e of mistakes)
        issues.push({ path: at + e.path.replaceAll('/', '.'), message: e.message });
      continue;
    }
    try {
      fields.push({ field, check: validators.compile(schema) });
    } catch (error) {
      issues.push({ path: at, message: (error as Error).message });
    }
  }
  return { label, fields, context: (rule.context?.required ?? []).map((p) => p.split('.')) };
}

function nameOf(event: Record<string, unknown>): string | undefined {
  const name = event.type === 'track' ? event.event : event.name;
  return typeof name === 'string' ? name : undefined;
}

function unplannedIssue(type: string, name: string | undefined, typeListed: boolean): FieldIssue {
  if (!typeListed) return { path: 'type', message: `type "${type}" is not in the tracking plan` };
  return {
    path: type === 'track' ? 'event' : 'name',
    message: `${type} ${name === undefined ? 'without a name' : `"${name}"`} is not in the tracking plan`,
  };
}

function checkContext(event: Record<string, unknown>, required: string[][], found: FieldIssue[]) {
  for (const path of required) {
    let value: unknown = event.context;
    for (const key of path) {
      value =
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (value === undefined || value === null) {
      found.push({
        path: `context/${path.join('/')}`,
        message: 'is required by the tracking plan',
      });
    }
  }
}

function addSchemaIssues(field: string, what: string, errors: SchemaIssue[], found: FieldIssue[]) {
  for (const e of errors)
    found.push({ path: field + e.path, message: `${e.message} (plan of ${what})` });
}
