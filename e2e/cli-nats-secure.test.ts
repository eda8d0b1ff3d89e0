// `sluice collector` and `sluice forwarder` against a nats-server that demands a password and
// TLS, configured only by QUEUE_URL as docs/scale-out.md says; no output carries the password.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { type NatsTestServers, startNatsServer } from '@sluice/testkit/nats';
import { makeTestCertificates } from '@sluice/testkit/tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSluice, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

const PASSWORD = 'n0t-in-logs/@:';

let dir: string;
let nats: NatsTestServers;
let caFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-nats-'));
  const certs = await makeTestCertificates(dir);
  caFile = certs.server.caFile;
  nats = await startNatsServer({
    authorization: { user: 'sluice', password: PASSWORD },
    tls: { certFile: certs.server.certFile, keyFile: certs.server.keyFile },
  });
});
afterAll(async () => {
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const queueUrl = (password: string) =>
  `${nats.url.replace('tls://', `tls://sluice:${encodeURIComponent(password)}@`)}?shards=1&tlsCaFile=${caFile}`;

it('carries an event over a NATS stream with a password and TLS, and prints the URL without it', async () => {
  const storeDir = join(dir, 'store');
  const env = { QUEUE_URL: queueUrl(PASSWORD), SLUICE_WRITE_KEY: 'site-key' };
  const forwarder = await startSluice(['forwarder', '--store-dir', storeDir], /"ready":true/, {
    env,
  });
  const collector = await startSluice(['collector', '--port', '0'], /"url"/, { env });
  let collectorEnd: { stdout: string; stderr: string };
  try {
    const ready = JSON.parse(forwarder.stdout().split('\n')[0]!) as { queue: string };
    expect(ready.queue).toBe(nats.url.replace('tls://', 'tls://***@'));
    const { url } = JSON.parse(collector.stdout().split('\n')[0]!) as { url: string };
    const answer = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({
        writeKey: 'site-key',
        batch: [{ type: 'track', event: 'Paid', messageId: 'secure-m-1', anonymousId: 'a' }],
      }),
    });
    expect(await answer.json()).toMatchObject({ accepted: 1 });
  } finally {
    collectorEnd = await collector.stop('SIGTERM');
  }
  // Stopping writes what the forwarder holds.
  const stopped = await forwarder.stop('SIGTERM');
  expect(stopped.code, stopped.stderr).toBe(0);
  const stored = await readStoredEvents(createFsStore({ root: storeDir }), 'events/');
  expect(stored.map((line) => line.event.messageId)).toEqual(['secure-m-1']);
  for (const output of [stopped.stdout, stopped.stderr, collectorEnd.stdout, collectorEnd.stderr]) {
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(encodeURIComponent(PASSWORD));
  }
}, 120_000);

it('exits 1 naming refused credentials, without printing the password it was given', async () => {
  const wrong = 'wrong-pass-77';
  const ended = await runSluice(['forwarder', '--store-dir', join(dir, 'refused')], {
    env: { QUEUE_URL: queueUrl(wrong) },
  });
  expect(ended.code).toBe(1);
  expect(ended.stderr).toMatch(/refused the credentials/);
  expect(ended.stdout + ended.stderr).not.toContain(wrong);
}, 60_000);
