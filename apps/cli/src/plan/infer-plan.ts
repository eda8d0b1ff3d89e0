// `sluice plan infer`: a draft plan from stored events. DuckDB counts, per event type and name,
// each field's JSON types (infer-query.ts); this turns those counts into a plan that accepts
// every event it was drawn from, for a person to tighten and keep in git.
import type { TrackingPlanInput } from '@sluice/ingest';

/** One row of the counts: `key` null for the row that counts the events themselves. */
export interface FieldCount {
  type: string;
  /** The track's `event`; other types are drafted under "*". */
  name: string;
  key: string | null;
  /** DuckDB's json_type of the value (VARCHAR, BIGINT, DOUBLE, BOOLEAN, OBJECT, ARRAY, NULL). */
  jsonType: string | null;
  count: number;
}

const JSON_SCHEMA_TYPE: Record<string, string> = {
  VARCHAR: 'string',
  BIGINT: 'integer',
  UBIGINT: 'integer',
  DOUBLE: 'number',
  BOOLEAN: 'boolean',
  OBJECT: 'object',
  ARRAY: 'array',
  NULL: 'null',
};

const FIELD_OF: Record<string, 'properties' | 'traits'> = {
  track: 'properties',
  page: 'properties',
  screen: 'properties',
  identify: 'traits',
  group: 'traits',
};

/** The draft: every type and track name seen, each field with the types seen, `required` the fields every event had. */
export function draftPlan(counts: readonly FieldCount[]): TrackingPlanInput {
  const rules = new Map<string, { events: number; fields: Map<string, Map<string, number>> }>();
  const ruleOf = (row: FieldCount) => {
    const id = `${row.type}\n${row.name}`;
    let rule = rules.get(id);
    if (!rule) {
      rule = { events: 0, fields: new Map() };
      rules.set(id, rule);
    }
    return rule;
  };
  for (const row of counts) {
    const rule = ruleOf(row);
    if (row.key === null) {
      rule.events += row.count;
      continue;
    }
    const types = rule.fields.get(row.key) ?? new Map<string, number>();
    const type = JSON_SCHEMA_TYPE[row.jsonType ?? ''] ?? 'string';
    types.set(type, (types.get(type) ?? 0) + row.count);
    rule.fields.set(row.key, types);
  }
  const events: Record<string, Record<string, object>> = {};
  for (const [id, rule] of [...rules].sort(([a], [b]) => a.localeCompare(b))) {
    const [type, name] = id.split('\n') as [string, string];
    const field = FIELD_OF[type];
    const byName = events[type] ?? {};
    events[type] = byName;
    if (!field) {
      byName[name] = {};
      continue;
    }
    const properties: Record<string, object> = {};
    const required: string[] = [];
    for (const [key, types] of [...rule.fields].sort(([a], [b]) => a.localeCompare(b))) {
      properties[key] = { type: schemaType(types) };
      const seen = [...types.values()].reduce((a, b) => a + b, 0);
      if (seen >= rule.events && !types.has('null')) required.push(key);
    }
    byName[name] = { [field]: { type: 'object', properties, required } };
  }
  // A draft flags: it must not start quarantining events before a person has read it.
  return { onViolation: 'flag', unplanned: 'violation', events };
}

function schemaType(types: Map<string, number>): string | string[] {
  const names = new Set(types.keys());
  if (names.has('integer') && names.has('number')) names.delete('integer');
  const list = [...names].sort();
  return list.length === 1 ? list[0]! : list;
}
