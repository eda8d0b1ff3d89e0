// @vitest-environment node
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let outdir: string;
let output: string;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'sluice-tracker-build-'));
  const run = await promisify(execFile)('node', ['build.mjs', '--outdir', outdir], {
    cwd: packageDir,
  });
  output = run.stdout;
}, 30_000);
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe('build.mjs', () => {
  it('keeps the script-tag build within its 2,048-byte min+gzip budget and reports sizes', async () => {
    const sizes = JSON.parse(await readFile(join(outdir, 'sizes.json'), 'utf8'));
    for (const file of ['sluice.js', 'index.js']) {
      expect(sizes[file]).toEqual({
        raw: expect.any(Number),
        min: expect.any(Number),
        gzip: expect.any(Number),
        brotli: expect.any(Number),
      });
      expect(output).toContain(file);
    }
    expect(sizes['sluice.js'].gzip).toBeLessThanOrEqual(2048);
    expect(sizes['sluice.js'].min).toBe((await readFile(join(outdir, 'sluice.js'))).length);
  });

  it('bundles no zod and no eval into the tag, and defines one global', async () => {
    const tag = await readFile(join(outdir, 'sluice.js'), 'utf8');
    expect(tag).not.toMatch(/zod|\beval\(|new Function/);
    expect(tag.match(/\.sluice\s*=/g)).toHaveLength(1);
    expect(tag).toContain('65536'); // MAX_BEACON_BYTES, inlined from @sluice/schema/limits
  });

  it('publishes ESM with createTracker and types that need no other package', async () => {
    const esm = await readFile(join(outdir, 'index.js'), 'utf8');
    expect(esm).toMatch(/export\s*{\s*createTracker\s*}/);
    const declarations = (await readdir(outdir)).filter((f) => f.endsWith('.d.ts'));
    expect(declarations).toContain('index.d.ts');
    for (const file of declarations) {
      const text = await readFile(join(outdir, file), 'utf8');
      for (const [, from] of text.matchAll(/from '([^']+)'/g)) expect(from).toMatch(/^\.\//);
      for (const [, from] of text.matchAll(/from '\.\/(.+)\.js'/g)) {
        expect(declarations).toContain(`${from}.d.ts`);
      }
    }
    const index = await readFile(join(outdir, 'index.d.ts'), 'utf8');
    expect(index).toMatch(/createTracker/);
    expect(index).toMatch(/TrackerEvent/);
  });
});
