// The many-sources suite (issue 24): a collector with 1, 10,000 and 100,000 generated sources,
// each with a write key and a secret key. Measures time to ready and memory, and at the
// largest size requests/s with a secret key (Bearer) against a write key (Basic), in turns.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuiltServers } from '../build-servers.js';
import { startServerProcess } from '../server-process.js';
import type { Settings } from '../settings.js';
import { median } from '../stats.js';

const SCRIPT = fileURLToPath(new URL('../wrk/auth.lua', import.meta.url));
export const SOURCE_COUNTS = [1, 10_000, 100_000] as const;

export interface SourcesSize {
  sources: number;
  configBytes: number;
  readyMs: number;
  /** Of readyMs: reading, JSON.parse and validating the config (loadCollectorConfig). */
  loadMs: number;
  /**
   * Once warm, each on a fresh JSON.parse: JSON.parse alone, the config's parse as it is now,
   * and zod alone on the whole config (every load before the compiled check).
   */
  jsonMs: number;
  parseMs: number;
  zodMs: number;
  baselineRss: number;
  readyRss: number;
}

export interface SourcesResults {
  sizes: SourcesSize[];
  /** At the largest size: requests/s of each turn, by key kind. */
  throughput: { sources: number; writeKey: number[]; secretKey: number[]; seconds: number };
}

/** A config of `count` sources, each with a write key and a secret key's hash. */
export function generatedConfig(count: number): string {
  const sources = Array.from({ length: count }, (_, i) => ({
    id: `site-${i}`,
    writeKeys: [`wk_site_${i}`],
    secretKeys: [`sha256:${createHash('sha256').update(`sk_site_${i}`).digest('hex')}`],
    allowedOrigins: [`https://site-${i}.example`],
  }));
  return JSON.stringify({ limits: { ipRate: null, ipEventRate: null, ipByteRate: null }, sources });
}

async function wrk(url: string, authorization: string, seconds: number): Promise<number> {
  const args = ['-t1', '-c50', `-d${seconds}s`, '-s', SCRIPT, url, '--', authorization];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${stdout}`);
  const result = JSON.parse(line.slice('BENCH_JSON '.length)) as {
    requests: number;
    durationUs: number;
    statusErrors: number;
    otherErrors: number;
  };
  // A refused key would measure 401 answers, not authentication (a socket error or two as wrk
  // stops its connections is no refusal).
  if (result.statusErrors > 0 || result.otherErrors > result.requests / 1000) {
    throw new Error(
      `${result.statusErrors + result.otherErrors} failed requests (${authorization.split(' ')[0]})`,
    );
  }
  return result.requests / (result.durationUs / 1e6);
}

export async function runSourcesSuite(
  settings: Settings,
  servers: BuiltServers,
): Promise<SourcesResults> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-sources-'));
  const sizes: SourcesSize[] = [];
  const seconds = settings.quick ? 1 : 3;
  const rounds = settings.quick ? 1 : 3;
  const throughput = { sources: 0, writeKey: [] as number[], secretKey: [] as number[], seconds };
  try {
    for (const count of SOURCE_COUNTS) {
      const file = join(dir, `sources-${count}.json`);
      const text = generatedConfig(count);
      await writeFile(file, text);
      const server = await startServerProcess(
        servers.entry('many-sources'),
        { file },
        {
          label: `many-sources-${count}`,
          nodeFlags: ['--expose-gc'],
        },
      );
      try {
        const values = await server.values();
        sizes.push({
          sources: count,
          configBytes: Buffer.byteLength(text),
          readyMs: Number(values.readyMs),
          loadMs: Number(values.loadMs),
          jsonMs: Number(values.jsonMs),
          parseMs: Number(values.parseMs),
          zodMs: Number(values.zodMs),
          baselineRss: Number(values.baselineRss),
          readyRss: Number(values.readyRss),
        });
        console.log(
          `${count} sources: ready in ${Math.round(Number(values.readyMs))} ms (load ${Math.round(Number(values.loadMs))} ms); ` +
            `warm: JSON.parse ${Math.round(Number(values.jsonMs))} ms, parse ${Math.round(Number(values.parseMs))} ms, zod alone ${Math.round(Number(values.zodMs))} ms`,
        );
        if (count !== SOURCE_COUNTS[SOURCE_COUNTS.length - 1]) continue;
        // A source in the middle: neither first nor last in any list.
        const i = Math.floor(count / 2);
        const basic = `Basic ${Buffer.from(`wk_site_${i}:`).toString('base64')}`;
        throughput.sources = count;
        await wrk(`${server.url}/v1/batch`, basic, 1); // warm-up
        for (let round = 0; round < rounds; round++) {
          throughput.writeKey.push(await wrk(`${server.url}/v1/batch`, basic, seconds));
          throughput.secretKey.push(
            await wrk(`${server.url}/v1/batch`, `Bearer sk_site_${i}`, seconds),
          );
        }
        console.log(
          `write key ${Math.round(median(throughput.writeKey))} req/s, secret key ${Math.round(median(throughput.secretKey))} req/s`,
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { sizes, throughput };
}
