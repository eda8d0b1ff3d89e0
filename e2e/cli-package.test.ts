import { execFile } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-process.js';

// The packages as npm would get them: built, packed with their publish settings, installed
// from the tarballs into an empty project (offline, from pnpm's store), and run from there,
// where no TypeScript source or workspace link helps.

const run = promisify(execFile);
const PACKAGES = [
  'packages/schema',
  'packages/queue',
  'packages/store',
  'packages/ingest',
  'packages/tracker',
  'apps/collector',
  'apps/forwarder',
  'apps/cli',
];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-packed-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

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
