import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordFigures, secondsSince, testFile } from './reliability-figures.js';
import { openSlowConnection, request } from './reliability-http.js';
import {
  type SluiceProcess,
  startSluiceProcess,
  writeCollectorConfig,
} from './reliability-process.js';

// Clients that try to make the collector hold memory or sockets: bodies announced or streamed
// past the limit, compressed bombs, and slowloris connections that send headers or a body a
// byte at a time. Limits must hold before anything is buffered, the process must stay small
// and alive, and honest clients must be served throughout.

const MAX_REQUEST_BYTES = 512_000;
let dir: string;
let sluice: SluiceProcess;
const started = Date.now();
const figures: Record<string, string | number | boolean> = {};
let tried = 0;
let serverErrors = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-limits-'));
  sluice = await startSluiceProcess({
    QUEUE_URL: `log:${join(dir, 'queue')}`,
    SLUICE_CONFIG: await writeCollectorConfig(dir, {
      limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
      sources: [{ id: 'limits', writeKeys: ['limits-key'], allowedOrigins: ['*'] }],
    }),
    RELIABILITY_STORE_DIR: join(dir, 'store'),
    RELIABILITY_STATE_DIR: join(dir, 'state'),
  });
});
afterAll(async () => {
  await sluice?.kill();
  await rm(dir, { recursive: true, force: true });
});

/** Peak resident memory of the collector process so far, in MiB (Linux). */
async function peakMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let honestId = 0;
async function honestRequest(): Promise<number> {
  const answer = await request(`${sluice.url}/v1/batch`, {
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({
      writeKey: 'limits-key',
      batch: [
        { type: 'track', event: 'Honest', messageId: `honest-${honestId++}`, anonymousId: 'a' },
      ],
    }),
  });
  return answer.status;
}

const head = (port: string, headers: string[]) =>
  ['POST /v1/batch HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Content-Type: text/plain', ...headers]
    .join('\r\n')
    .concat('\r\n\r\n');

it('refuses a body announced over the limit at once, before a byte of it is sent', async () => {
  const connection = await openSlowConnection(sluice.url);
  await connection.write(head(new URL(sluice.url).port, ['Content-Length: 10000000000']));
  const status = await connection.answered;
  tried++;
  connection.destroy();
  figures['announced 10 GB: answer'] = status;
  expect(status).toBe(413);
});

it('stops a streamed (chunked) body at the limit instead of reading it all', async () => {
  const connection = await openSlowConnection(sluice.url);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const frame = Buffer.concat([
    Buffer.from(`${chunk.length.toString(16)}\r\n`),
    chunk,
    Buffer.from('\r\n'),
  ]);
  await connection.write(head(new URL(sluice.url).port, ['Transfer-Encoding: chunked']));
  const offered = 256 * 1024 * 1024;
  let answered: number | undefined;
  void connection.answered.then((status) => {
    answered = status;
  });
  // Writes wait for the socket to drain: a server that stopped reading stops the writer too.
  while (answered === undefined && connection.written < offered) {
    const wrote = await Promise.race([
      connection.write(frame),
      connection.answered.then(() => false),
    ]);
    if (!wrote) break;
  }
  const status = await connection.answered;
  tried++;
  const sentMiB = Math.round(connection.written / 1024 / 102.4) / 10;
  connection.destroy();
  figures['chunked body of 256 MiB offered: answer'] = status;
  figures['chunked body: MiB sent before the answer'] = sentMiB;
  expect(status).toBe(413);
  expect(connection.written).toBeLessThan(offered);
});

it('stops gzip bombs at the limit: 413 for each, memory stays small', async () => {
  const before = await peakMiB(sluice.pid!);
  // 200 MB of zeros in about 200 KB: under the compressed limit, 400 times over inflated.
  const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
  expect(bomb.length).toBeLessThan(MAX_REQUEST_BYTES);
  const statuses = await Promise.all(
    Array.from({ length: 10 }, () =>
      request(`${sluice.url}/v1/batch`, {
        headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
        body: bomb,
      }).then((a) => a.status),
    ),
  );
  tried += statuses.length;
  const after = await peakMiB(sluice.pid!);
  figures['gzip bombs (200 MB inflated each, 10 at once): answers'] = [...new Set(statuses)].join(
    ' ',
  );
  figures['gzip bombs: compressed KB each'] = Math.round(bomb.length / 1024);
  figures['peak memory of the collector before / after the bombs (MiB)'] =
    `${Math.round(before)} / ${Math.round(after)}`;
  expect(statuses).toEqual(Array(10).fill(413));
  // Inflating them whole would take 2 GB.
  expect(after - before).toBeLessThan(200);
});

