import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_WRITE_KEY } from '../events/segment-event.js';

const SCRIPT = fileURLToPath(new URL('./batch.lua', import.meta.url));

export interface WrkLoad {
  /** Full URL, e.g. http://127.0.0.1:1234/v1/batch. */
  url: string;
  /** Events per request. */
  batch: number;
  durationSeconds: number;
  connections: number;
  /** The event templates, one per line with @ID@ and @TS@ slots (see build-servers.ts). */
  templatePath: string;
  /** Makes every messageId of this run unique across runs. */
  idPrefix: string;
  /** Hold the load near this many requests/s instead of saturating (closed loop with think time). */
  rate?: number;
}

/** What wrk's done() reported; latencies in µs. */
export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  /** Answers with a status of 400 or above. */
  statusErrors: number;
  timeouts: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
}

/** Requests per second of a wrk run. */
export function requestsPerSecond(result: WrkResult): number {
  return result.requests / (result.durationUs / 1e6);
}

/** All errors wrk counted (connect, read, write, status >= 400, timeout). */
export function errorCount(result: WrkResult): number {
  return (
    result.connectErrors +
    result.readErrors +
    result.writeErrors +
    result.statusErrors +
    result.timeouts
  );
}

/**
 * How many connections, and how long each waits between requests, give about `rate`
 * requests/s: about 100 ms of think time per connection (less above 2,560 req/s), so the
 * latency of a server that is not saturated (a few ms) moves the rate by a few percent only.
 */
export function pacing(rate: number): { connections: number; delayMs: number } {
  const connections = Math.max(1, Math.min(256, Math.round(rate / 10)));
  return { connections, delayMs: Math.max(1, Math.round((connections * 1000) / rate)) };
}

/** Runs wrk (one thread: the other core is the server's) and returns its summary. */
export async function runWrk(load: WrkLoad): Promise<WrkResult> {
  const paced = load.rate === undefined ? undefined : pacing(load.rate);
  const connections = paced?.connections ?? load.connections;
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${load.durationSeconds}s`,
    '--timeout',
    '10s',
    '-s',
    SCRIPT,
    load.url,
    '--',
    load.templatePath,
    String(load.batch),
    BENCH_WRITE_KEY,
    load.idPrefix,
    String(paced?.delayMs ?? 0),
  ];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) {
    throw new Error(`wrk ${args.join(' ')} failed (exit ${code}):\n${stdout}\n${stderr}`);
  }
  return JSON.parse(line.slice('BENCH_JSON '.length)) as WrkResult;
}
