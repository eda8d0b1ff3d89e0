// Builds the tag: dist/sluice.js (IIFE for a script tag), one IIFE per optional plugin
// (dist/sluice-<plugin>.js), and ESM + .d.ts for apps (dist/index.js, dist/plugins/*.js).
// Prints a size table, writes dist/sizes.json, and fails when a script-tag build is over its
// budget (min+gzip -9). `--outdir <dir>` builds elsewhere (used by tests).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import { minify } from 'terser';
import ts from 'typescript';

/** The optional plugins: entry point name → [source module, exported function]. */
export const PLUGINS = {
  autocapture: ['plugins/autocapture', 'autocapture'],
  'outbound-links': ['plugins/outbound-links', 'outboundLinks'],
  'scroll-depth': ['plugins/scroll-depth', 'scrollDepth'],
  'web-vitals': ['plugins/web-vitals', 'webVitals'],
};

/** Hard budgets of the script-tag builds, bytes min+gzip -9. CI fails above them. */
export const BUDGETS = {
  'sluice.js': 2048,
  'sluice-autocapture.js': 450,
  'sluice-outbound-links.js': 450,
  'sluice-scroll-depth.js': 350,
  'sluice-web-vitals.js': 700,
};

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');

/**
 * Bundles with esbuild, then minifies with terser, which packs this code about 1 % tighter
 * than esbuild's minifier (merged declarations, fewer statements): bytes are the tag's budget.
 */
export async function bundleMinified(options) {
  // esbuild's syntax pass first (`const` becomes `let`, which terser then merges into fewer
  // declarations).
  const raw = await bundle({ minifySyntax: true, ...options });
  const { code } = await minify(raw, {
    ecma: 2020,
    module: false,
    // Not `toplevel`: the tag's names stay inside its function, none becomes a global.
    compress: { passes: 2 },
    format: { comments: false },
  });
  return { raw, min: code };
}

async function bundle(options) {
  const result = await build({
    bundle: true,
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'warning',
    // No "use strict" prologue: nothing relies on sloppy mode, and it costs bytes.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    ...options,
  });
  return result.outputFiles[0].text;
}

/** Sizes in bytes of a build: source bundle, minified, minified + gzip -9 and + brotli q11. */
export function measure(raw, min) {
  const bytes = Buffer.from(min);
  return {
    raw: Buffer.byteLength(raw),
    min: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
    }).length,
  };
}

/** Emits the .d.ts of `file` and of every local module its declarations import. */
async function writeDeclarations(outdir, file, done = new Set()) {
  if (done.has(file)) return;
  done.add(file);
  const { outputText, diagnostics } = ts.transpileDeclaration(
    await readFile(join(src, file), 'utf8'),
    { fileName: file, compilerOptions: { module: ts.ModuleKind.NodeNext, strict: true } },
  );
  if (diagnostics?.length)
    throw new Error(
      `${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`,
    );
  // The published types stand alone: @sluice/schema is not a dependency of the package.
  if (/from ['"](?!\.)/.test(outputText)) throw new Error(`${file}.d.ts imports a package`);
  const target = join(outdir, file.replace(/\.ts$/, '.d.ts'));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, outputText);
  for (const [, local] of outputText.matchAll(/from '(\.\.?\/.+?)\.js'/g)) {
    await writeDeclarations(outdir, join(dirname(file), `${local}.ts`), done);
  }
}

/** Builds everything into `outdir`; returns the sizes, keyed by file name. */
export async function buildAll(outdir) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(join(outdir, 'plugins'), { recursive: true });
  const sizes = {};
  const emit = async (file, { raw, min }, text = min) => {
    await writeFile(join(outdir, file), text);
    sizes[file] = measure(raw, min);
  };

  await emit(
    'sluice.js',
    await bundleMinified({ entryPoints: [join(src, 'browser.ts')], format: 'iife' }),
  );
  for (const [name, [module, fn]] of Object.entries(PLUGINS)) {
    // The script-tag plugin starts itself against the page's `sluice` global.
    const contents = `import { ${fn} } from './${module}.js';
import { globalTarget } from './plugins/plugin-target.js';
${fn}(globalTarget);`;
    const stdin = { contents, resolveDir: src, loader: 'ts', sourcefile: `${name}.global.ts` };
    await emit(`sluice-${name}.js`, await bundleMinified({ stdin, format: 'iife' }));
  }

  // ESM for npm: readable (apps minify it themselves), sized minified for the report.
  const esm = async (entry) => {
    const raw = await bundle({ entryPoints: [join(src, `${entry}.ts`)], format: 'esm' });
    const min = (await transform(raw, { minify: true, format: 'esm', target: 'es2020' })).code;
    return { raw, min };
  };
  for (const entry of ['index', ...Object.values(PLUGINS).map(([module]) => module)]) {
    const built = await esm(entry);
    await emit(`${entry}.js`, built, built.raw);
    await writeDeclarations(outdir, `${entry}.ts`);
  }
  await writeFile(join(outdir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
  return sizes;
}

/** Names of the script-tag builds over their budget, with their size. */
export function overBudget(sizes) {
  return Object.entries(BUDGETS)
    .filter(([file, budget]) => !(sizes[file]?.gzip <= budget))
    .map(
      ([file, budget]) => `${file} is ${sizes[file]?.gzip} B min+gzip, over its ${budget} B budget`,
    );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = process.argv.indexOf('--outdir');
  const outdir = resolve(flag > 0 ? process.argv[flag + 1] : join(here, 'dist'));
  const sizes = await buildAll(outdir);
  const columns = ['raw', 'min', 'gzip', 'brotli', 'budget'];
  const row = (cells) =>
    cells.map((c, i) => String(c)[i ? 'padStart' : 'padEnd'](i ? 8 : 28)).join(' ');
  const shown = relative(here, outdir);
  console.log(
    `sizes in bytes (gzip -9, brotli q11) of ${shown.startsWith('..') ? outdir : shown}/`,
  );
  console.log(row(['file', ...columns]));
  for (const [name, size] of Object.entries(sizes))
    console.log(
      row([name, ...columns.map((c) => (c === 'budget' ? (BUDGETS[name] ?? '') : size[c]))]),
    );
  const over = overBudget(sizes);
  for (const line of over) console.error(line);
  if (over.length) process.exit(1);
}
