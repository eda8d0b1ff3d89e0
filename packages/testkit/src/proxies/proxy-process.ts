// A reverse proxy (nginx, Caddy) run for a test: a program with a config file in a temp dir,
// on a loopback port, unprivileged, stopped with the test. Shared by nginx.ts and caddy.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { accepts } from '../net/ports.js';

export interface RunningProxy {
  /** `http://127.0.0.1:<port>`: the site's origin as the browser sees it. */
  readonly origin: string;
  readonly port: number;
  /** What the program printed so far (for failure messages). */
  log(): string;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Spawns `bin args` and waits until it accepts connections on `port` of 127.0.0.1. */
export async function runProxy(options: {
  name: string;
  bin: string;
  args: string[];
  port: number;
  dir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<RunningProxy> {
  const { name, port, dir } = options;
  const child = spawn(options.bin, options.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`${name} did not listen on ${port} (exit ${child.exitCode}):\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { origin: `http://127.0.0.1:${port}`, port, log: () => log, close };
}
