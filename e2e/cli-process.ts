// Runs the real `sluice` command in child processes, from any working directory: the CLI's
// entry bundled once for the e2e run (e2e/entry-bundles.ts), else under tsx as `pnpm sluice`.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { entryCommand } from './entry-bundles.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Finished {
  code: number | null;
  /** The signal that ended the process, when one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** The command line that runs `sluice` from this checkout's source (bundled in an e2e run). */
export const SLUICE_FROM_SOURCE: readonly string[] = entryCommand('cli', 'bin');

interface SluiceRun {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Another `sluice` to run: an installed one, or one under a wrapper (default: from source). */
  command?: readonly string[];
}

function sluiceProcess(args: readonly string[], options: SluiceRun) {
  const [program, ...prefix] = options.command ?? SLUICE_FROM_SOURCE;
  const child = spawn(program!, [...prefix, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    // As typed in a shell, not run by a package script (which changes what `start` prints).
    env: { ...process.env, npm_lifecycle_event: undefined, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const output = collectOutput(child);
  const finished = new Promise<Finished>((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, ...output() });
    }),
  );
  return { child, finished, output };
}

/** Runs `sluice <args>` to its end. */
export function runSluice(
  args: readonly string[],
  options: SluiceRun & { stdin?: string } = {},
): Promise<Finished> {
  const { child, finished } = sluiceProcess(args, options);
  child.stdin.end(options.stdin ?? '');
  return finished;
}

/** Starts a long-running `sluice <args>` and waits until its stdout matches `ready`. */
export async function startSluice(args: readonly string[], ready: RegExp, options: SluiceRun = {}) {
  const { child, finished, output } = sluiceProcess(args, options);
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (ready.test(output().stdout)) resolve();
    };
    child.stdout.on('data', check);
    void finished.then((end) =>
      reject(
        new Error(`sluice ${args[0]} exited (${end.code}) before it was ready:\n${end.stderr}`),
      ),
    );
  });
  return {
    pid: child.pid,
    stdout: () => output().stdout,
    /** Sends `signal` (Ctrl+C is SIGINT) and waits for the exit. */
    async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<Finished> {
      if (child.exitCode === null) child.kill(signal);
      return finished;
    },
    /** Sends `signal` without waiting. */
    signal(signal: NodeJS.Signals): void {
      if (child.exitCode === null) child.kill(signal);
    },
    finished,
  };
}

/** The JSON lines a command printed (its stdout), parsed. */
export function jsonLines<T = unknown>(stdout: string): T[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}

/** What a child process printed so far, on stdout and stderr, as text. */
export function collectOutput(child: {
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
}): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return () => ({ stdout, stderr });
}

/** The collector URL `sluice start` prints in its banner (the demo page's origin). */
export function demoUrl(stdout: string): string | undefined {
  return /demo page\s+(http:\/\/127\.0\.0\.1:\d+)\/demo/.exec(stdout)?.[1];
}

/** Posts `batch` with the demo write key to `sluice start`'s collector, as its demo page does. */
export function postDemoBatch(
  stdout: string,
  batch: Record<string, unknown>[],
  fields: Record<string, unknown> = {},
): Promise<Response> {
  return fetch(`${demoUrl(stdout)}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ writeKey: 'demo-key', ...fields, batch }),
  });
}
