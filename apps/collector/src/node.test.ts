import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogQueue, openLogQueue } from '@sluice/queue';
import { MAX_REQUEST_BYTES } from '@sluice/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorConfigInput } from './config.js';
import {
  createNodeLogger,
  HEADERS_TIMEOUT_MS,
  type RunningCollector,
  startCollector,
} from './node.js';
import { memoryQueuePerTest, queue, queued } from './test-queue.js';
import { bodyOf, expectAccepted, shop, testConfig, trackEvent } from './test-support.js';

// Registered first so that its afterEach runs last, after the collector has closed.
memoryQueuePerTest();
let collector: RunningCollector;
beforeEach(async () => {
  collector = await startCollector({
    queue,
    config: testConfig,
    tagScript: '/* tag */',
    logger: false,
  });
});
afterEach(() => collector.close());

/** A body streamed in pieces: sent with Transfer-Encoding: chunked, no Content-Length. */
function chunked(text: string, pieceBytes = 16 * 1024): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + pieceBytes));
      offset += pieceBytes;
    },
  });
}

describe('startCollector', () => {
  it('listens on a free loopback port and serves health and the tag', async () => {
    expect(collector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${collector.url}/s.js`)).text()).toBe('/* tag */');
  });

  it('takes a beacon over HTTP and answers only after the queue holds it', async () => {
    const event = trackEvent();
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: shop.origin },
      body: JSON.stringify({ writeKey: shop.key, batch: [event] }),
    });
    await expectAccepted(res, 1);
    expect(res.headers.get('access-control-allow-origin')).toBe(shop.origin);
    expect((await queued()).map((e) => e.id)).toEqual([event.messageId]);
  });

  it('accepts a chunked body under the limit', async () => {
    const body = JSON.stringify({ writeKey: shop.key, batch: [trackEvent(), trackEvent()] });
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: chunked(body, 64),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await queued()).toHaveLength(2);
  });

  it('refuses a chunked body over the limit with 413 and queues nothing', async () => {
    const padding = 'x'.repeat(MAX_REQUEST_BYTES);
    const body = JSON.stringify({ writeKey: shop.key, batch: [trackEvent({ padding })] });
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: chunked(body),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(await queued()).toEqual([]);
  });
});

describe('startCollector against slow clients', () => {
  it('closes a connection whose headers do not arrive within HEADERS_TIMEOUT_MS', async () => {
    // Node checks for late requests every 30 s unless told otherwise: this one lived 40 s.
    const { port } = new URL(collector.url);
    const opened = Date.now();
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.on('error', () => {});
    socket.write(`POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    // One more header line a second: never the blank line that ends them.
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 1_000);
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - opened).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000);
  }, 30_000);
});

