// A sluice child process (e2e/reliability-pipeline-main.ts) that the reliability tests kill
// with SIGKILL by pid and start again on the same port, data and state.

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { entryCommand } from './entry-bundles.js';

export interface SluiceProcess {
  /** Process id of the running child, undefined while it is down. */
  readonly pid: number | undefined;
  /** Its base URL; the same port across restarts. */
  readonly url: string;
  /** How many times it was started. */
  readonly starts: number;
  /** Every line it wrote to stdout and stderr (its logs, when a log level is set). */
  readonly output: string[];
  /** Starts it again (after kill or stop) and waits until it answers. */
  start(): Promise<void>;
  /** SIGKILL: no chance to flush, upload or acknowledge anything. */
  kill(): Promise<void>;
  /** SIGTERM: closes the collector, uploads what the forwarder holds, exits. */
  stop(): Promise<void>;
  /** Asks the process whether any built-in prototype or global changed since it started. */
  probe(): Promise<{ pid: number; poisoning: string | null }>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Writes a collector config file for SLUICE_CONFIG and returns its path. */
export async function writeCollectorConfig(dir: string, config: unknown): Promise<string> {
  const path = join(dir, `sluice-config-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, JSON.stringify(config));
  return path;
}

/** Starts `reliability-pipeline-main.ts` with `env` (see its header) and waits until it is ready. */
export async function startSluiceProcess(env: Record<string, string>): Promise<SluiceProcess> {
  const [program, ...prefix] = entryCommand('reliability-pipeline', 'reliability-pipeline-main');
  const output: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let url = '';
  let port = env.PORT ?? '0';
  let starts = 0;

  async function launch(): Promise<void> {
    const next = spawn(program!, prefix, {
      env: { ...process.env, ...env, PORT: port },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    children.add(next);
    child = next;
    starts++;
    exited = new Promise<void>((resolve) => next.once('exit', () => resolve())).then(() => {
      children.delete(next);
      if (child === next) child = undefined;
    });
    createInterface({ input: next.stderr! }).on('line', (line) => output.push(line));
    const ready = new Promise<string>((resolve, reject) => {
      createInterface({ input: next.stdout! }).on('line', (line) => {
        output.push(line);
        if (!line.startsWith('{"ready":true')) return;
        resolve((JSON.parse(line) as { url: string }).url);
      });
      void exited.then(() =>
        reject(new Error(`sluice process exited before it was ready:\n${output.join('\n')}`)),
      );
    });
    url = await ready;
    port = new URL(url).port;
  }

  async function signal(name: NodeJS.Signals): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  }

  await launch();
  return {
    get pid() {
      return child?.pid;
    },
    get url() {
      return url;
    },
    get starts() {
      return starts;
    },
    output,
    async start() {
      await exited;
      // The port may linger for a moment after a kill; try again briefly.
      for (let attempt = 1; ; attempt++) {
        try {
          return await launch();
        } catch (error) {
          if (attempt >= 5 || !output.some((line) => line.includes('EADDRINUSE'))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
    probe() {
      const running = child;
      if (!running) return Promise.reject(new Error('the process is not running'));
      return new Promise((resolve) => {
        running.once('message', (answer) => resolve(answer as { pid: number; poisoning: null }));
        running.send('probe');
      });
    },
  };
}
