// The TypeScript entries the e2e tests start as child processes, bundled once per run with
// esbuild (e2e/bundle-entries.global.ts), so that each start loads one file instead of
// compiling the workspace's sources again under tsx (measured: 2.5–3.5 s of CPU a start).
// Outside a vitest run (e2e/reliability-report.ts) the entries run from source under tsx.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { importDependenciesInPlace } from '../bench/build-servers.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const source = (path: string) => join(REPO, path);

/**
 * The entries and, per entry, the files its bundle sits beside (Worker threads it starts).
 * `startsBeside`: modules that find such a file beside themselves through `import.meta.url`,
 * so in the bundle they keep the bundle's URL.
 */
const ENTRIES = {
  cli: {
    package: source('apps/cli'),
    entries: {
      bin: source('apps/cli/src/bin.ts'),
      // `sluice start --workers N` starts `./collector-thread.<ext>` beside collector-workers.ts.
      'collector-thread': source('apps/collector/src/node-workers/collector-thread.ts'),
    },
    startsBeside: [source('apps/collector/src/node-workers/collector-workers.ts')],
  },
  'reliability-pipeline': {
    package: source('e2e'),
    entries: { 'reliability-pipeline-main': source('e2e/reliability-pipeline-main.ts') },
    startsBeside: [],
  },
} as const;

type EntryName = keyof typeof ENTRIES;
const ENV = 'SLUICE_E2E_BUNDLES';

/**
 * Bundles every entry into a new folder inside the entry's own package (so that its
 * `node_modules`, `package.json` and `import.meta.resolve` resolve as from source) and
 * returns a function that removes them. The folders' paths go to child processes in the
 * environment (vitest's workers inherit it), and with them a compile cache: each start after
 * the first reuses V8's code for the bundle and its packages (measured: a fifth less CPU).
 */
export async function bundleEntries(): Promise<() => Promise<void>> {
  const compileCache = await mkdtemp(join(tmpdir(), 'sluice-e2e-compile-cache-'));
  const folders: Partial<Record<EntryName, string>> = {};
  for (const [name, entry] of Object.entries(ENTRIES) as [
    EntryName,
    (typeof ENTRIES)[EntryName],
  ][]) {
    const outdir = await mkdtemp(join(entry.package, '.e2e-bundle-'));
    folders[name] = outdir;
    await build({
      entryPoints: entry.entries,
      outdir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      logLevel: 'warning',
      // npm packages stay out, imported from where each workspace package finds them.
      plugins: [importDependenciesInPlace, ownModuleUrls(entry.package, entry.startsBeside)],
    });
  }
  process.env[ENV] = JSON.stringify(folders);
  process.env.NODE_COMPILE_CACHE ??= compileCache;
  return async () => {
    delete process.env[ENV];
    if (process.env.NODE_COMPILE_CACHE === compileCache) delete process.env.NODE_COMPILE_CACHE;
    for (const folder of [...Object.values(folders), compileCache]) {
      await rm(folder, { recursive: true, force: true });
    }
  };
}

/** The command line that starts `name`'s entry `file`: its bundle in an e2e run, else tsx. */
export function entryCommand<N extends EntryName>(
  name: N,
  file: keyof (typeof ENTRIES)[N]['entries'],
): string[] {
  const folder = (JSON.parse(process.env[ENV] ?? '{}') as Partial<Record<EntryName, string>>)[name];
  const entries = ENTRIES[name].entries as Record<string, string>;
  if (folder === undefined) return [process.execPath, '--import', TSX, entries[file as string]!];
  return [process.execPath, join(folder, `${String(file)}.js`)];
}

const TSX = pathToFileURL(source('node_modules/tsx/dist/loader.mjs')).href;

/**
 * Modules of other workspace packages keep their own `import.meta.url` (the collector finds its
 * IP database through it, from its own folder); the entry's own package's modules get the
 * bundle's, which sits inside that package, and so do `startsBeside`, which start an entry
 * bundled beside the bundle.
 */
function ownModuleUrls(entryPackage: string, startsBeside: readonly string[]): Plugin {
  return {
    name: 'own-module-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const code = await readFile(args.path, 'utf8');
        const inEntryPackage = !relative(entryPackage, args.path).startsWith('..');
        if (inEntryPackage || startsBeside.includes(args.path) || !code.includes('import.meta'))
          return { contents: code, loader: 'ts' };
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return {
          contents: code
            .replaceAll('import.meta.url', url)
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
            .replaceAll('import.meta.filename', JSON.stringify(args.path)),
          loader: 'ts',
        };
      });
    },
  };
}
