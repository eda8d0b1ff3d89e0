// `sluice config check`: every mistake of a config file and its environment overrides, each
// with where it is (file:line:column, or the variable) and how to fix it. Pure: the command
// reads the file and passes the text and the environment in.
import { applyConfigEnv, CONFIG_ENV_PREFIX, collectorConfigSchema } from '@sluice/collector';
import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import { describeField, unknownNameFix } from './hints.js';
import { type JsonPath, lineAndColumn, offsetOf, sharedParts } from './locate.js';

export interface ConfigProblem {
  severity: 'error' | 'warning';
  /** `file:line:column`, the environment variable, or the file when no place fits. */
  where: string;
  /** The config path, e.g. `sources[0].allowedOrigins[1]`; empty for the whole file. */
  path: string;
  message: string;
  /** What to change, when the message alone does not say. */
  fix?: string;
  /** The field's meaning from the config reference. */
  about?: string;
}

export interface ConfigCheck {
  /** What was checked, for the heading. */
  checked: string;
  problems: ConfigProblem[];
  /** What the collector would run with, when the config is valid. */
  summary?: string;
}

// Keyed by jsonc-parser's error names (its codes are a const enum, unusable here).
const SYNTAX: Record<string, [string, string]> = {
  CommaExpected: ['a comma is missing', 'separate entries with ","'],
  ColonExpected: ['a colon is missing', 'write "name": value'],
  PropertyNameExpected: [
    'a name in double quotes is expected',
    'quote names with "double quotes", and leave no comma after the last entry',
  ],
  ValueExpected: [
    'a value is expected',
    'leave no comma after the last entry; strings take "double quotes"',
  ],
  InvalidSymbol: ['this is not JSON', 'strings take "double quotes"'],
  InvalidCommentToken: ['JSON has no comments', 'remove the comment'],
  CloseBraceExpected: ['a "}" is missing', 'close every { with }'],
  CloseBracketExpected: ['a "]" is missing', 'close every [ with ]'],
  EndOfFileExpected: ['more text after the end of the config', 'the file holds one JSON object'],
};

/** `sources[0].allowedOrigins[1]` */
export function displayPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The path as the reference table names it: `sources[].allowedOrigins`. */
function referencePath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? '[]' : i === 0 ? p : `.${p}`)).join('');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The config path each `SLUICE__…` variable sets (sources by id, as the overrides address them). */
function envPaths(env: Record<string, string | undefined>, config: unknown) {
  const sources = (config as { sources?: { id?: unknown }[] })?.sources ?? [];
  return Object.keys(env)
    .filter((name) => name.startsWith(CONFIG_ENV_PREFIX) && env[name] !== undefined)
    .map((name) => {
      const parts = name.slice(CONFIG_ENV_PREFIX.length).split('__');
      if (parts[0] !== 'sources') return { name, path: parts as JsonPath };
      const index = Array.isArray(sources) ? sources.findIndex((s) => s?.id === parts[1]) : -1;
      return { name, path: ['sources', index, ...parts.slice(2)] as JsonPath };
    });
}

