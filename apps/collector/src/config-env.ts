// Environment overrides of the config file: `SLUICE__<path>=<value>`, the path's parts joined
// by "__", sources addressed by id, values read as JSON when they are JSON:
//   SLUICE__limits__ipRate__requestsPerSecond=50
//   SLUICE__limits__ipRate=null
//   SLUICE__sources__shop__secretKeys=["sha256:..."]
//   SLUICE__trustProxy=1
// Pure: the entry point passes `process.env` in.

/** The prefix of config override variables. */
export const CONFIG_ENV_PREFIX = 'SLUICE__';

type Json = Record<string, unknown>;

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A bare word (a key, an origin) needs no JSON quotes.
    return text;
  }
}

/** The source with this id, added when the config has none. */
function sourceById(config: Json, id: string): Json {
  if (!Array.isArray(config.sources)) config.sources = [];
  const sources = config.sources as unknown[];
  let source = sources.find((s): s is Json => isObject(s) && s.id === id);
  if (!source) {
    source = { id };
    sources.push(source);
  }
  return source;
}

function setPath(config: Json, path: string[], value: unknown, name: string): void {
  if (path.length === 0 || path.some((part) => part === '' || FORBIDDEN.has(part))) {
    throw new Error(`${name}: not a config path (parts are joined by "__")`);
  }
  let target = config;
  let rest = path;
  if (path[0] === 'sources') {
    if (path.length < 3)
      throw new Error(`${name}: name a source and a field, like SLUICE__sources__<id>__writeKeys`);
    target = sourceById(config, path[1]!);
    rest = path.slice(2);
  }
  for (const part of rest.slice(0, -1)) {
    if (!isObject(target[part])) target[part] = {};
    target = target[part] as Json;
  }
  target[rest[rest.length - 1]!] = value;
}

/**
 * Returns a copy of `config` with every `SLUICE__…` variable of `env` applied, in name order
 * (so `…__ipRate` is set before `…__ipRate__burst`). Throws naming a malformed variable.
 */
export function applyConfigEnv(config: unknown, env: Record<string, string | undefined>): unknown {
  const names = Object.keys(env)
    .filter((name) => name.startsWith(CONFIG_ENV_PREFIX) && env[name] !== undefined)
    .sort();
  if (names.length === 0) return config;
  const copy: Json = isObject(config) ? structuredClone(config) : {};
  for (const name of names) {
    const path = name.slice(CONFIG_ENV_PREFIX.length).split('__');
    setPath(copy, path, parseValue(env[name]!), name);
  }
  return copy;
}
