import { createHash } from 'node:crypto';
import { DEFAULT_TAG_PATHS, describeTagScript } from '@sluice/collector';
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

  it('prints the script tag pinned to the served bytes: versioned URL and their SHA-384', async () => {
    const script = 'window.sluice=1;';
    const identity = await describeTagScript(script);
    const banner = startBanner({ ...FACTS, tag: { identity, paths: DEFAULT_TAG_PATHS } });
    const hash = createHash('sha384').update(script).digest();
    expect(banner).toContain(
      `<script async src="${FACTS.url}/s.${hash.toString('hex').slice(0, 12)}.js" integrity="sha384-${hash.toString('base64')}" crossorigin="anonymous" data-key="demo-key"></script>`,
    );
    expect(banner).toContain('sluice tag --base https://your.site');
  });
});
