import { describe, expect, it } from 'vitest';
import {
  ADMIN_SECRET_HASH,
  adminSecretProblem,
  createAdminSecretCheck,
  hashAdminSecret,
} from './admin-secret-hash.js';
import { parseCollectorConfig } from './config.js';
import { hashSecretKey } from './secret-keys.js';
import { testSources } from './test-support.js';

const CHOSEN = 'correct horse battery staple, twice over';

describe('the admin secret hash', () => {
  it('stores a chosen secret with scrypt and a random salt, and checks it', async () => {
    const stored = await hashAdminSecret(CHOSEN);
    expect(stored).toMatch(/^scrypt:ln=15,r=8,p=3:[\w-]{22}:[\w-]{43}$/);
    expect(stored).toMatch(ADMIN_SECRET_HASH);
    expect(await hashAdminSecret(CHOSEN)).not.toBe(stored);
    const check = createAdminSecretCheck(stored);
    const answers = await Promise.all([check(CHOSEN), check(`${CHOSEN}!`), check('')]);
    expect(answers).toEqual([true, false, false]);
  }, 20_000);

  it('keeps checking sha256 hashes of generated secrets', async () => {
    const secret = 'adm_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
    const check = createAdminSecretCheck(await hashSecretKey(secret));
    expect([await check(secret), await check(secret.slice(0, -1))]).toEqual([true, false]);
  });

  it('refuses in the config a hash that is neither, or scrypt settings that cost too much', async () => {
    const stored = await hashAdminSecret(CHOSEN);
    const config = (secretHash: string) => () =>
      parseCollectorConfig({ sources: testSources, admin: { secretHash } });
    expect(config(stored)).not.toThrow();
    expect(config(stored.replace('ln=15', 'ln=22'))).toThrow(/admin\.secretHash: .*scrypt/);
    expect(config(CHOSEN)).toThrow(/admin\.secretHash: the admin secret is stored as its hash/);
  }, 20_000);

  it('refuses admin secrets shorter than generated ones would be', () => {
    expect(adminSecretProblem('hunter2')).toMatch(/at least 32 characters \(it has 7\)/);
    expect(adminSecretProblem(CHOSEN)).toBeUndefined();
  });
});
