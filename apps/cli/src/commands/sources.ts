// `sluice sources add|list|revoke-key|rotate-key`: change the sources of the config file
// without editing JSON by hand. A running `sluice collector` reloads the file when it changes.
import { resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE, generateSecretKey, hashSecretKey } from '@sluice/collector';
import { type Command, Option } from 'commander';
import {
  type ConfigEdit,
  readConfigFile,
  type SourceEntry,
  writeConfigEdits,
} from '../lib/config-edit.js';
import { collect } from '../lib/options.js';
import { escapeControls } from '../lib/terminal-text.js';
import { generateWriteKey } from './keys.js';

const fileOption = () =>
  new Option('--config <file>', `the config file (default: ./${DEFAULT_CONFIG_FILE})`).env(
    'SLUICE_CONFIG',
  );

const configPath = (options: { config?: string }) => resolve(options.config ?? DEFAULT_CONFIG_FILE);

function print(text: string): void {
  process.stdout.write(`${escapeControls(text)}\n`);
}

function indexOf(sources: readonly SourceEntry[], id: string): number {
  const index = sources.findIndex((s) => s.id === id);
  if (index < 0) throw new Error(`no source "${id}" in the config (sluice sources list)`);
  return index;
}

/** The stored form of a presented key: a secret key is stored as its hash. */
async function storedForms(key: string): Promise<string[]> {
  return key.startsWith('sha256:') ? [key] : [key, await hashSecretKey(key)];
}

export function addSourcesCommand(program: Command): void {
  const sources = program
    .command('sources')
    .description('add sources, list them, revoke and rotate their keys (edits the config file)');

  sources
    .command('list')
    .description('one line per source: id, keys, origins')
    .addOption(fileOption())
    .addOption(new Option('--json', 'one JSON object per line'))
    .action(async (options: { config?: string; json?: boolean }) => {
      const config = await readConfigFile(configPath(options));
      for (const s of config.sources) {
        const row = {
          id: s.id,
          writeKeys: s.writeKeys?.length ?? 0,
          secretKeys: s.secretKeys?.length ?? 0,
          allowedOrigins: s.allowedOrigins ?? [],
        };
        print(
          options.json
            ? JSON.stringify(row)
            : `${row.id}  write keys: ${row.writeKeys}  secret keys: ${row.secretKeys}  origins: ${row.allowedOrigins.join(', ') || '(none)'}`,
        );
      }
    });

  sources
    .command('add')
    .description('add a source with a new write key (and a secret key with --secret-key)')
    .argument('<id>', 'the source id (a slug: a-z, 0-9, - and _)')
    .addOption(fileOption())
    .addOption(
      new Option('--origin <origin>', 'a browser origin allowed to send (repeatable)').argParser(
        collect,
      ),
    )
    .addOption(new Option('--secret-key', 'also make a secret key for servers'))
    .action(
      async (id: string, options: { config?: string; origin?: string[]; secretKey?: boolean }) => {
        const config = await readConfigFile(configPath(options));
        if (config.sources.some((s) => s.id === id))
          throw new Error(`source "${id}" already exists`);
        const writeKey = generateWriteKey();
        const secretKey = options.secretKey ? generateSecretKey() : undefined;
        const source = {
          id,
          writeKeys: [writeKey],
          secretKeys: secretKey ? [await hashSecretKey(secretKey)] : [],
          allowedOrigins: options.origin ?? [],
        };
        await writeConfigEdits(config, [{ path: ['sources', -1], value: source, insert: true }]);
        print(`added source ${id} to ${config.file}\nwrite key   ${writeKey}`);
        if (secretKey) print(`secret key  ${secretKey}\n            keep it: it is stored nowhere`);
      },
    );

  sources
    .command('revoke-key')
    .description('remove a write key or secret key (the key itself, or a secret key hash)')
    .argument('<key>', 'the write key, secret key or sha256:<hash>')
    .addOption(fileOption())
    .action(async (key: string, options: { config?: string }) => {
      const config = await readConfigFile(configPath(options));
      const forms = await storedForms(key);
      for (const [i, s] of config.sources.entries()) {
        for (const field of ['writeKeys', 'secretKeys'] as const) {
          const keys = s[field] ?? [];
          if (!keys.some((k) => forms.includes(k))) continue;
          const kept = keys.filter((k) => !forms.includes(k));
          await writeConfigEdits(config, [{ path: ['sources', i, field], value: kept }]);
          return print(
            `revoked a ${field === 'writeKeys' ? 'write' : 'secret'} key of source ${s.id}`,
          );
        }
      }
      throw new Error('no source has this key');
    });

  sources
    .command('rotate-key')
    .description('give a source a new key and revoke its old ones of that kind')
    .argument('<id>', 'the source id')
    .addOption(fileOption())
    .addOption(new Option('--secret', 'rotate the secret key instead of the write key'))
    .addOption(new Option('--keep-old', 'keep the old keys (revoke them later with revoke-key)'))
    .action(
      async (id: string, options: { config?: string; secret?: boolean; keepOld?: boolean }) => {
        const config = await readConfigFile(configPath(options));
        const i = indexOf(config.sources, id);
        const field = options.secret ? 'secretKeys' : 'writeKeys';
        const key = options.secret ? generateSecretKey() : generateWriteKey();
        const stored = options.secret ? await hashSecretKey(key) : key;
        const old = options.keepOld ? (config.sources[i]![field] ?? []) : [];
        const edit: ConfigEdit = { path: ['sources', i, field], value: [...old, stored] };
        await writeConfigEdits(config, [edit]);
        print(`${options.secret ? 'secret' : 'write'} key of ${id}: ${key}`);
      },
    );
}
