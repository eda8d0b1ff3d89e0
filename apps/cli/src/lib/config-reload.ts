// What `sluice collector` reloads with: the config file checked as `sluice config check`
// checks it, so a refused reload says where each mistake is (file:line:column) and how to fix it.
import { readFile } from 'node:fs/promises';
import {
  type CollectorConfig,
  type ConfigReloadOptions,
  loadCollectorConfig,
} from '@sluice/collector';
import { checkConfig } from '../config-check/check-config.js';

/** The reason a config would be refused, one problem a line; undefined when it is valid. */
export function describeRefusal(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
) {
  const check = checkConfig({ file, text, env, fallback: undefined });
  const errors = check.problems.filter((p) => p.severity === 'error');
  if (errors.length === 0) return undefined;
  return errors
    .map(
      (p) =>
        `${p.where}${p.path ? ` ${p.path}` : ''}: ${p.message}${p.fix ? ` (fix: ${p.fix})` : ''}`,
    )
    .join('; ');
}

/** Reload options for a collector started from `file`. */
export function reloadFromFile(
  file: string,
  env: Record<string, string | undefined>,
): ConfigReloadOptions {
  return {
    file,
    async load(): Promise<CollectorConfig> {
      const text = await readFile(file, 'utf8');
      const refusal = describeRefusal(file, text, env);
      if (refusal) throw new Error(refusal);
      return (await loadCollectorConfig({ env: { ...env, SLUICE_CONFIG: file } })).config;
    },
  };
}
