import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-process.js';

// The packages as npm would get them: built, packed with their publish settings, installed
// from the tarballs into an empty project (offline, from pnpm's store), and run from there,
// where no TypeScript source or workspace link helps.

const run = promisify(execFile);
// The CLI's package and every workspace package it depends on, directly or not: what an
// install of `@sluice/cli` from the registry would fetch (a new dependency is packed too).
function workspacePackages(): Map<string, { path: string; manifest: Record<string, unknown> }> {
  const found = new Map<string, { path: string; manifest: Record<string, unknown> }>();
  for (const folder of ['packages', 'apps']) {
    for (const name of readdirSync(join(REPO_ROOT, folder))) {
      const file = join(REPO_ROOT, folder, name, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      found.set(manifest.name, { path: `${folder}/${name}`, manifest });
    }
  }
  return found;
}
function cliWithDependencies(): string[] {
  const all = workspacePackages();
  const paths: string[] = [];
  const visit = (name: string) => {
    const entry = all.get(name);
    if (!entry || paths.includes(entry.path)) return;
    paths.push(entry.path);
    const deps = Object.keys((entry.manifest.dependencies as Record<string, string>) ?? {});
    for (const dep of deps) visit(dep);
  };
  visit('@sluice/cli');
  return paths;
}
const PACKAGES = cliWithDependencies();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-packed-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('packs the CLI with every workspace package it depends on', () => {
  expect(PACKAGES).toEqual(
    expect.arrayContaining([
      'apps/cli',
      'apps/collector',
      'apps/mqtt-bridge',
      'packages/ingest',
      'packages/layout',
    ]),
  );
});

it('installs from the packed tarballs and runs `sluice` from built JavaScript', async () => {
  // The CLI's build builds the packages it references; the tag has a build of its own.
  await run('pnpm', ['--filter', '@sluice/tracker', '--filter', '@sluice/cli', 'build'], {
    cwd: REPO_ROOT,
  });
  const tarballs: Record<string, string> = {};
  for (const path of PACKAGES) {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, path, 'package.json'), 'utf8'));
    const { name, version } = manifest;
    expect(manifest.license, name).toBe('MIT');
    expect(manifest.files, name).toContain('dist');
    await run('pnpm', ['pack', '--pack-destination', dir], { cwd: join(REPO_ROOT, path) });
    tarballs[name] =
      `file:${join(dir, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`)}`;
  }
  const project = join(dir, 'project');
  await run('mkdir', ['-p', project]);
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'try-sluice',
      private: true,
      dependencies: { '@sluice/cli': tarballs['@sluice/cli'] },
    }),
  );
  // The tarballs name each other by version: point those names at the files.
  await writeFile(
    join(project, 'pnpm-workspace.yaml'),
    [
      'allowBuilds:',
      '  lmdb: false',
      '  msgpackr-extract: false',
      'overrides:',
      ...Object.entries(tarballs).map(([name, file]) => `  "${name}": "${file}"`),
      '',
    ].join('\n'),
  );
  await run('pnpm', ['install', '--offline'], { cwd: project });
  // pnpm puts a package's dependencies beside it, in the store's folder of the package.
  const collector = join(await realpath(join(project, 'node_modules/@sluice/cli')), '../collector');
  const packed = JSON.parse(await readFile(join(collector, 'package.json'), 'utf8'));
  expect(packed.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });

  const sluice = join(project, 'node_modules/.bin/sluice');
  const { stdout: version } = await run(sluice, ['--version'], { cwd: project });
  expect(version.trim()).toBe('0.1.0');
  const { stdout: keys } = await run(sluice, ['keys', 'create', '--json'], { cwd: project });
  const { source } = JSON.parse(keys);
  await writeFile(join(project, 'sluice.config.json'), JSON.stringify({ sources: [source] }));
  const { stdout: check } = await run(sluice, ['config', 'check'], { cwd: project });
  expect(check).toContain('ok: 1 source (my-site), 1 write key, 1 secret key');
  // The types ship too: a consumer's editor finds them.
  await expect(readFile(join(collector, 'dist/app.d.ts'), 'utf8')).resolves.toContain(
    'createCollectorApp',
  );
}, 240_000);

// Runs after the build above, so the tarballs hold dist as well as src.
it('ships no test code: no published package packs tests, contract suites or harnesses', async () => {
  const packs = join(dir, 'all-packs');
  await mkdir(packs);
  const published: string[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const name of await readdir(join(REPO_ROOT, parent))) {
      const path = join(REPO_ROOT, parent, name);
      const manifest = JSON.parse(await readFile(join(path, 'package.json'), 'utf8'));
      if (manifest.private) continue;
      published.push(manifest.name);
      await run('pnpm', ['pack', '--pack-destination', packs], { cwd: path });
    }
  }
  expect(published).toContain('@sluice/queue');
  const TEST_CODE = /\.test\.|\.contract\.|test-support|\/testing\/|serve-on-runtime/;
  const found: string[] = [];
  for (const tarball of await readdir(packs)) {
    const { stdout } = await run('tar', ['-tzf', join(packs, tarball)]);
    for (const file of stdout.split('\n'))
      if (TEST_CODE.test(file)) found.push(`${tarball}: ${file}`);
    const { stdout: packed } = await run('tar', [
      '-xzOf',
      join(packs, tarball),
      'package/package.json',
    ]);
    for (const entry of Object.keys(JSON.parse(packed).exports ?? {})) {
      if (/test/.test(entry)) found.push(`${tarball}: export ${entry}`);
    }
  }
  expect(found).toEqual([]);
}, 240_000);
