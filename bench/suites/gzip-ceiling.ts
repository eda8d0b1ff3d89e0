// The forwarder's ceiling: zlib alone gzipping the drain's NDJSON at the forwarder's level, in a
// process of its own. Run in the harness, the 141 MB of NDJSON would stay in its RSS, and each
// drain forked after it starts with that peak (Linux's ru_maxrss counts the parent's pages a
// child was forked with).

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openLogReader } from '@sluice/queue';

/** The forwarder's gzip level (apps/forwarder/src/formats/gzip.ts). */
export const GZIP_LEVEL = 6;
const RUNS = 2;

/** zlib alone on the drain's NDJSON, at the forwarder's level: what no forwarder can beat. */
export interface GzipCeiling {
  level: number;
  /** NDJSON in per CPU-second of `gzipSync` on one thread, the better of two runs. */
  mbPerCpuSecond: number;
  ratio: number;
}

/** Measures the ceiling for the log in `queueDir` in a child process. */
export function measureGzipCeiling(queueDir: string): Promise<GzipCeiling> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [queueDir], { execArgv: process.execArgv });
    child.once('message', (message: GzipCeiling) => resolve(message));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`gzip ceiling exited with ${code}`));
    });
  });
}

/** The log's bodies as the NDJSON the files hold, in one buffer. */
async function ndjsonOf(queueDir: string): Promise<Buffer> {
  const reader = openLogReader(queueDir);
  const { first, next } = await reader.range();
  const bodies: Uint8Array[] = [];
  let bytes = 0;
  for await (const batch of reader.read(first, next)) {
    for (const entry of batch) {
      bodies.push(entry.body);
      bytes += entry.body.byteLength + 1;
    }
  }
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const body of bodies) {
    out.set(body, at);
    out[at + body.byteLength] = 0x0a;
    at += body.byteLength + 1;
  }
  return out;
}

async function main(queueDir: string): Promise<void> {
  const ndjson = await ndjsonOf(queueDir);
  let best: GzipCeiling = { level: GZIP_LEVEL, mbPerCpuSecond: 0, ratio: 0 };
  for (let run = 0; run < RUNS; run++) {
    const before = process.cpuUsage();
    const out = gzipSync(ndjson, { level: GZIP_LEVEL, chunkSize: 256 * 1024 });
    const cpu = process.cpuUsage(before);
    const mbPerCpuSecond = ndjson.byteLength / 1e6 / ((cpu.user + cpu.system) / 1e6);
    if (mbPerCpuSecond > best.mbPerCpuSecond) {
      best = { level: GZIP_LEVEL, mbPerCpuSecond, ratio: ndjson.byteLength / out.byteLength };
    }
  }
  process.send?.(best, undefined, undefined, () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  await main(process.argv[2] ?? '');
}
