// @vitest-environment node
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createContext, runInContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Sizes = Record<string, { raw: number; min: number; gzip: number; brotli: number }>;
type BuildModule = {
  BUDGETS: Record<string, number>;
  PLUGINS: Record<string, [string, string]>;
  overBudget(sizes: Sizes): string[];
};

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let outdir: string;
let output: string;
let sizes: Sizes;
let build: BuildModule;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'sluice-tracker-build-'));
  const run = await promisify(execFile)('node', ['build.mjs', '--outdir', outdir], {
    cwd: packageDir,
  });
  output = run.stdout;
  sizes = JSON.parse(await readFile(join(outdir, 'sizes.json'), 'utf8'));
  build = (await import(new URL('../build.mjs', import.meta.url).href)) as BuildModule;
}, 60_000);
afterAll(() => rm(outdir, { recursive: true, force: true }));

const scriptTagBuilds = () => Object.keys(build.BUDGETS);

describe('build.mjs', () => {
  it('keeps the script-tag core within 2,048 bytes min+gzip, and each plugin within its budget', () => {
    expect(build.BUDGETS['sluice.js']).toBe(2048);
    expect(scriptTagBuilds()).toEqual([
      'sluice.js',
      ...Object.keys(build.PLUGINS).map((name) => `sluice-${name}.js`),
    ]);
    for (const file of scriptTagBuilds()) {
      expect(sizes[file]!.gzip).toBeLessThanOrEqual(build.BUDGETS[file]!);
      expect(output).toContain(file);
    }
    expect(build.overBudget(sizes)).toEqual([]);
  });

  it('fails the build when a script-tag build goes over its budget', () => {
    const over = { ...sizes, 'sluice.js': { ...sizes['sluice.js']!, gzip: 2049 } };
    expect(build.overBudget(over)).toEqual([
      'sluice.js is 2049 B min+gzip, over its 2048 B budget',
    ]);
    const { 'sluice-web-vitals.js': _, ...missing } = sizes;
    expect(build.overBudget(missing)).toHaveLength(1); // a build that is not there fails too
  });

  it('reports the size it ships: the minified file, gzip -9 and brotli', async () => {
    for (const file of scriptTagBuilds()) {
      const bytes = await readFile(join(outdir, file));
      expect(sizes[file]!.min).toBe(bytes.length);
      expect(sizes[file]!.brotli).toBeLessThan(sizes[file]!.gzip);
    }
  });

  it('puts no zod, no eval and no inline-code tricks in the tag; the core alone defines a global', async () => {
    for (const file of scriptTagBuilds()) {
      const tag = await readFile(join(outdir, file), 'utf8');
      expect(tag).not.toMatch(/zod|\beval\(|new Function|setTimeout\(["'`]|innerHTML/);
      expect(tag.match(/\.sluice\s*=/g) ?? []).toHaveLength(file === 'sluice.js' ? 1 : 0);
    }
    expect(await readFile(join(outdir, 'sluice.js'), 'utf8')).toContain('65536'); // MAX_BEACON_BYTES
  });

  it('adds no global but `sluice` to the page (the core), and none at all (the plugins)', async () => {
    for (const file of scriptTagBuilds()) {
      // A bare page: just what the tag touches while it starts.
      const page: Record<string, unknown> = {
        document: {
          currentScript: { dataset: { key: 'wk' }, src: 'https://collect.example/s.js' },
        },
        location: { href: 'https://site.example/', pathname: '/', search: '' },
        crypto: { getRandomValues: <T>(array: T) => array },
        URL,
        setTimeout,
        addEventListener() {},
      };
      page.window = page;
      const context = createContext(page);
      const before = Object.keys(page);
      runInContext(await readFile(join(outdir, file), 'utf8'), context);
      const added = Object.keys(page).filter((key) => !before.includes(key));
      expect(added).toEqual(file === 'sluice.js' ? ['sluice'] : []);
    }
  });

  it('publishes ESM with createTracker and each plugin, with types that need no other package', async () => {
    const esm = await readFile(join(outdir, 'index.js'), 'utf8');
    expect(esm).toMatch(/export\s*{\s*createTracker\s*}/);
    expect(esm).not.toMatch(/autocapture|webVitals/); // plugins are not in the core
    for (const [module, fn] of Object.values(build.PLUGINS)) {
      const plugin = await readFile(join(outdir, `${module}.js`), 'utf8');
      expect(plugin).toMatch(new RegExp(`export\\s*{[^}]*\\b${fn}\\b`));
    }
    const declarations = (await readdir(outdir, { recursive: true })).filter((f) =>
      f.endsWith('.d.ts'),
    );
    expect(declarations).toEqual(
      expect.arrayContaining(['index.d.ts', 'types.d.ts', 'plugins/autocapture.d.ts']),
    );
    for (const file of declarations) {
      const text = await readFile(join(outdir, file), 'utf8');
      for (const [, from] of text.matchAll(/from '([^']+)'/g)) expect(from).toMatch(/^\.\.?\//);
    }
    const index = await readFile(join(outdir, 'index.d.ts'), 'utf8');
    expect(index).toMatch(/createTracker/);
    expect(index).toMatch(/TrackerEvent/);
  });
});
