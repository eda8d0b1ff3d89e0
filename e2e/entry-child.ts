// An entry (such as `sluice`, see e2e/entry-bundles.ts) run in a child process, as the e2e tests
// start the forwarder and the MQTT bridge alike: killed with the test run, the tail of its
// stderr kept for errors.
import { type ChildProcess, spawn } from 'node:child_process';

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface EntryChild {
  readonly child: ChildProcess;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  /** The last 4,000 characters it wrote to stderr. */
  stderr(): string;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `command` with `args`, `env` over this process's environment, stdout and stderr piped. */
export function spawnEntry(
  command: readonly string[],
  env: Record<string, string>,
  args: readonly string[] = [],
): EntryChild {
  const [program, ...prefix] = command;
  const child = spawn(program!, [...prefix, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = stderrTail(child);
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null) child.kill(name);
    await exited;
  };
  return {
    child,
    exited,
    stderr,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}

/** Keeps the last 4,000 characters `child` writes to stderr, for the errors it ends in. */
function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  return () => tail;
}
