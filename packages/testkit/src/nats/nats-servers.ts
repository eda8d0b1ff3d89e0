// Real nats-server processes on 127.0.0.1 for tests and benchmarks: one node, or a
// 3-node JetStream cluster. Each node can be killed (SIGKILL, by pid) and restarted on
// the same ports and store directory, as after a machine failure.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts } from '../net/ports.js';
import { authorizationBlock, type NatsServerOptions, tlsBlock } from './nats-server-config.js';

export { accepts } from '../net/ports.js';

export type { NatsServerOptions };

/** Where Debian's nats-server package installs it (scripts/ensure-system-deps.sh). */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export interface NatsNode {
  readonly name: string;
  /** Client URL, `nats://127.0.0.1:<port>` (`tls://localhost:<port>` when the node demands TLS). */
  readonly url: string;
  readonly monitorUrl: string;
  /** Pid of the running process (undefined while killed). */
  readonly pid: number | undefined;
  /** SIGKILL: no flush, no goodbye to the cluster. */
  kill(): Promise<void>;
  /**
   * Starts the node again with the same ports and store, and waits until it answers (it may
   * still be catching up with the cluster, as a real restarted node would).
   */
  restart(): Promise<void>;
}

export interface NatsTestServers {
  readonly nodes: readonly NatsNode[];
  /** Every node's client URL, comma-separated: what a client's `servers` takes. */
  readonly url: string;
  /** The directory holding every node's JetStream store (to look at what is on disk). */
  readonly dir: string;
  /** Stops every node and removes the store directories. */
  stop(): Promise<void>;
}

interface NodeSpec {
  name: string;
  port: number;
  monitorPort: number;
  args: string[];
  /** `tls` when the node demands TLS. */
  scheme?: 'nats' | 'tls';
}

const running = new Set<ChildProcess>();
// A test runner that exits without afterAll must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One JetStream node in a temp directory, open to anyone unless `options` say otherwise. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsTestServers> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-nats-'));
  const [port, monitorPort] = await freePorts(2);
  const config = join(dir, 'n1.conf');
  await writeFile(
    config,
    `listen: 127.0.0.1:${port}
http: 127.0.0.1:${monitorPort}
jetstream { store_dir: ${JSON.stringify(join(dir, 'store'))} }
${authorizationBlock(options.authorization)}${tlsBlock(options.tls)}${options.config ?? ''}
`,
  );
  const spec: NodeSpec = {
    name: 'n1',
    port: port!,
    monitorPort: monitorPort!,
    args: ['-c', config],
    scheme: options.tls ? 'tls' : 'nats',
  };
  return startNodes([spec], dir, false);
}

/** A JetStream cluster of `size` nodes on loopback, ready for replicated streams. */
export async function startNatsCluster(size = 3): Promise<NatsTestServers> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-nats-cluster-'));
  const ports = await freePorts(size * 3);
  const routePorts = ports.slice(size * 2);
  const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(', ');
  const specs: NodeSpec[] = [];
  for (let i = 0; i < size; i++) {
    const name = `n${i + 1}`;
    const port = ports[i]!;
    const monitorPort = ports[size + i]!;
    const config = join(dir, `${name}.conf`);
    await writeFile(
      config,
      `server_name: ${name}
listen: 127.0.0.1:${port}
http: 127.0.0.1:${monitorPort}
jetstream { store_dir: "${join(dir, name)}" }
cluster { name: sluice, listen: 127.0.0.1:${routePorts[i]}, routes: [${routes}] }
`,
    );
    specs.push({ name, port, monitorPort, args: ['-c', config] });
  }
  return startNodes(specs, dir, true);
}

async function startNodes(
  specs: NodeSpec[],
  dir: string,
  clustered: boolean,
): Promise<NatsTestServers> {
  const nodes = specs.map((spec) => createNode(spec, clustered));
  try {
    await Promise.all(nodes.map((node) => node.start(true)));
    if (clustered) await waitForMetaLeader(nodes);
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes,
    url: nodes.map((node) => node.url).join(','),
    dir,
    async stop() {
      await Promise.all(nodes.map((node) => node.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function createNode(
  spec: NodeSpec,
  clustered: boolean,
): NatsNode & { start(requireHealthy: boolean): Promise<void> } {
  let child: ChildProcess | undefined;
  let log = '';
  const monitorUrl = `http://127.0.0.1:${spec.monitorPort}`;
  return {
    name: spec.name,
    // The client checks a certificate against a host name only (an IP is checked as "localhost").
    url: spec.scheme === 'tls' ? `tls://localhost:${spec.port}` : `nats://127.0.0.1:${spec.port}`,
    monitorUrl,
    get pid() {
      return child?.pid;
    },
    async kill() {
      const current = child;
      child = undefined;
      if (!current || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
      running.delete(current);
    },
    restart() {
      return this.start(false);
    },
    async start(requireHealthy: boolean) {
      if (child) throw new Error(`${spec.name} is already running`);
      log = '';
      const started = spawn(NATS_SERVER_BIN, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      running.add(started);
      const keep = (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-4000);
      };
      started.stdout?.on('data', keep);
      started.stderr?.on('data', keep);
      started.once('exit', () => running.delete(started));
      await waitUntil(
        async () => {
          if (started.exitCode !== null) {
            throw new Error(`${spec.name} exited (${started.exitCode}):\n${log}`);
          }
          // A cluster node answers healthz only once JetStream caught up with its peers.
          const health = await getJson(`${monitorUrl}/healthz`);
          const ready =
            health?.status === 'ok' || ((!clustered || !requireHealthy) && health !== undefined);
          // nats-server serves its monitor before it accepts clients (JetStream starts between):
          // a client that came in that moment was refused once in CI.
          return ready && (await accepts(spec.port));
        },
        // Generous: other test suites may be loading the machine.
        45_000,
        () => `${spec.name} did not become healthy:\n${log}`,
      );
    },
  };
}

/** A replicated stream can only be placed once the cluster has a meta leader. */
async function waitForMetaLeader(nodes: NatsNode[]): Promise<void> {
  await waitUntil(
    async () => {
      const infos = await Promise.all(nodes.map((node) => getJson(`${node.monitorUrl}/jsz`)));
      return infos.every((info) => {
        const meta = info?.meta_cluster as { leader?: string; cluster_size?: number } | undefined;
        return Boolean(meta?.leader) && (meta?.cluster_size ?? 0) >= nodes.length;
      });
    },
    45_000,
    () => 'the cluster elected no JetStream meta leader',
  );
}

async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return (await response.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Ports that were free a moment ago (the OS picks them; a clash is unlikely, not impossible). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
