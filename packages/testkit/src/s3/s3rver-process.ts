import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
const EXIT_WITH_PARENT = fileURLToPath(new URL('./exit-with-parent.cjs', import.meta.url));

export interface S3rverProcess {
  child: ChildProcess;
  port: number;
  /** Settles when the process has exited (its port is free again). */
  exited: Promise<void>;
}

/**
 * Starts the s3rver CLI as a child process on 127.0.0.1 and resolves once it answers
 * HTTP. Port 0 picks a free port; the one it got is returned so a restart can reuse it.
 */
export async function spawnS3rver(options: {
  directory: string;
  port: number;
  bucket: string;
}): Promise<S3rverProcess> {
  const cli = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const args = ['-d', options.directory, '-a', HOST, '-p', String(options.port), '--silent'];
  const child = spawn(
    process.execPath,
    ['--require', EXIT_WITH_PARENT, cli, ...args, '--configure-bucket', options.bucket],
    {
      // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only
      // has in its legacy provider: without it pagination answers 500 (ENVIRONMENT.md).
      // The test process's own NODE_OPTIONS (loaders and such) must not reach s3rver.
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await readListeningPort(child);
    await waitUntilAnswering(`http://${HOST}:${port}/`);
    // Let the test process exit on its own; the preload then takes the server down.
    // Keep draining output so the server never blocks on a full pipe.
    child.unref();
    child.channel?.unref();
    for (const stream of [child.stdout, child.stderr]) {
      stream?.resume();
      (stream as Socket | null)?.unref();
    }
    return { child, port, exited };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

/** Waits for the CLI's "S3rver listening on 127.0.0.1:PORT" line. */
function readListeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail('did not start in time'), READY_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(`exited with code ${code}`);
    function fail(reason: string) {
      cleanup();
      reject(new Error(`s3rver ${reason}: ${stderr.trim() || stdout.trim()}`));
    }
    function cleanup() {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onStdout);
      child.stderr?.off('data', onStderr);
    }
    function onStdout(chunk: Buffer) {
      stdout += chunk.toString();
      const match = /listening on [^\s:]+:(\d+)/.exec(stdout);
      if (!match) return;
      cleanup();
      resolve(Number(match[1]));
    }
    function onStderr(chunk: Buffer) {
      stderr += chunk.toString();
    }
    child.stdout?.on('data', onStdout);
    child.stderr?.on('data', onStderr);
    child.once('exit', onExit);
  });
}

async function waitUntilAnswering(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
