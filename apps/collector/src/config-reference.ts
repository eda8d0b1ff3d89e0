// The configuration reference, generated from the zod schema: a JSON Schema for editors
// (`sluice.config.schema.json`) and the table in the README. `pnpm --filter
// @sluice/collector config-docs` writes both; a test fails when either is stale.
import { z } from 'zod';
import { collectorConfigSchema } from './config.js';

type Schema = {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
};

/** The JSON Schema of the config file as written by hand (defaults not yet applied). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(collectorConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'sluice collector configuration',
  };
}

function typeOf(schema: Schema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `${typeOf(schema.items ?? {})}[]`;
  return schema.type ?? 'any';
}

/** The object a property holds, if any: directly, nullable, or as array items. */
function objectIn(schema: Schema): { schema: Schema; suffix: string } | undefined {
  if (schema.properties) return { schema, suffix: '' };
  const inner = schema.anyOf?.find((s) => s.properties);
  if (inner) return { schema: inner, suffix: '' };
  if (schema.items?.properties) return { schema: schema.items, suffix: '[]' };
  return undefined;
}

function rows(schema: Schema, prefix: string): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const fallback =
      property.default !== undefined
        ? `\`${JSON.stringify(property.default)}\``
        : schema.required?.includes(name)
          ? 'required'
          : '';
    const row = `| \`${path}\` | ${typeOf(property)} | ${fallback} | ${property.description ?? ''} |`;
    const inner = objectIn(property);
    return inner ? [row, ...rows(inner.schema, `${path}${inner.suffix}.`)] : [row];
  });
}

/** The README's configuration table: every field with its type, default and meaning. */
export function configReferenceMarkdown(): string {
  return [
    '| field | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows(configJsonSchema() as Schema, ''),
  ].join('\n');
}

export const REFERENCE_START =
  '<!-- config-reference:start (generated: pnpm --filter @sluice/collector config-docs) -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

/** The README with its generated section replaced by the current reference. */
export function withConfigReference(readme: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error('the README has no config reference markers');
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${configReferenceMarkdown()}\n${readme.slice(end)}`;
}
