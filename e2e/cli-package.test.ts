import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoUrl, postDemoBatch, REPO_ROOT, startSluice } from './cli-process.js';
import { packInstall } from './pack-install.js';
import { readStoredEvents } from './read-store.js';

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
  // The same script the container image runs (deploy/Dockerfile).
  const project = join(dir, 'project');
  const sluice = await packInstall(project);
  const tarballs = await readdir(join(project, 'tarballs'));
  const expected = [...workspacePackages().values()]
    .filter((entry) => PACKAGES.includes(entry.path))
    .map(
      ({ manifest }) =>
        `${String(manifest.name).slice(1).replace('/', '-')}-${manifest.version}.tgz`,
    );
  expect(tarballs.sort()).toEqual(expected.sort());
  for (const tarball of tarballs) {
    const { stdout } = await run('tar', [
      '-xzOf',
      join(project, 'tarballs', tarball),
      'package/package.json',
    ]);
    const manifest = JSON.parse(stdout);
    expect(manifest.license, tarball).toBe('MIT');
    expect(manifest.files, tarball).toContain('dist');
  }
  // pnpm puts a package's dependencies beside it, in the store's folder of the package.
  const collector = join(await realpath(join(project, 'node_modules/@sluice/cli')), '../collector');
  const packed = JSON.parse(await readFile(join(collector, 'package.json'), 'utf8'));
  expect(packed.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });

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

// Runs after the install above: the command the container image starts (deploy/Dockerfile).
it('runs `sluice start` from the install: an event sent lands in a file', async () => {
  const project = join(dir, 'project');
  const data = join(dir, 'data');
  const started = await startSluice(
    ['start', '--data-dir', data, '--port', '0', '--file-age-ms', '200'],
    /Press Ctrl\+C to stop/,
    // Not in the project, whose sluice.config.json (above) has no demo source.
    { cwd: dir, command: [join(project, 'node_modules/.bin/sluice')] },
  );
  // The packed tag is served: the demo page works from an install.
  const tag = await fetch(`${demoUrl(started.stdout())}/s.js`);
  expect(tag.status).toBe(200);
  const sent = await postDemoBatch(started.stdout(), [
    { type: 'track', event: 'Installed', messageId: 'packed-1', anonymousId: 'a-1' },
  ]);
  expect(await sent.json()).toMatchObject({ accepted: 1 });
  expect((await started.stop('SIGTERM')).code).toBe(0);
  const stored = await readStoredEvents(createFsStore({ root: join(data, 'store') }), 'events/');
  expect(stored.map((line) => line.event.messageId)).toEqual(['packed-1']);
}, 120_000);

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
  const TEST_CODE = /\.test\.|\.contract\.|\/test-[\w-]+\.|\/testing\/|serve-on-runtime/;
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
