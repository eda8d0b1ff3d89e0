// Builds the tag: dist/sluice.js (IIFE for a script tag, minified) and dist/index.js +
// .d.ts (ESM for apps). Prints a size table, writes dist/sizes.json, and fails when the
// script-tag build is over its budget. `--outdir <dir>` builds elsewhere (used by tests).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, transform } from 'esbuild';
import ts from 'typescript';

/** Hard budget of the script-tag build, min+gzip -9. */
const BUDGET_BYTES = 2048;
const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const flag = process.argv.indexOf('--outdir');
const outdir = resolve(flag > 0 ? process.argv[flag + 1] : join(here, 'dist'));
const common = {
  bundle: true,
  platform: 'browser',
  target: 'es2020',
  write: false,
  logLevel: 'warning',
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

async function bundle(options) {
  const result = await build({ ...common, ...options });
  return result.outputFiles[0].text;
}

const tagRaw = await bundle({ entryPoints: [join(src, 'browser.ts')], format: 'iife' });
const tag = await bundle({ entryPoints: [join(src, 'browser.ts')], format: 'iife', minify: true });
const esm = await bundle({ entryPoints: [join(src, 'index.ts')], format: 'esm' });
const esmMin = (await transform(esm, { minify: true, format: 'esm', target: common.target })).code;
await writeFile(join(outdir, 'sluice.js'), tag);
await writeFile(join(outdir, 'index.js'), esm);
await writeDeclarations('index.ts');

/** Emits the .d.ts of `file` and of every local module its declarations import. */
async function writeDeclarations(file, done = new Set()) {
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
  await writeFile(join(outdir, file.replace(/\.ts$/, '.d.ts')), outputText);
  for (const [, local] of outputText.matchAll(/from '\.\/(.+?)\.js'/g)) {
    await writeDeclarations(`${local}.ts`, done);
  }
}

function measure(raw, min) {
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

const sizes = { 'sluice.js': measure(tagRaw, tag), 'index.js': measure(esm, esmMin) };
await writeFile(join(outdir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);

const columns = ['raw', 'min', 'gzip', 'brotli'];
const row = (cells) =>
  cells.map((c, i) => String(c)[i ? 'padStart' : 'padEnd'](i ? 8 : 12)).join(' ');
const shown = relative(here, outdir);
console.log(`sizes in bytes (gzip -9, brotli q11) of ${shown.startsWith('..') ? outdir : shown}/`);
console.log(row(['file', ...columns]));
for (const [name, size] of Object.entries(sizes))
  console.log(row([name, ...columns.map((c) => size[c])]));

if (sizes['sluice.js'].gzip > BUDGET_BYTES) {
  console.error(
    `sluice.js is ${sizes['sluice.js'].gzip} B min+gzip, over its ${BUDGET_BYTES} B budget`,
  );
  process.exit(1);
}
