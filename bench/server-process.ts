// The harness side of protocol.ts: starts a bundled server entry in its own Node process and
// talks to it over IPC.

import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildMessage, ChildValues, ParentMessage } from './protocol.js';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 60_000;

export interface ServerProcessOptions {
  /**
   * Names the process in errors and its CPU profiles: `<label>.cpuprofile` for the main
   * thread, `<label>-thread<id>.cpuprofile` for each worker thread.
   */
  label: string;
  /** When set, the child runs with --cpu-prof and writes its profile into this directory. */
  cpuProfileDir?: string;
  /** More flags for the child's node (e.g. V8's heap settings). */
  nodeFlags?: string[];
  /** Another node binary to run it on (the harness's own by default). */
  execPath?: string;
}

/** A server running in a child process. */
export interface ServerProcess {
  label: string;
  pid: number;
  /** Base URL of the server ('' for servers without HTTP). */
  url: string;
  /** The child's counters now (its own, plus maxRssBytes and cpuMs). */
  values(): Promise<ChildValues>;
  /** Resident set size now, read from /proc (no round trip to the child's event loop). */
  rssBytes(): number;
  /** Stops the server gracefully and returns its final counters. */
  stop(): Promise<ChildValues>;
  /** Kills it at once (cleanup after a failure). */
  kill(): void;
}

/** Forks `entry` (a bundled .mjs from build-servers.ts) with `config` as JSON in argv[2]. */
export async function startServerProcess(
  entry: string,
  config: unknown,
  options: ServerProcessOptions,
): Promise<ServerProcess> {
  // Node's own profile names (CPU.<date>.<time>.<pid>.<thread id>.<seq>), renamed after exit:
  // with --cpu-prof-name every worker thread would write the one name, the last one kept.
  const threadsDir = options.cpuProfileDir
    ? join(options.cpuProfileDir, `${options.label}.threads`)
    : undefined;
  const execArgv = threadsDir ? ['--cpu-prof', '--cpu-prof-dir', threadsDir] : [];
  const child = fork(entry, [JSON.stringify(config)], {
    execArgv: [...execArgv, ...(options.nodeFlags ?? [])],
    execPath: options.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: Array<{ type: ChildMessage['type']; resolve: (m: ChildMessage) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let failure: Error | undefined;
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'failed') {
      failure = new Error(`${options.label} failed: ${message.message}`);
      return;
    }
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(message);
  });

  function expect<T extends ChildMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.label}: no '${type}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.push({
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as Extract<ChildMessage, { type: T }>);
        },
      });
      exited.then((code) => {
        clearTimeout(timer);
        reject(failure ?? new Error(`${options.label} exited (code ${code}) before '${type}'`));
      });
    });
  }

  function ask(message: ParentMessage): void {
    if (child.connected) child.send(message);
  }

  const ready = await expect('ready', START_TIMEOUT_MS).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    label: options.label,
    pid: child.pid!,
    url: ready.url,
    async values() {
      const answer = expect('values', STOP_TIMEOUT_MS);
      ask({ type: 'values' });
      return (await answer).values;
    },
    rssBytes: () => readRssBytes(child),
    async stop() {
      const answer = expect('stopped', STOP_TIMEOUT_MS);
      ask({ type: 'stop' });
      try {
        const { values } = await answer;
        await exited;
        if (threadsDir) await nameThreadProfiles(threadsDir, options.label);
        return values;
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
    },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Moves the profiles out of `dir` as `<label>.cpuprofile` (main) and `<label>-thread<id>`. */
async function nameThreadProfiles(dir: string, label: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const thread = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(name)?.[1];
    if (thread === undefined) continue;
    const named = thread === '0' ? `${label}.cpuprofile` : `${label}-thread${thread}.cpuprofile`;
    await rename(join(dir, name), join(dir, '..', named));
  }
  await rm(dir, { recursive: true, force: true });
}

/** VmRSS of a child from /proc (Linux), 0 when it is gone. */
function readRssBytes(child: ChildProcess): number {
  try {
    const status = readFileSync(join('/proc', String(child.pid), 'status'), 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib ? Number(kib) * 1024 : 0;
  } catch {
    return 0;
  }
}
