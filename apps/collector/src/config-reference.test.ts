import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  configJsonSchema,
  configReferenceMarkdown,
  withConfigReference,
} from './config-reference.js';

describe('the configuration reference', () => {
  it('lists every field with its default and meaning', () => {
    const table = configReferenceMarkdown();
    expect(table).toContain('| `limits.ipRate.requestsPerSecond` | number |');
    expect(table).toContain('| `sources[].enrich.ip` | "anonymize" \\| "drop" | `"anonymize"` |');
    expect(table).toContain('| `sources[].secretKeys` | string[] | `[]` | Hashes');
    for (const line of table.split('\n').slice(2)) expect(line).not.toMatch(/\| \|$/);
  });

  it('is current in sluice.config.schema.json and the README (run `config-docs` if not)', async () => {
    const schema = await readFile(new URL('../sluice.config.schema.json', import.meta.url), 'utf8');
    expect(JSON.parse(schema)).toEqual(configJsonSchema());
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(withConfigReference(readme)).toBe(readme);
  });
});