describe('startCollector operations', () => {
  async function started(config: CollectorConfigInput, lines?: string[]) {
    const logger = lines
      ? createNodeLogger({
          level: 'debug',
          destination: { write: (line: string) => lines.push(line) },
        })
      : false;
    const running = await startCollector({ queue, config, logger });
    opened.push(running);
    return running;
  }
  const opened: RunningCollector[] = [];
  afterEach(async () => {
    for (const running of opened.splice(0)) await running.close();
  });

  function beacon(url: string, headers: Record<string, string> = {}) {
    return fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: shop.origin, ...headers },
      body: JSON.stringify({ writeKey: shop.key, batch: [trackEvent()] }),
    });
  }

  it('stores the socket address anonymized: 127.0.0.1 becomes 127.0.0.0', async () => {
    const running = await started(testConfig);
    expect((await beacon(running.url)).status).toBe(200);
    expect(bodyOf((await queued())[0]!).context).toMatchObject({ ip: '127.0.0.0' });
  });

  it('ignores X-Forwarded-For unless told to trust a proxy, then takes its entry', async () => {
    const forged = { 'X-Forwarded-For': '198.51.100.7' };
    const direct = await started(testConfig);
    await beacon(direct.url, forged);
    const proxied = await started({ ...testConfig, trustProxy: 1 });
    await beacon(proxied.url, { 'X-Forwarded-For': '6.6.6.6, 198.51.100.7' });
    const ips = (await queued()).map((e) => (bodyOf(e).context as { ip: string }).ip);
    expect(ips).toEqual(['127.0.0.0', '198.51.100.0']);
  });

  it('limits by the socket address: the 429 carries Retry-After', async () => {
    const running = await started({
      ...testConfig,
      limits: { ipRate: { requestsPerSecond: 0.01, burst: 1 } },
    });
    expect((await beacon(running.url)).status).toBe(200);
    const refused = await beacon(running.url);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await queued()).toHaveLength(1);
  });

  it('limits a proxied client whose X-Forwarded-For entry carries a port, or is no address', async () => {
    // Security review 2026-12, finding 6: "198.51.100.7:4567" made 600 requests pass a
    // burst of 500 (the entry did not parse, so no limit applied at all).
    const running = await started({
      ...testConfig,
      trustProxy: 1,
      limits: { ipRate: { requestsPerSecond: 0.01, burst: 2 } },
    });
    const statuses: number[] = [];
    for (const entry of ['198.51.100.7:4567', '198.51.100.7:4568', '198.51.100.7']) {
      statuses.push((await beacon(running.url, { 'X-Forwarded-For': entry })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    // An entry that is no address falls back to the socket's peer, which has its own bucket.
    const fallback = ['unknown', '[::1', 'not-an-ip'].map((entry) =>
      beacon(running.url, { 'X-Forwarded-For': entry }).then((r) => r.status),
    );
    expect((await Promise.all(fallback)).sort()).toEqual([200, 200, 429]);
    const ips = (await queued()).map((e) => (bodyOf(e).context as { ip: string }).ip);
    expect(ips).toEqual(['198.51.100.0', '198.51.100.0', '127.0.0.0', '127.0.0.0']);
  });

  it('serves Prometheus metrics of requests, events, latency and queue depth', async () => {
    const running = await started(testConfig);
    await beacon(running.url);
    const resent = trackEvent(); // posted twice, as two tabs (or a retry) would
    for (let i = 0; i < 2; i++)
      await fetch(`${running.url}/v1/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ writeKey: shop.key, batch: [resent] }),
      });
    await fetch(`${running.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'wk_unknown', batch: [trackEvent()] }),
    });
    await fetch(`${running.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ writeKey: shop.key, batch: [{ type: 'track', messageId: '' }] }),
    });
    const res = await fetch(`${running.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain(
      'sluice_http_requests_total{route="/v1/batch",method="POST",status="200"} 4',
    );
    expect(text).toContain('sluice_http_requests_refused_total{code="unauthorized"} 1');
    expect(text).toContain('sluice_events_accepted_total{source="shop"} 3'); // copies too
    expect(text).toContain('sluice_events_repeated_total{source="shop"} 1');
    expect(text).toContain(
      'sluice_events_quarantined_total{source="shop",reason="invalid_messageId"} 1',
    );
    expect(text).toMatch(/sluice_http_request_duration_seconds_count\{route="\/v1\/batch"\} 5/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  /** A collector on an embedded log in a temp dir; all three closed after `use`. */
  async function onEmbeddedLog(
    logOptions: Omit<Parameters<typeof openLogQueue>[0], 'dir'>,
    use: (running: RunningCollector, log: LogQueue, dir: string) => Promise<void>,
  ) {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-collector-'));
    const log = await openLogQueue({ dir, ...logOptions });
    try {
      const running = await startCollector({ queue: log, config: testConfig, logger: false });
      opened.push(running);
      await use(running, log, dir);
    } finally {
      for (const running of opened.splice(0)) await running.close();
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('reports the depth of the embedded log', async () => {
    await onEmbeddedLog({ durability: 'none' }, async (running) => {
      await beacon(running.url);
      await beacon(running.url);
      const text = await (await fetch(`${running.url}/metrics`)).text();
      expect(text).toMatch(/^sluice_queue_depth 2$/m);
    });
  });

  it("counts the embedded log's fdatasync calls: one a group commit, none without fsync", async () => {
    await onEmbeddedLog({ durability: 'fsync' }, async (running) => {
      await beacon(running.url);
      await beacon(running.url);
      const text = await (await fetch(`${running.url}/metrics`)).text();
      expect(text).toMatch(/^sluice_log_syncs_total 2$/m);
    });
    await onEmbeddedLog({ durability: 'none' }, async (running) => {
      await beacon(running.url);
      const text = await (await fetch(`${running.url}/metrics`)).text();
      expect(text).toMatch(/^sluice_log_syncs_total 0$/m);
    });
  });

  it('counts the damaged bytes and ranges the embedded log skipped', async () => {
    const logOptions = { durability: 'none' as const, logDamage: () => undefined };
    await onEmbeddedLog(logOptions, async (running, log, dir) => {
      const before = await (await fetch(`${running.url}/metrics`)).text();
      expect(before).toMatch(/^sluice_log_corrupt_bytes_total 0$/m);
      for (let i = 0; i < 3; i++) await beacon(running.url);
      // One byte of the middle record flipped under the running log, then read past by a consumer.
      const path = join(dir, 'segments', '00000000000000000000.log');
      const bytes = await readFile(path);
      const second = bytes.indexOf(Buffer.from([0xff, 0x53, 0x4c, 0x32]), 1);
      const third = bytes.indexOf(Buffer.from([0xff, 0x53, 0x4c, 0x32]), second + 1);
      bytes[second + 30] = (bytes[second + 30] as number) ^ 0x01;
      await writeFile(path, bytes);
      const consumer = await log.consumer('reader');
      expect(await consumer.read(10, 0)).toHaveLength(2);
      const text = await (await fetch(`${running.url}/metrics`)).text();
      expect(text).toMatch(new RegExp(`^sluice_log_corrupt_bytes_total ${third - second}$`, 'm'));
      expect(text).toMatch(/^sluice_log_damaged_ranges_total 1$/m);
    });
  });

  it('writes JSON logs without raw client addresses or keys', async () => {
    const lines: string[] = [];
    const running = await started(testConfig, lines);
    await fetch(`${running.url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer sk_wrong_secret' },
      body: JSON.stringify({ writeKey: shop.key, batch: [trackEvent()] }),
    });
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.msg)).toEqual(['collector listening', 'request refused']);
    expect(records[1]).toMatchObject({ code: 'unauthorized', ip: '127.0.0.0', status: 401 });
    const text = lines.join('');
    expect(text).not.toContain('127.0.0.1"');
    expect(text).not.toContain('sk_wrong_secret');
    expect(text).not.toContain(shop.key);
  });

  it('answers /readyz and documents /metrics in /openapi.json', async () => {
    const running = await started(testConfig);
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    const res = await fetch(`${running.url}/openapi.json`);
    expect(((await res.json()) as { paths: object }).paths).toHaveProperty('/metrics');
  });
});
