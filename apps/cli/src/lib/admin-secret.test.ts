import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminSecretIn } from './admin-secret.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-admin-secret-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the admin secret of sluice start', () => {
  it('makes a generated secret once and keeps it', async () => {
    const first = await adminSecretIn(dir);
    expect(first.secret).toMatch(/^adm_[\w-]{43}$/);
    expect((await adminSecretIn(dir)).secret).toBe(first.secret);
  });

  it('refuses a short secret someone wrote into the file, saying what to do', async () => {
    await writeFile(join(dir, 'admin-secret'), 'letmein\n');
    await expect(adminSecretIn(dir)).rejects.toThrow(
      /admin-secret: the admin secret must have at least 32 characters .* delete the file/,
    );
  });
});
