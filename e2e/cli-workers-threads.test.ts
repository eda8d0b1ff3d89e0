import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogQueue } from '@sluice/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUrl, jsonLines, startSluice } from './cli-process.js';
import { requestOnNewConnection } from './workers-support.js';

// What only the main thread of `--workers N` has must still reach every collector thread: the
// forwarder's readiness (/readyz), the process's metrics (/metrics) and SIGHUP (signals are
// delivered to the main thread only). Each request goes on a new connection, so the kernel
// spreads them over both threads; every answer must speak for the whole process.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-workers-threads-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const batch = (writeKey: string, n: number) =>
  JSON.stringify({
    writeKey,
    batch: [{ type: 'track', event: 'Threaded', messageId: `t-${n}`, anonymousId: 'a' }],
  });

/** The sum of a metric's samples whose labels include every one of `labels`. */
function sampleSum(text: string, name: string, labels: string[] = []): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((label) => line.includes(label))) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** The URL of `sluice collector`'s ready line (the threads' own log lines are JSON too). */
function collectorUrl(stdout: string): string {
  const ready = stdout.split('\n').filter((line) => line.startsWith('{"collector"'));
  return jsonLines<{ url: string }>(ready.join('\n'))[0]!.url;
}

describe('sluice start --workers 2', () => {
  it('answers /metrics for the whole process (every thread, the forwarder) and /readyz with the forwarder readiness, on every thread', async () => {
    const dataDir = join(dir, 'start');
    const sluice = await startSluice(
      ['start', '--data-dir', dataDir, '--port', '0', '--workers', '2', '--file-age-ms', '200'],
      /Press Ctrl\+C to stop/,
      { env: { SLUICE_UNREADY_AFTER_MS: '0' } },
    );
    try {
      const url = demoUrl(sluice.stdout())!;
      const posts = 30;
      for (let n = 0; n < posts; n++) {
        expect(
          (await requestOnNewConnection(`${url}/v1/batch`, 'POST', batch('demo-key', n))).status,
        ).toBe(200);
      }
      for (let scrape = 0; scrape < 6; scrape++) {
        const { text } = await requestOnNewConnection(`${url}/metrics`, 'GET');
        // Both threads' requests in every scrape, whichever thread answered it.
        const batches = sampleSum(text, 'sluice_http_requests_total', [
          'route="/v1/batch"',
          'status="200"',
        ]);
        expect(batches, `scrape ${scrape}`).toBe(posts);
        // The forwarder's metrics and Node's process metrics, from the main thread, once.
        expect(text).toContain('sluice_forwarder_');
        expect(text.match(/^process_resident_memory_bytes /gm)).toHaveLength(1);
        // The log's depth over both partitions (retention keeps the forwarded records here).
        expect(sampleSum(text, 'sluice_queue_depth')).toBe(posts);
        expect(sampleSum(text, 'sluice_log_syncs_total')).toBeGreaterThanOrEqual(posts);
      }
      for (let probe = 0; probe < 6; probe++) {
        expect((await requestOnNewConnection(`${url}/readyz`, 'GET')).status).toBe(200);
      }

      // The store breaks: a file where its directory was, so every upload fails.
      await rm(join(dataDir, 'store'), { recursive: true, force: true });
      await writeFile(join(dataDir, 'store'), 'not a directory');
      expect(
        (await requestOnNewConnection(`${url}/v1/batch`, 'POST', batch('demo-key', 1000))).status,
      ).toBe(200);
      await expect
        .poll(async () => (await requestOnNewConnection(`${url}/readyz`, 'GET')).status, {
          timeout: 20_000,
        })
        .toBe(503);
      for (let probe = 0; probe < 6; probe++) {
        const readyz = await requestOnNewConnection(`${url}/readyz`, 'GET');
        expect(readyz.status, `probe ${probe}`).toBe(503);
        expect(readyz.text).toContain('forwarder');
      }
    } finally {
      await sluice.stop('SIGKILL');
    }
  }, 60_000);
});

