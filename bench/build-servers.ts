// Bundles each server entry with our own TypeScript sources into one plain .mjs with esbuild,
// so the processes under test run on bare Node: no TypeScript loader in their CPU profiles or
// their memory. A source map beside each bundle lets the profile summary name TypeScript lines.

import { mkdir, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { EVENT_VARIANTS, eventTemplate } from './events/segment-event.js';
import { BENCH_DIR, BUILD_DIR, REPO_DIR } from './paths.js';

/** The server entries under bench/servers, by name. */
export const SERVER_ENTRIES = [
  'bare-node',
  'bare-hono',
  'hono-parse',
  'collector',
  'collector-workers',
  'forwarder-drain',
  'pipeline',
  'many-sources',
] as const;
export type ServerEntry = (typeof SERVER_ENTRIES)[number];

export interface BuiltServers {
  /** Path of the bundle for each entry. */
  entry(name: ServerEntry): string;
  /** The event templates wrk's script reads, one per line. */
  templatePath: string;
}

/**
 * Leaves every npm dependency out of the bundle, imported by its absolute path as esbuild
 * resolved it: packages with native addons (lmdb, ...) cannot be bundled, and Node then loads
 * each dependency just as it does without a bundle.
 */
export const importDependenciesInPlace: Plugin = {
  name: 'import-dependencies-in-place',
  setup(plugin) {
    plugin.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (isBuiltin(args.path)) return { external: true };
      if (args.path.startsWith('@sluice/') || args.pluginData === 'resolving') return undefined;
      const resolved = await plugin.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};

/** Bundles every server entry and writes the event template; takes about a second. */
export async function buildServers(): Promise<BuiltServers> {
  await mkdir(BUILD_DIR, { recursive: true });
  await build({
    absWorkingDir: REPO_DIR,
    entryPoints: [
      ...SERVER_ENTRIES.map((name) => ({
        in: join(BENCH_DIR, 'servers', `${name}.ts`),
        out: name,
      })),
      // `--workers N` starts each thread from this file, found beside the bundle that starts it.
      {
        in: join(REPO_DIR, 'apps/collector/src/node-workers/collector-thread.ts'),
        out: 'collector-thread',
      },
    ],
    outdir: BUILD_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
    // The profile summary maps bundle positions back to TypeScript lines with it.
    sourcemap: 'linked',
    plugins: [importDependenciesInPlace],
  });
  // One event template per line, for wrk's script.
  const templatePath = join(BUILD_DIR, 'event-templates.ndjson');
  const templates = Array.from({ length: EVENT_VARIANTS }, (_, v) => eventTemplate(v));
  await writeFile(templatePath, `${templates.join('\n')}\n`);
  return { entry: (name) => join(BUILD_DIR, `${name}.mjs`), templatePath };
}
