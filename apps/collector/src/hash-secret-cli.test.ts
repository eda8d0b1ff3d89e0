import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createAdminSecretCheck } from './admin-secret-hash.js';
import { hashSecretKey } from './secret-keys.js';

// The real script, as `pnpm --filter @sluice/collector hash-secret` runs it.
const script = new URL('./hash-secret-cli.ts', import.meta.url).pathname;
const run = (args: string[], input: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { input, encoding: 'utf8' });

const CHOSEN = 'a passphrase of my own, long enough to count';

describe('hash-secret', () => {
  it('refuses a secret on the command line, where ps and the shell history would show it', () => {
    const answer = run([CHOSEN], '');
    expect(answer.status).toBe(2);
    expect(answer.stderr).toContain('on stdin, never as an argument');
    expect(answer.stdout).toBe('');
  });

  it('refuses a short secret with a clear message', () => {
    const answer = run(['--admin'], 'hunter2\n');
    expect(answer.status).toBe(2);
    expect(answer.stderr).toMatch(/at least 32 characters \(it has 7\)/);
  });

  it('hashes an admin secret from stdin with scrypt, and a secret key with sha256', async () => {
    const admin = run(['--admin'], `${CHOSEN}\n`);
    expect(admin.status).toBe(0);
    const stored = admin.stdout.trim();
    expect(stored).toMatch(/^scrypt:/);
    expect(await createAdminSecretCheck(stored)(CHOSEN)).toBe(true);
    const key = run([], `${CHOSEN}\n`);
    expect(key.stdout.trim()).toBe(await hashSecretKey(CHOSEN));
  }, 30_000);
});