describe('sluice collector --workers 2 --config', () => {
  it('reloads the config file in every thread, on a save and on SIGHUP, refuses a bad one saying where, and keeps running', async () => {
    const file = join(dir, 'collector', 'sluice.config.json');
    await mkdir(join(dir, 'collector'), { recursive: true });
    const config = (writeKeys: string[]) =>
      JSON.stringify({
        limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
        sources: [{ id: 'shop', writeKeys, allowedOrigins: ['*'] }],
      });
    await writeFile(file, config(['wk_old', 'wk_new']));
    const collector = await startSluice(
      [
        'collector',
        '--queue',
        `log:${join(dir, 'collector', 'queue')}`,
        '--port',
        '0',
        '--workers',
        '2',
        '--config',
        file,
      ],
      /"collector"/,
    );
    try {
      const url = collectorUrl(collector.stdout());
      const send = async (key: string, n: number) =>
        (await requestOnNewConnection(`${url}/v1/batch`, 'POST', batch(key, n))).status;
      expect(await send('wk_old', 0)).toBe(200);

      // A saved file revokes wk_old: no thread takes it any more.
      await writeFile(file, config(['wk_new']));
      await expect
        .poll(() => collector.stdout().match(/config reloaded/g)?.length ?? 0, { timeout: 10_000 })
        .toBe(2);
      for (let n = 1; n <= 8; n++) {
        expect(await send('wk_old', n), `request ${n}`).toBe(401);
        expect(await send('wk_new', n)).toBe(200);
      }

      // SIGHUP reloads in both threads too, and does not end the process.
      collector.signal('SIGHUP');
      await expect
        .poll(() => collector.stdout().match(/config reloaded/g)?.length ?? 0, { timeout: 10_000 })
        .toBe(4);
      expect(await send('wk_new', 100)).toBe(200);

      // A bad save is refused in both threads with the CLI's reason (checked in the main
      // thread), and the running config stays.
      await writeFile(file, config(['wk_new']).replace('"*"', '"shop.example"'));
      const refusals = () =>
        collector
          .stdout()
          .split('\n')
          .filter((line) => line.includes('config reload refused'));
      await expect.poll(() => refusals().length, { timeout: 10_000 }).toBe(2);
      for (const refusal of refusals()) {
        expect(refusal).toContain(`${file}:`);
        expect(refusal).toContain('allowedOrigins');
      }
      expect(await send('wk_new', 101)).toBe(200);
    } finally {
      const stopped = await collector.stop('SIGTERM');
      expect(stopped.signal).toBeNull();
    }
  }, 60_000);
});

describe('sluice collector --workers 2 on the embedded log', () => {
  it('has each thread write its own partition: /metrics sums both (depth, fdatasyncs), and every acknowledged event is in a partition after SIGTERM', async () => {
    const queueDir = join(dir, 'own-partitions', 'queue');
    const collector = await startSluice(
      ['collector', '--queue', `log:${queueDir}`, '--port', '0', '--workers', '2'],
      /"collector"/,
      {
        env: {
          SLUICE__limits__ipRate: 'null',
          SLUICE__limits__ipEventRate: 'null',
          SLUICE__limits__ipByteRate: 'null',
        },
      },
    );
    const posts = 24;
    try {
      const url = collectorUrl(collector.stdout());
      for (let n = 0; n < posts; n++) {
        const sent = await requestOnNewConnection(`${url}/v1/batch`, 'POST', batch('demo-key', n));
        expect(sent.status).toBe(200);
      }
      for (let scrape = 0; scrape < 6; scrape++) {
        const { text } = await requestOnNewConnection(`${url}/metrics`, 'GET');
        expect(sampleSum(text, 'sluice_queue_depth'), `scrape ${scrape}`).toBe(posts);
        // Sequential posts: each one its own group commit, in whichever partition it went to.
        expect(sampleSum(text, 'sluice_log_syncs_total'), `scrape ${scrape}`).toBe(posts);
        expect(text.match(/^process_resident_memory_bytes /gm)).toHaveLength(1);
      }
    } finally {
      const stopped = await collector.stop('SIGTERM');
      expect(stopped.signal).toBeNull();
    }
    // Both partitions, their locks released, hold every event once between them.
    const ids: string[] = [];
    for (const partition of [queueDir, join(queueDir, 'w1')]) {
      const log = await openLogQueue({ dir: partition });
      const consumer = await log.consumer('check');
      for (const entry of await consumer.read(1000, 0)) {
        const stored = JSON.parse(Buffer.from(entry.body).toString('utf8')) as {
          messageId: string;
        };
        ids.push(stored.messageId);
      }
      await log.close();
    }
    expect(ids.sort()).toEqual(Array.from({ length: posts }, (_, n) => `t-${n}`).sort());
  }, 60_000);
});
