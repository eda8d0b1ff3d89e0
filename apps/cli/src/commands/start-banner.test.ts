import { describe, expect, it } from 'vitest';
import { type BannerFacts, startBanner } from './start-banner.js';

const FACTS: BannerFacts = {
  url: 'http://127.0.0.1:8080',
  configFrom: 'the built-in demo source',
  writeKey: 'demo-key',
  sourceId: 'demo',
  adminSecret: 'adm_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
  adminSecretFile: '/srv/data/admin-secret',
  showSecret: true,
  storeDir: '/srv/data/store',
  storeWhere: '/srv/data/store',
  queue: 'log:/srv/data/queue',
  fileAgeMs: 120_000,
  cli: 'sluice',
};

describe('startBanner', () => {
  it('shows the admin secret on a terminal, with the file that keeps it', () => {
    expect(startBanner(FACTS)).toContain(
      `admin secret: ${FACTS.adminSecret}  (kept in /srv/data/admin-secret)`,
    );
  });

  it('names only the file when stdout is a log, never the secret', () => {
    const banner = startBanner({ ...FACTS, showSecret: false });
    expect(banner).not.toContain(FACTS.adminSecret!);
    expect(banner).toContain(
      'admin secret: in /srv/data/admin-secret (readable by its owner only)',
    );
  });
});
