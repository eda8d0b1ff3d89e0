// A real mosquitto broker on 127.0.0.1 for tests: its own config, password file, ACL and
// persistence directory in a temp dir. It can be stopped (SIGTERM: it saves its persistence
// file) and started again on the same port with the same sessions.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { accepts, freePort } from '../net/ports.js';

export { freePort } from '../net/ports.js';

const run = promisify(execFile);

/** Where Debian's mosquitto package installs it (scripts/ensure-system-deps.sh). */
export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD_BIN = process.env.MOSQUITTO_PASSWD_BIN ?? '/usr/bin/mosquitto_passwd';

export interface MosquittoOptions {
  /** user name -> password; without users anonymous clients are allowed. */
  users?: Record<string, string>;
  /** The ACL file's text (mosquitto's `acl_file` syntax); without it every user may do anything. */
  acl?: string;
  /**
   * TLS on the listener (`mqtts://`). With `requireClientCertificate` a client needs a
   * certificate from the CA, and its subject CN is its user name (the ACL's `%u`).
   */
  tls?: { caFile: string; certFile: string; keyFile: string; requireClientCertificate?: boolean };
  /** More configuration lines. */
  extraConfig?: string[];
}

export interface MosquittoBroker {
  /** `mqtt://127.0.0.1:<port>`, or `mqtts://` with TLS. */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** The broker's log so far (for failure messages). */
  log(): string;
  /** SIGTERM and wait: mosquitto writes its persistence file on the way out. */
  stop(): Promise<void>;
  /** Starts again on the same port and persistence directory. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a broker and waits until it accepts connections. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  await access(MOSQUITTO_BIN).catch(() => {
    throw new Error(`${MOSQUITTO_BIN} is missing: run scripts/ensure-system-deps.sh`);
  });
  const dir = await mkdtemp(join(tmpdir(), 'sluice-mosquitto-'));
  const port = await freePort();
  const { tls } = options;
  const lines = [
    `listener ${port} 127.0.0.1`,
    ...(tls ? [`cafile ${tls.caFile}`, `certfile ${tls.certFile}`, `keyfile ${tls.keyFile}`] : []),
    ...(tls?.requireClientCertificate
      ? ['require_certificate true', 'use_identity_as_username true']
      : []),
    // Started as root, mosquitto would switch to the user "mosquitto", who cannot read the temp dir.
    `user ${userInfo().username}`,
    'persistence true',
    `persistence_location ${dir}/`,
    // The default (1000) drops what passes it while a persistent client is away.
    'max_queued_messages 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
  ];
  const users = Object.entries(options.users ?? {});
  if (users.length === 0) {
    lines.push('allow_anonymous true');
  } else {
    const passwordFile = join(dir, 'passwords');
    await writeFile(passwordFile, '', { mode: 0o600 });
    for (const [user, password] of users) {
      await run(MOSQUITTO_PASSWD_BIN, ['-b', passwordFile, user, password]);
    }
    lines.push('allow_anonymous false', `password_file ${passwordFile}`);
  }
  if (options.acl !== undefined) {
    const aclFile = join(dir, 'acl');
    await writeFile(aclFile, options.acl, { mode: 0o600 });
    lines.push(`acl_file ${aclFile}`);
  }
  lines.push(...(options.extraConfig ?? []));
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(configFile, `${lines.join('\n')}\n`);

  let child: ChildProcess | undefined;
  let log = '';
  const broker: MosquittoBroker = {
    url: `${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    log: () => log,
    async start() {
      if (child) throw new Error('mosquitto is already running');
      const started = spawn(MOSQUITTO_BIN, ['-c', configFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      running.add(started);
      const keep = (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-8000);
      };
      started.stdout?.on('data', keep);
      started.stderr?.on('data', keep);
      started.once('exit', () => running.delete(started));
      const deadline = Date.now() + 30_000;
      while (!(await accepts(port))) {
        if (started.exitCode !== null) {
          child = undefined;
          throw new Error(`mosquitto exited (${started.exitCode}):\n${log}`);
        }
        if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      const current = child;
      child = undefined;
      if (!current || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGTERM');
      await exited;
    },
    async close() {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await broker.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return broker;
}
