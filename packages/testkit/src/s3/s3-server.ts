import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type S3rverProcess, spawnS3rver } from './s3rver-process.js';

export interface S3ServerOptions {
  /** Bucket created at start. Default "sluice". */
  bucket?: string;
}

export interface S3Server {
  /** Base URL, e.g. `http://127.0.0.1:40123`; the same across stop() and start(). */
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Spread into `new S3Client(...)` or `createS3Store({ bucket, ...clientConfig })`. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    forcePathStyle: true;
  };
  /** Where s3rver keeps the objects; it survives stop(), start() and kill(). */
  directory: string;
  /** Process id of the running server, undefined while it is stopped. */
  readonly pid: number | undefined;
  /** Starts the server again on the same port and data directory (a no-op if running). */
  start(): Promise<void>;
  /** Stops the server gracefully; the data stays for a later start(). */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would; start() may follow. */
  kill(): void;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const DIR_PREFIX = 'sluice-s3rver-';
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts a real S3-compatible server (s3rver, as a child process) on 127.0.0.1 and a
 * free port, with an empty bucket, for tests. The server dies with the process that
 * started it, however that one ends. Data directories of test processes that ended
 * without close() are removed by the next startS3Server().
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const bucket = options.bucket ?? 'sluice';
  await removeDirectoriesOfEndedProcesses();
  const directory = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  let running: S3rverProcess;
  try {
    running = await spawnS3rver({ directory, port: 0, bucket });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const { port } = running;
  const endpoint = `http://127.0.0.1:${port}`;
  // The latest server process; `stopping` once stop() or kill() asked it to go.
  let current: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping = false;
  function track(next: S3rverProcess): void {
    current = next.child;
    exited = next.exited.then(() => {
      if (current === next.child) current = undefined;
    });
    stopping = false;
  }
  track(running);

  async function stop(): Promise<void> {
    const child = current;
    if (!child) return;
    stopping = true;
    // The child is unref'd; hold the event loop open until its exit has been seen.
    child.ref();
    const forceKill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(forceKill);
  }

  return {
    endpoint,
    bucket,
    credentials: CREDENTIALS,
    clientConfig: { endpoint, region: 'us-east-1', credentials: CREDENTIALS, forcePathStyle: true },
    directory,
    get pid() {
      return current?.pid;
    },
    async start() {
      if (current && !stopping) return;
      // After kill() the old process may still be releasing the port.
      await exited;
      track(await spawnS3rver({ directory, port, bucket }));
    },
    stop,
    kill() {
      if (!current) return;
      stopping = true;
      current.ref();
      current.kill('SIGKILL');
    },
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Test processes often end by a signal, with no chance to clean up: sweep after them. */
async function removeDirectoriesOfEndedProcesses(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => []);
  await Promise.all(
    names.map(async (name) => {
      const owner = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1];
      if (owner && !isAlive(Number(owner))) {
        await rm(join(tmpdir(), name), { recursive: true, force: true });
      }
    }),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
