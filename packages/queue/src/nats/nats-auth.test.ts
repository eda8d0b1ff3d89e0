// Credentials and TLS against real nats-server processes that demand them, through the URL
// every entry point takes (QUEUE_URL).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { makeNatsOperator, type NatsTestServers, startNatsServer } from '@sluice/testkit/nats';
import { makeTestCertificates, type TestCertificates } from '@sluice/testkit/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../open-queue.js';

const PASSWORD = 'pa:ss@w/rd';
const TOKEN = 'tok-3f9a1c';

let dir: string;
const started: NatsTestServers[] = [];
const start = async (...args: Parameters<typeof startNatsServer>) => {
  const servers = await startNatsServer(...args);
  started.push(servers);
  return servers;
};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-nats-auth-'));
});
afterAll(async () => {
  await Promise.all(started.map((servers) => servers.stop()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `nats://host` with user info put in. */
const withUserInfo = (url: string, userInfo: string) => url.replace('://', `://${userInfo}@`);

let streams = 0;
/** Opens the queue at `url`, appends an event and reads it back as a forwarder would. */
async function roundTrip(url: string, params = ''): Promise<string[]> {
  streams++;
  const queue = await openQueue(`${url}?shards=1&stream=A${streams}${params}`);
  try {
    await queue.append([
      {
        id: `m${streams}`,
        source: 'web',
        time: Date.UTC(2026, 11, 1),
        kind: 'event',
        body: new TextEncoder().encode('{"event":"Signed Up"}'),
      },
    ]);
    const consumer = await queue.consumer('forwarder');
    const entries = await consumer.read(10, 5_000);
    await consumer.ack(entries);
    await consumer.close();
    return entries.map((entry) => entry.id);
  } finally {
    await queue.close();
  }
}

async function failure(url: string): Promise<string> {
  const error = await openQueue(url).then(
    async (queue) => {
      await queue.close();
      return new Error('opened');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).not.toBe('opened');
  return (error as Error).message;
}

describe('NATS credentials', () => {
  let userServer: NatsTestServers;
  beforeAll(async () => {
    userServer = await start({ authorization: { user: 'sluice', password: PASSWORD } });
  });

  it('refuses to open a server that demands credentials without them, and says which', async () => {
    const message = await failure(userServer.url);
    expect(message).toMatch(/demands credentials/);
    expect(message).toMatch(/Authorization Violation/);
  });

  it('names wrong credentials as refused, without repeating the password', async () => {
    const url = withUserInfo(userServer.url, `sluice:${encodeURIComponent('wrong-secret')}`);
    const message = await failure(url);
    expect(message).toMatch(/refused the credentials/);
    expect(message).not.toContain('wrong-secret');
  });

  it('publishes and consumes with the user and password of the URL (percent-encoded)', async () => {
    const url = withUserInfo(userServer.url, `sluice:${encodeURIComponent(PASSWORD)}`);
    expect(await roundTrip(url)).toEqual([`m${streams}`]);
  });

  it('publishes and consumes with a token as the user info', async () => {
    const servers = await start({ authorization: { token: TOKEN } });
    expect(await roundTrip(withUserInfo(servers.url, TOKEN))).toEqual([`m${streams}`]);
  });

  it('publishes and consumes with an NKey seed file, and is refused with an unknown key', async () => {
    const user = createUser();
    const servers = await start({ authorization: { nkeys: [user.getPublicKey()] } });
    const seedFile = join(dir, 'user.nk');
    await writeFile(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
    expect(await roundTrip(servers.url, `&nkeySeedFile=${seedFile}`)).toEqual([`m${streams}`]);

    const stranger = join(dir, 'stranger.nk');
    await writeFile(stranger, new TextDecoder().decode(createUser().getSeed()));
    const message = await failure(`${servers.url}?nkeySeedFile=${stranger}`);
    expect(message).toMatch(/refused the credentials/);
  });

  it('publishes and consumes with a creds file in operator mode, and refuses a foreign one', async () => {
    const operator = await makeNatsOperator();
    const servers = await start({ config: operator.config });
    const credsFile = join(dir, 'collector.creds');
    await writeFile(credsFile, operator.creds);
    expect(await roundTrip(servers.url, `&credsFile=${credsFile}`)).toEqual([`m${streams}`]);

    const foreign = join(dir, 'foreign.creds');
    await writeFile(foreign, operator.foreignCreds);
    expect(await failure(`${servers.url}?credsFile=${foreign}`)).toMatch(/refused the credentials/);
    expect(await failure(servers.url)).toMatch(/demands credentials/);
  });
});

describe('NATS over TLS', () => {
  let certs: TestCertificates;
  let otherCa: TestCertificates;
  let tlsServer: NatsTestServers;
  beforeAll(async () => {
    certs = await makeTestCertificates(await mkdtemp(join(dir, 'ca-')));
    otherCa = await makeTestCertificates(await mkdtemp(join(dir, 'other-ca-')));
    tlsServer = await start({
      tls: { certFile: certs.server.certFile, keyFile: certs.server.keyFile },
    });
  });

  it('publishes and consumes over tls:// with the CA that signed the server', async () => {
    expect(tlsServer.url).toMatch(/^tls:/);
    const params = `&tlsCaFile=${certs.server.caFile}`;
    expect(await roundTrip(tlsServer.url, params)).toEqual([`m${streams}`]);
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const message = await failure(`${tlsServer.url}?tlsCaFile=${otherCa.server.caFile}`);
    expect(message).toMatch(/certificate did not verify/);
  });

  it('never falls back to plain TCP when tls:// names a server without TLS', async () => {
    const plain = await start();
    const message = await failure(plain.url.replace('nats://', 'tls://'));
    expect(message).toMatch(/TLS was demanded .* offers none/);
    // A CA file demands TLS as well, whatever the scheme.
    expect(await failure(`${plain.url}?tlsCaFile=${certs.server.caFile}`)).toMatch(/offers none/);
  });

  it('presents a client certificate to a server that verifies clients, and credentials on top', async () => {
    const servers = await start({
      tls: { ...certs.server, verify: true },
      authorization: { token: TOKEN },
    });
    const client = await certs.client('collector');
    const files = `tlsCaFile=${certs.server.caFile}&tlsCertFile=${client.certFile}&tlsKeyFile=${client.keyFile}`;
    const url = withUserInfo(servers.url, TOKEN);
    expect(await roundTrip(url, `&${files}`)).toEqual([`m${streams}`]);
    // Without the client certificate the server ends the handshake.
    const message = await failure(`${url}?tlsCaFile=${certs.server.caFile}`);
    expect(message).toMatch(/demands a client certificate/);
    expect(message).not.toContain(TOKEN);
  });
});