function startsWith(path: JsonPath, prefix: JsonPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

/** Source ids the summary names; a config may hold 100,000. */
const LISTED_IDS = 5;
/** Warnings of one kind printed in full; the rest are counted in one more. */
const WARNINGS_EACH = 5;

/** The first warnings of a kind, and one that counts the rest with a few of their sources. */
function firstOf(warnings: ConfigProblem[], what: string): ConfigProblem[] {
  if (warnings.length <= WARNINGS_EACH) return warnings;
  const rest = warnings.slice(WARNINGS_EACH);
  const paths = rest.slice(0, LISTED_IDS).map((w) => w.path.replace(/\.allowedOrigins$/, ''));
  return [
    ...warnings.slice(0, WARNINGS_EACH),
    {
      severity: 'warning',
      where: rest[0]!.where,
      path: '',
      message: `${rest.length} more sources ${what}: ${paths.join(', ')}${rest.length > paths.length ? ', …' : ''}`,
      fix: rest[0]!.fix,
    },
  ];
}

/** Checks a config: `text` is the file's content, undefined when there is no file. */
export function checkConfig(input: {
  file: string | undefined;
  text: string | undefined;
  env: Record<string, string | undefined>;
  /** The config used without a file (the demo source). */
  fallback: unknown;
}): ConfigCheck {
  const { file, text, env } = input;
  const overrides = Object.keys(env).some((n) => n.startsWith(CONFIG_ENV_PREFIX));
  const checked = `${file ?? 'no config file: the built-in demo source'}${overrides ? ` with ${CONFIG_ENV_PREFIX}* overrides` : ''}`;
  let tree: Node | undefined;
  let json: unknown = input.fallback;
  if (text !== undefined) {
    const errors: ParseError[] = [];
    tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
    if (errors.length > 0 || !tree) {
      // The parser goes on after an error and often reports the same slip twice: one a line.
      const lines = new Set<number>();
      const first = errors.filter((error) => {
        const { line } = lineAndColumn(text, error.offset);
        if (lines.has(line)) return false;
        lines.add(line);
        return true;
      });
      return {
        checked,
        problems: first.map((error) => {
          const { line, column } = lineAndColumn(text, error.offset);
          const [message, fix] = SYNTAX[printParseErrorCode(error.error)] ?? [
            'not valid JSON',
            'check the syntax',
          ];
          return { severity: 'error', where: `${file}:${line}:${column}`, path: '', message, fix };
        }),
      };
    }
    json = JSON.parse(text);
  }
  let overridden: unknown;
  try {
    overridden = applyConfigEnv(json, env);
  } catch (error) {
    const [name, ...rest] = (error as Error).message.split(': ');
    return {
      checked,
      problems: [
        {
          severity: 'error',
          where: name ?? 'environment',
          path: '',
          message: rest.join(': '),
          fix: `name a config path with parts joined by "__", e.g. ${CONFIG_ENV_PREFIX}limits__ipRate=null`,
        },
      ],
    };
  }
  const setByEnv = envPaths(env, overridden);
  // A problem is where it was made: in the file, or in the variable that set (or created) it.
  const place = (path: JsonPath, key?: string): string => {
    const full = key === undefined ? path : [...path, key];
    const found = tree ? offsetOf(tree, path, key) : { offset: 0, depth: 0 };
    const variable =
      setByEnv.find((v) => startsWith(full, v.path)) ??
      setByEnv.find((v) => sharedParts(v.path, full) > found.depth);
    if (variable) return variable.name;
    if (text === undefined) return 'the demo source';
    const { line, column } = lineAndColumn(text, found.offset);
    return `${file}:${line}:${column}`;
  };

  const result = collectorConfigSchema.safeParse(overridden);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue): ConfigProblem[] => {
      const path = issue.path.filter((p) => typeof p !== 'symbol') as JsonPath;
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          severity: 'error' as const,
          where: place(path, key),
          path: displayPath([...path, key]),
          message: `"${key}" is not a setting here`,
          fix: unknownNameFix(path, key),
        }));
      }
      const doc = describeField(path);
      return [
        {
          severity: 'error',
          where: place(path),
          path: displayPath(path),
          message: issue.message,
          ...(doc ? { about: `${referencePath(path)}: ${doc}` } : {}),
        },
      ];
    });
    return { checked, problems };
  }

  const config = result.data;
  const noOrigins: ConfigProblem[] = [];
  const anyOrigin: ConfigProblem[] = [];
  config.sources.forEach((source, i) => {
    const path: JsonPath = ['sources', i, 'allowedOrigins'];
    if (source.writeKeys.length > 0 && source.allowedOrigins.length === 0) {
      noOrigins.push({
        severity: 'warning',
        where: place(['sources', i]),
        path: displayPath(path),
        message: `browsers sending with the write keys of "${source.id}" are refused (403 origin_not_allowed): no origin is allowed`,
        fix: 'add your site\'s origins, e.g. "allowedOrigins": ["https://shop.example"] (server SDKs send no Origin and are not affected)',
      });
    }
    if (source.allowedOrigins.includes('*')) {
      anyOrigin.push({
        severity: 'warning',
        where: place(path),
        path: displayPath(path),
        message: `any website may send events with the write keys of "${source.id}"`,
        fix: "fine for a try-out; list your site's origins before going live",
      });
    }
  });
  const problems = [
    ...firstOf(noOrigins, 'have no allowed origin'),
    ...firstOf(anyOrigin, 'allow any origin ("*")'),
  ];
  const keys = (field: 'writeKeys' | 'secretKeys') =>
    config.sources.reduce((n, s) => n + s[field].length, 0);
  const ids = config.sources.slice(0, LISTED_IDS).map((s) => s.id);
  const more = config.sources.length - ids.length;
  const quotas = config.sources.filter((s) => s.limits.quota).length;
  const summary = `${plural(config.sources.length, 'source')} (${ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}), ${plural(keys('writeKeys'), 'write key')}, ${plural(keys('secretKeys'), 'secret key')}${quotas > 0 ? `, ${quotas} with a quota` : ''}; live view ${config.admin ? 'on at /live' : 'off (add admin.secretHash: sluice keys create --admin)'}`;
  return { checked, problems, summary };
}