it('closes slowloris connections in bounded time and serves honest clients meanwhile', async () => {
  const port = new URL(sluice.url).port;
  const opened = Date.now();
  // Half send their headers a line at a time and never finish; half send a whole header and
  // then a body of 1,000 bytes one byte at a time.
  const slowHeaders = await Promise.all(
    Array.from({ length: 25 }, () => openSlowConnection(sluice.url)),
  );
  const slowBodies = await Promise.all(
    Array.from({ length: 25 }, () => openSlowConnection(sluice.url)),
  );
  for (const c of slowHeaders)
    await c.write(`POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
  for (const c of slowBodies) await c.write(head(port, ['Content-Length: 1000']));
  const all = [...slowHeaders, ...slowBodies];
  let open = all.length;
  for (const c of all) void c.closed.then(() => open--);
  const honest: number[] = [];
  let line = 0;
  while (open > 0 && Date.now() - opened < 120_000) {
    line++;
    await Promise.all([
      ...slowHeaders.map((c) => c.write(`X-Slow-${line}: ${'a'.repeat(10)}\r\n`)),
      ...slowBodies.map((c) => c.write('x')),
    ]);
    honest.push(await honestRequest());
    await sleep(1_000);
  }
  tried += all.length + honest.length;
  const closes = await Promise.all(all.map((c) => c.closed));
  const lifetimes = closes.map((c) => Math.round((c.atMs - opened) / 100) / 10);
  const headerLifetimes = lifetimes.slice(0, slowHeaders.length);
  const bodyLifetimes = lifetimes.slice(slowHeaders.length);
  serverErrors += closes.filter((c) => (c.status ?? 0) >= 500).length;
  serverErrors += honest.filter((s) => s >= 500).length;
  figures['slowloris connections (25 slow headers + 25 slow bodies)'] = all.length;
  figures['slow headers: longest lifetime (s)'] = Math.max(...headerLifetimes);
  figures['slow bodies: longest lifetime (s)'] = Math.max(...bodyLifetimes);
  figures['slowloris answers'] = [...new Set(closes.map((c) => c.status ?? 'closed'))].join(' ');
  figures['honest requests during the attack: answered 200'] =
    `${honest.filter((s) => s === 200).length} of ${honest.length}`;
  expect(open).toBe(0);
  // Headers within 10 s, the whole request within 30 s (README), checked every second or so.
  expect(Math.max(...headerLifetimes)).toBeLessThan(20);
  expect(Math.max(...bodyLifetimes)).toBeLessThan(45);
  expect(closes.every((c) => c.status === undefined || c.status === 408)).toBe(true);
  expect(honest.every((s) => s === 200)).toBe(true);
}, 180_000);

it('is the same process, alive, after all of it', async () => {
  const health = await request(`${sluice.url}/healthz`, { method: 'GET' });
  const crashes = sluice.starts - 1 + (health.status === 200 ? 0 : 1);
  await recordFigures('resource-limits', {
    title: 'Resource limits: oversized bodies, bombs, slowloris',
    file: testFile(import.meta.url),
    what:
      'Against one collector + forwarder process: a body announced as 10 GB, a chunked body of ' +
      '256 MiB streamed as fast as the server reads, 10 concurrent gzip bombs (200 MB of zeros ' +
      'each), and 50 slowloris connections (headers or body a byte at a time) while an honest ' +
      'client sends a request a second.',
    inputs: { tried, serverErrors, crashes },
    details: figures,
    seconds: secondsSince(started),
  });
  expect(health.status).toBe(200);
  expect(crashes).toBe(0);
  expect(serverErrors).toBe(0);
});
