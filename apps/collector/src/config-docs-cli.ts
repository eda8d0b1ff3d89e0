// `pnpm --filter @sluice/collector config-docs`: writes the config's JSON Schema and the
// configuration table of this package's README and of the repository's from the zod schema.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchema, withConfigReference } from './config-reference.js';

const readme = new URL('../README.md', import.meta.url);
const schemaFile = new URL('../sluice.config.schema.json', import.meta.url);
await writeFile(schemaFile, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
// Formatted as `biome check` wants it, so the generated file passes the lint as it is.
const biome = fileURLToPath(new URL('../../../node_modules/.bin/biome', import.meta.url));
execFileSync(biome, ['format', '--write', fileURLToPath(schemaFile)], { stdio: 'ignore' });
for (const file of [readme, new URL('../../../README.md', import.meta.url)]) {
  await writeFile(file, withConfigReference(await readFile(file, 'utf8')));
}
console.log('wrote sluice.config.schema.json and the README configuration tables');
