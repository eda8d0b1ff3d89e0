// `pnpm bench:size`: builds the tag and measures it next to the npm builds of other analytics
// SDKs, each the same way: an esbuild bundle of a minimal use (init, one page view, one custom
// event) for the browser, minified by terser (as the tag's own build), gzip -9 and brotli q11;
// for SDKs that load parts later (dynamic import), also the first load alone. Writes the table into
// BENCHMARKS.md at the repository's root, between the tag-size markers, and prints it.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { minify } from 'terser';
import { BUDGETS, buildAll, measure, overBudget, PLUGINS } from '../build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const benchmarks = join(packageDir, '..', '..', 'BENCHMARKS.md');

/** Each SDK's minimal use: init, one page view, one custom event. */
const ANCHORS = {
  'plausible-tracker': `import Plausible from 'plausible-tracker';
const plausible = Plausible({ domain: 'example.com', apiHost: 'https://collect.example.com' });
plausible.trackPageview();
plausible.trackEvent('Signed Up', { props: { plan: 'pro' } });`,
  '@snowplow/browser-tracker': `import { newTracker, trackPageView, trackStructEvent } from '@snowplow/browser-tracker';
newTracker('sp', 'https://collect.example.com', { appId: 'site' });
trackPageView();
trackStructEvent({ category: 'account', action: 'Signed Up', label: 'pro' });`,
  '@jitsu/js': `import { jitsuAnalytics } from '@jitsu/js';
const analytics = jitsuAnalytics({ host: 'https://collect.example.com', writeKey: 'WRITE_KEY' });
analytics.page();
analytics.track('Signed Up', { plan: 'pro' });`,
  '@segment/analytics-next': `import { AnalyticsBrowser } from '@segment/analytics-next';
const analytics = AnalyticsBrowser.load({ writeKey: 'WRITE_KEY' });
analytics.page();
analytics.track('Signed Up', { plan: 'pro' });`,
  'posthog-js': `import posthog from 'posthog-js';
posthog.init('phc_KEY', { api_host: 'https://collect.example.com' });
posthog.capture('$pageview');
posthog.capture('Signed Up', { plan: 'pro' });`,
};

/** sluice from npm, used the same way (the page view on load is automatic). */
const SLUICE_NPM = `import { createTracker } from './dist/index.js';
const tracker = createTracker({ writeKey: 'WRITE_KEY', endpoint: 'https://collect.example.com' });
tracker.track('Signed Up', { plan: 'pro' });`;

/** Minifies an ES module as the tag's build minifies the tag (terser, two passes). */
const minifyModule = async (code) =>
  (
    await minify(code, {
      ecma: 2020,
      module: true,
      compress: { passes: 2 },
      format: { comments: false },
    })
  ).code;

/** Bundles `contents` as an app would: minified sizes of all of it, and of its first load. */
async function measureUse(contents) {
  const outdir = await mkdtemp(join(tmpdir(), 'sluice-bench-size-'));
  const bundleTo = (dir, splitting) =>
    build({
      stdin: { contents, resolveDir: packageDir, sourcefile: 'use.js', loader: 'js' },
      bundle: true,
      splitting,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      outdir: join(outdir, dir),
      metafile: true,
      logLevel: 'error',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
  const sizeOf = async (files) => {
    let raw = '';
    let min = '';
    for (const file of files) {
      const code = await readFile(join(packageDir, file), 'utf8');
      raw += code;
      min += await minifyModule(code);
    }
    return measure(raw, min);
  };
  try {
    // Everything the use needs (dynamic imports inlined), as the anchors were measured.
    const whole = await bundleTo('whole', false);
    const all = await sizeOf(Object.keys(whole.metafile.outputs));
    // The first load: the entry chunk and what it imports statically, transitively.
    const split = await bundleTo('split', true);
    const outputs = split.metafile.outputs;
    const first = new Set();
    const visit = (file) => {
      if (first.has(file)) return;
      first.add(file);
      for (const imported of outputs[file].imports)
        if (imported.kind === 'import-statement' && outputs[imported.path]) visit(imported.path);
    };
    visit(Object.keys(outputs).find((file) => outputs[file].entryPoint));
    return { ...all, first: (await sizeOf([...first])).gzip };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

const versionOf = async (name) =>
  JSON.parse(await readFile(join(packageDir, 'node_modules', name, 'package.json'), 'utf8'))
    .version;

const sizes = await buildAll(join(packageDir, 'dist'));
const ownVersion = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')).version;
const rows = [
  {
    name: `**sluice ${ownVersion}**, script tag \`sluice.js\` (everything but the plugins)`,
    ...sizes['sluice.js'],
    budget: BUDGETS['sluice.js'],
  },
  { name: `**sluice ${ownVersion}**, npm \`createTracker\``, ...(await measureUse(SLUICE_NPM)) },
];
for (const [name] of Object.entries(PLUGINS))
  rows.push({
    name: `sluice plugin \`sluice-${name}.js\``,
    ...sizes[`sluice-${name}.js`],
    budget: BUDGETS[`sluice-${name}.js`],
  });
for (const [name, use] of Object.entries(ANCHORS))
  rows.push({ name: `${name} ${await versionOf(name)}`, ...(await measureUse(use)) });

const number = (n) => (n === undefined ? '' : n.toLocaleString('en-US'));
const table = [
  '| build | min | min+gzip -9 | min+brotli | first load (gzip) | budget (gzip) |',
  '|---|--:|--:|--:|--:|--:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${number(r.min)} | ${number(r.gzip)} | ${number(r.brotli)} | ${number(r.first ?? r.gzip)} | ${number(r.budget)} |`,
  ),
].join('\n');

const section = `<!-- tag-size:begin -->
## Tag size

\`pnpm bench:size\`, ${new Date().toISOString().slice(0, 10)}. Bytes. Each SDK is bundled by esbuild from
its npm package for a minimal use (init, one page view, one custom event; see
\`packages/tracker/bench/size.mjs\`), for the browser, minified (two esbuild passes, as the tag's
own build), then compressed with gzip -9 and brotli q11: all the code the use needs. "First
load" is what comes before any dynamic import (built with code splitting): Segment's loader
fetches the rest of its SDK after the page loads, and sends nothing until it has. sluice's
script tag is the file the collector serves at
\`/s.js\`; its plugins are separate files. \`pnpm --filter @sluice/tracker build\` fails when a
script-tag build is over its budget.

${table}
<!-- tag-size:end -->`;

let text;
try {
  text = await readFile(benchmarks, 'utf8');
} catch {
  text = '# sluice benchmarks\n';
}
const begin = text.indexOf('<!-- tag-size:begin -->');
const end = text.indexOf('<!-- tag-size:end -->');
text =
  begin >= 0 && end > begin
    ? text.slice(0, begin) + section + text.slice(end + '<!-- tag-size:end -->'.length)
    : `${text.trimEnd()}\n\n${section}\n`;
await mkdir(dirname(benchmarks), { recursive: true });
await writeFile(benchmarks, text);
console.log(table);
console.log(`written to ${relative(process.cwd(), benchmarks)}`);
const over = overBudget(sizes);
for (const line of over) console.error(line);
if (over.length) process.exit(1);
