import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { makeTestCertificates, type TestCertificates } from '@sluice/testkit/tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSluice, startSluice } from './cli-process.js';

// `sluice collector --tls-cert --tls-key`: HTTPS, and a renewed certificate taken on SIGHUP
// without dropping connections. Certificates are throwaway ones made by openssl.

let dir: string;
let first: TestCertificates;
let second: TestCertificates;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-collector-tls-'));
  await mkdir(join(dir, 'a'));
  await mkdir(join(dir, 'b'));
  [first, second] = await Promise.all([
    makeTestCertificates(join(dir, 'a')),
    makeTestCertificates(join(dir, 'b')),
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const fingerprintOf = async (file: string) =>
  new X509Certificate(await readFile(file)).fingerprint256;

/** GET `path` through `agent`: the status, the certificate seen and whether the socket was reused. */
function get(url: string, agent: Agent) {
  return new Promise<{ status: number; fingerprint: string; reused: boolean }>(
    (resolve, reject) => {
      const req = request(`${url}/healthz`, { agent }, (res) => {
        // Read before the end: the agent takes the socket back then.
        const { fingerprint256 } = (res.socket as TLSSocket).getPeerCertificate();
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            fingerprint: fingerprint256,
            reused: req.reusedSocket,
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

it('serves HTTPS and takes a renewed certificate on SIGHUP, keeping open connections', async () => {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await copyFile(first.server.certFile, certFile);
  await copyFile(first.server.keyFile, keyFile);
  const collector = await startSluice(
    [
      'collector',
      '--port',
      '0',
      '--queue',
      'memory:',
      '--tls-cert',
      certFile,
      '--tls-key',
      keyFile,
    ],
    /"url":"https:/,
  );
  try {
    const url = /"url":"(https:[^"]+)"/.exec(collector.stdout())![1]!;
    const ca = [first.ca, second.ca];
    const kept = new Agent({ keepAlive: true, maxSockets: 1, ca });
    const before = await get(url, kept);
    expect(before).toMatchObject({ status: 200, reused: false });
    expect(before.fingerprint).toBe(await fingerprintOf(first.server.certFile));

    await copyFile(second.server.certFile, certFile);
    await copyFile(second.server.keyFile, keyFile);
    collector.signal('SIGHUP');
    await expect
      .poll(() => collector.stdout(), { timeout: 20_000 })
      .toContain('tls certificate reloaded');

    const fresh = new Agent({ keepAlive: false, ca });
    const after = await get(url, fresh);
    expect(after.status).toBe(200);
    expect(after.fingerprint).toBe(await fingerprintOf(second.server.certFile));
    // The connection opened before the reload still answers, on its old certificate.
    const again = await get(url, kept);
    expect(again).toMatchObject({ status: 200, reused: true, fingerprint: before.fingerprint });
    kept.destroy();
    fresh.destroy();
  } finally {
    const stopped = await collector.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
  }
}, 60_000);

it('serves HTTPS from the config file: tls.certFile and tls.keyFile beside it (sluice start)', async () => {
  const etc = join(dir, 'etc');
  await mkdir(etc);
  await copyFile(first.server.certFile, join(etc, 'cert.pem'));
  await copyFile(first.server.keyFile, join(etc, 'key.pem'));
  const config = join(etc, 'sluice.config.json');
  await writeFile(
    config,
    JSON.stringify({
      sources: [{ id: 'shop', writeKeys: ['wk_shop'] }],
      tls: { certFile: 'cert.pem', keyFile: 'key.pem' },
    }),
  );
  const data = join(dir, 'data');
  // Started from another folder: the config's relative paths are from its own.
  const started = await startSluice(
    ['start', '--config', config, '--data-dir', data, '--port', '0'],
    /Press Ctrl\+C to stop/,
    { cwd: tmpdir() },
  );
  try {
    const url = /demo page\s+(https:\/\/127\.0\.0\.1:\d+)\/demo/.exec(started.stdout())?.[1];
    expect(url, started.stdout()).toBeDefined();
    const agent = new Agent({ keepAlive: false, ca: [first.ca] });
    const answer = await get(url!, agent);
    expect(answer.status).toBe(200);
    expect(answer.fingerprint).toBe(await fingerprintOf(first.server.certFile));
    agent.destroy();
  } finally {
    const stopped = await started.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).toBe(0);
  }
}, 60_000);

it('refuses to start when the config names a tls file that is not there, naming it', async () => {
  const config = join(dir, 'missing-key.json');
  await writeFile(
    config,
    JSON.stringify({
      sources: [{ id: 'shop', writeKeys: ['wk_shop'] }],
      tls: { certFile: first.server.certFile, keyFile: 'nowhere/key.pem' },
    }),
  );
  const failed = await runSluice([
    'start',
    '--config',
    config,
    '--data-dir',
    join(dir, 'data-missing'),
    '--port',
    '0',
  ]);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(`cannot read the TLS key ${join(dir, 'nowhere/key.pem')}`);
}, 60_000);
