// The scale-out tests' shared setup: one NATS server and a scratch directory per test file,
// and the env of forwarder processes sharing the shards of one stream on it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsTestServers, startNatsServer } from '@sluice/testkit/nats';
import { afterAll, beforeAll } from 'vitest';

export interface NatsTestSetup {
  /** Running from before the file's first test. */
  readonly servers: NatsTestServers;
  /** The file's scratch directory, removed after its last test. */
  readonly dir: string;
  /** A stream of 4 shards with 2 s leases, a store directory, and forwarder processes' env. */
  shardedForwarders(fileAgeMs: string): {
    queueUrl: string;
    storeDir: string;
    forwarderEnv: Record<string, string>;
  };
}

/** Registers the hooks; `beforeStop` runs after the last test, before the server stops. */
export function natsTestSetup(
  dirPrefix: string,
  beforeStop: () => Promise<void> = async () => {},
): NatsTestSetup {
  let servers: NatsTestServers | undefined;
  let dir = '';
  beforeAll(async () => {
    servers = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), dirPrefix));
  });
  afterAll(async () => {
    await beforeStop();
    await servers?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const setup: NatsTestSetup = {
    get servers() {
      if (!servers) throw new Error('the NATS server runs only while the tests do');
      return servers;
    },
    get dir() {
      return dir;
    },
    shardedForwarders(fileAgeMs) {
      const queueUrl = `${setup.servers.url}?shards=4&leaseTtlMs=2000`;
      const storeDir = join(dir, 'store');
      const forwarderEnv = {
        QUEUE_URL: queueUrl,
        SLUICE_STORE_DIR: storeDir,
        SLUICE_FILE_AGE_MS: fileAgeMs,
      };
      return { queueUrl, storeDir, forwarderEnv };
    },
  };
  return setup;
}
