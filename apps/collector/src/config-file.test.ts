import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from './config-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const shop = { sources: [{ id: 'shop', writeKeys: ['wk_shop'] }] };

describe('loadCollectorConfig', () => {
  it('without any config, serves the demo source: key demo-key, any origin', async () => {
    const { config, from } = await loadCollectorConfig({ cwd: dir, env: {} });
    expect(config.sources.map((s) => [s.id, s.writeKeys, s.allowedOrigins])).toEqual([
      ['demo', ['demo-key'], ['*']],
    ]);
    expect(from).toBe('the built-in demo source');
  });

  it('takes the demo key and origins from SLUICE_WRITE_KEY and SLUICE_ALLOWED_ORIGINS', async () => {
    const { config } = await loadCollectorConfig({
      cwd: dir,
      env: {
        SLUICE_WRITE_KEY: 'k1',
        SLUICE_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      },
    });
    expect(config.sources[0]?.writeKeys).toEqual(['k1']);
    expect(config.sources[0]?.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('reads ./sluice.config.json when present, and the file SLUICE_CONFIG names first', async () => {
    await writeFile(join(dir, 'sluice.config.json'), JSON.stringify(shop));
    expect((await loadCollectorConfig({ cwd: dir, env: {} })).config.sources[0]?.id).toBe('shop');

    await writeFile(
      join(dir, 'other.json'),
      JSON.stringify({ sources: [{ id: 'other', writeKeys: ['k'] }] }),
    );
    const loaded = await loadCollectorConfig({ cwd: dir, env: { SLUICE_CONFIG: 'other.json' } });
    expect(loaded.config.sources[0]?.id).toBe('other');
    expect(loaded.from).toBe(join(dir, 'other.json'));
  });

  it('applies SLUICE__ overrides on top of the file', async () => {
    await writeFile(join(dir, 'sluice.config.json'), JSON.stringify(shop));
    const { config, from } = await loadCollectorConfig({
      cwd: dir,
      env: { SLUICE__sources__shop__allowedOrigins: '["https://shop.example"]' },
    });
    expect(config.sources[0]?.allowedOrigins).toEqual(['https://shop.example']);
    expect(from).toMatch(/with SLUICE__\* overrides$/);
  });

  it('names the file and every problem when the config is wrong', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ sources: [{ id: 'Shop', writeKeys: [] }] }));
    const error = await loadCollectorConfig({ cwd: dir, env: { SLUICE_CONFIG: path } }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`${path}: invalid collector config:`);
    expect((error as Error).message).toContain('sources.0.id: id must be a slug');
    expect((error as Error).message).toContain('sources.0.writeKeys: a source needs at least one');
  });

  it('names the file when it is not JSON, or missing', async () => {
    await writeFile(join(dir, 'sluice.config.json'), '{ "sources": [');
    await expect(loadCollectorConfig({ cwd: dir, env: {} })).rejects.toThrow(
      /sluice\.config\.json is not valid JSON/,
    );
    await expect(
      loadCollectorConfig({ cwd: dir, env: { SLUICE_CONFIG: 'missing.json' } }),
    ).rejects.toThrow(/ENOENT.*missing\.json/);
  });

  it("takes the tls files from the config, relative paths from the file's folder", async () => {
    await mkdir(join(dir, 'etc'));
    const path = join(dir, 'etc', 'sluice.json');
    await writeFile(
      path,
      JSON.stringify({ ...shop, tls: { certFile: 'cert.pem', keyFile: '/k/key.pem' } }),
    );
    // Run from another folder: the paths still mean the files beside the config.
    const { config } = await loadCollectorConfig({ cwd: tmpdir(), env: { SLUICE_CONFIG: path } });
    expect(config.tls).toEqual({ certFile: join(dir, 'etc', 'cert.pem'), keyFile: '/k/key.pem' });
  });

  it('refuses a tls section without its key, or with a field it does not know', async () => {
    const path = join(dir, 'tls.json');
    await writeFile(path, JSON.stringify({ ...shop, tls: { certFile: 'cert.pem', cert: 'x' } }));
    const error = await loadCollectorConfig({ cwd: dir, env: { SLUICE_CONFIG: path } }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toContain(
      'tls.keyFile: keyFile must be the path of a PEM file',
    );
    expect((error as Error).message).toMatch(/tls[.:].*cert/);
    await writeFile(path, JSON.stringify({ ...shop, tls: { certFile: ' ', keyFile: 'key.pem' } }));
    await expect(loadCollectorConfig({ cwd: dir, env: { SLUICE_CONFIG: path } })).rejects.toThrow(
      'tls.certFile: certFile must be the path of a PEM file',
    );
  });
});
