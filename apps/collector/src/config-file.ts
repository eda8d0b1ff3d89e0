// Loads the Node collector's config: a JSON file plus environment overrides.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parsePlanText } from '@sluice/ingest';
import { type CollectorConfig, parseCollectorConfig } from './config.js';
import { applyConfigEnv, CONFIG_ENV_PREFIX } from './config-env.js';

/** The file read when `SLUICE_CONFIG` names none (if it exists). */
export const DEFAULT_CONFIG_FILE = 'sluice.config.json';

export interface LoadedConfig {
  config: CollectorConfig;
  /** Where it came from, for the startup log: a file path, or the built-in demo source. */
  from: string;
  /** The config file read, if any (what a running collector watches for changes). */
  file?: string;
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The tls section's relative paths, from the config file's folder (as its reader expects). */
function withTlsPathsFrom(json: unknown, dir: string): unknown {
  if (typeof json !== 'object' || json === null || !('tls' in json)) return json;
  const tls = (json as { tls: unknown }).tls;
  if (typeof tls !== 'object' || tls === null) return json;
  const fixed: Record<string, unknown> = { ...tls };
  for (const field of ['certFile', 'keyFile']) {
    const value = fixed[field];
    if (typeof value === 'string' && value.trim() !== '') fixed[field] = resolve(dir, value.trim());
  }
  return { ...json, tls: fixed };
}

/** The zero-config demo: one source, any origin, a public write key. */
function demoConfig(env: Record<string, string | undefined>): unknown {
  const origins = env.SLUICE_ALLOWED_ORIGINS?.split(',').map((o) => o.trim()) ?? ['*'];
  return {
    sources: [
      { id: 'demo', writeKeys: [env.SLUICE_WRITE_KEY ?? 'demo-key'], allowedOrigins: origins },
    ],
  };
}

/**
 * Reads the config file named by `SLUICE_CONFIG`, else `./sluice.config.json` if present,
 * else the demo source (write key `SLUICE_WRITE_KEY` or "demo-key", origins
 * `SLUICE_ALLOWED_ORIGINS` or "*"); applies `SLUICE__…` overrides; reads the sources'
 * plan files; validates (and compiles the plans). Throws an
 * Error naming the file and every problem.
 */
export async function loadCollectorConfig(
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<LoadedConfig> {
  const env = options.env ?? {};
  const cwd = options.cwd ?? '.';
  let path = env.SLUICE_CONFIG ? resolve(cwd, env.SLUICE_CONFIG) : undefined;
  let json: unknown;
  if (path) {
    json = await readJson(path);
  } else {
    const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
    try {
      json = await readJson(fallback);
      path = fallback;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      json = demoConfig(env);
    }
  }
  if (path) json = withTlsPathsFrom(json, dirname(path));
  const overridden = Object.keys(env).some((name) => name.startsWith(CONFIG_ENV_PREFIX));
  const from = `${path ?? 'the built-in demo source'}${overridden ? ` with ${CONFIG_ENV_PREFIX}* overrides` : ''}`;
  try {
    // Plan paths are relative to the config file (the demo has none).
    const withPlans = await readPlanFiles(applyConfigEnv(json, env), path ? dirname(path) : cwd);
    return { config: parseCollectorConfig(withPlans), from, file: path };
  } catch (error) {
    throw new Error(`${from}: ${(error as Error).message}`);
  }
}

// Plan paths are relative to the config file's folder; each is replaced by its file's content
// before the config is validated (which compiles the plans).
/** `config` with each source's plan path replaced by what that file holds (a copy). */
export async function readPlanFiles(config: unknown, folder: string): Promise<unknown> {
  if (!isObject(config) || !Array.isArray(config.sources)) return config;
  // Most configs (a hosted one of 100,000 sources) name no plan file: no copy then.
  if (!config.sources.some((source) => isObject(source) && typeof source.plan === 'string')) {
    return config;
  }
  const sources = await Promise.all(
    config.sources.map(async (source: unknown, i: number) => {
      if (!isObject(source) || typeof source.plan !== 'string' || source.plan === '') return source;
      const path = resolve(folder, source.plan);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new Error(`sources.${i}.plan: cannot read ${path}: ${(error as Error).message}`);
      }
      return { ...source, plan: parsePlanText(text, path) };
    }),
  );
  return { ...config, sources };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
