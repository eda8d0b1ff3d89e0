// Child processes of the delivery-modes benchmark: started with tsx, ready when they print a
// JSON line with `ready`, stopped with SIGTERM (clean) or killed with SIGKILL (a crash).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { BENCH_DIR } from './paths.js';

export interface NodeProcess {
  /** The collector's URL (empty for a forwarder). */
  readonly url: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `script` (relative to bench/) with `env` added and waits for its ready line. */
export async function startNodeProcess(
  script: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL(script, `file://${BENCH_DIR}`).pathname, ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const event = JSON.parse(line) as { ready?: boolean; url?: string };
      if (event.ready) resolve(event.url ?? '');
    });
    void exited.then(() => reject(new Error(`${script} exited before it was ready:\n${stderr}`)));
  });
  return {
    url,
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A port that was free a moment ago, so a restarted node keeps its URL. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
