// Right-sized, exactly-once files on Workers, in the real workerd runtime: the wrangler-bundled
// Worker runs in miniflare with wrangler.toml's bindings (its SQLite-backed Durable Objects, a
// local R2 bucket), and the test plays Cloudflare Queues' consumer side: batches of 100, every
// failed or retried message delivered again, some messages delivered again with other
// companions (a lost ack), and workerd restarted twice mid-stream (every Durable Object loses
// its memory and in-flight calls; their SQLite storage and the bucket persist on disk). The
// test, not the wall clock, says when lines are old: files are cut only by size while it
// delivers (an age of an hour, so a slow or overloaded machine cuts nothing early), then it
// restarts workerd with an age of a second and the tails are cut.
// SLUICE_WORKER_EVENTS sets the count (default 20,000; 100,000 is the figure).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { R2Bucket } from '@cloudflare/workers-types';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledWorkerOptions, bundleWorker } from './bundled-worker.testkit.js';
import { delivery } from './scheduled.testkit.js';

const QUEUE = 'sluice-events';
const EVENTS = Number(process.env.SLUICE_WORKER_EVENTS ?? 20_000);
const FILE_BYTES = 256 * 1024;
/** No file is cut by age while the test delivers, however long delivering takes. */
const HELD_AGE_SECONDS = 3600;
/** Then the tails are: the test restarts workerd with this age. */
const TAIL_AGE_SECONDS = 1;
const RESTARTS = 2;
const BATCH = 100;
/** How long the tails may take to be stored once the age is a second. */
const WAIT_MS = 30_000 + EVENTS;
const IN_FLIGHT = 4;
const HOUR = Date.UTC(2026, 2, 1, 10);

let dir: string;
let bundle: string;
let mf: Miniflare;
let options: MiniflareOptions;
const started: Miniflare[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-partition-files-'));
  bundle = join(dir, 'bundle');
  await bundleWorker(bundle);
  options = {
    ...(await bundledWorkerOptions(bundle, {
      SLUICE_CONFIG: JSON.stringify({ sources: [{ id: 'shop', writeKeys: ['wk_shop'] }] }),
      SLUICE_FILE_BYTES: String(FILE_BYTES),
      SLUICE_FILE_AGE_SECONDS: String(HELD_AGE_SECONDS),
    })),
    // On disk, so a restart of workerd keeps what a Durable Object and R2 had stored.
    durableObjectsPersist: join(dir, 'do'),
    r2Persist: join(dir, 'r2'),
  };
  mf = new Miniflare(options);
  started.push(mf);
  await mf.ready;
}, 60_000);

afterAll(async () => {
  for (const instance of started) await instance.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Event `i`: one of two sources and two hours (4 partitions), a body of ~300 bytes. */
function message(i: number) {
  const id = `e-${String(i).padStart(7, '0')}`;
  const source = i % 2 === 0 ? 'shop' : 'blog';
  const time = HOUR + (i % 4 < 2 ? 0 : 3_600_000) + (i % 3_600_000);
  return delivery(id, time, source, { i, pad: 'x'.repeat(200 + (i % 50)) });
}

describe('partition files on Workers', () => {
  it(`stores each of ${EVENTS} events once, in files cut at the size band, through redeliveries and restarts`, async () => {
    const all = Array.from({ length: EVENTS }, (_, i) => message(i));
    const byCfId = new Map(all.map((m) => [m.id, m]));
    // Delivery order is not arrival order: shuffle deterministically.
    const waiting = all
      .map((m, i) => ({ m, k: (i * 7919) % EVENTS }))
      .sort((a, b) => a.k - b.k)
      .map(({ m }) => m);
    const acked = new Set<string>();
    let redelivered = 0;
    let failedCalls = 0;
    let delivered = 0;
    let batches = 0;
    const restartAt = Array.from({ length: RESTARTS }, (_, r) =>
      Math.floor((EVENTS * (r + 1)) / (RESTARTS + 1)),
    );

    async function deliverOne(batch: ReturnType<typeof message>[]): Promise<void> {
      try {
        const outcome = await (await mf.getWorker()).queue(QUEUE, batch);
        for (const id of outcome.explicitAcks) acked.add(id);
        for (const { msgId } of outcome.retryMessages) waiting.push(byCfId.get(msgId)!);
        if (outcome.outcome !== 'ok') throw new Error(outcome.outcome);
      } catch {
        // The consumer failed (workerd restarting): Cloudflare delivers the whole batch again.
        failedCalls += 1;
        for (const m of batch) waiting.push(m);
      }
    }

    let restarted = 0;
    const inFlight = new Set<Promise<void>>();
    while (waiting.length > 0 || inFlight.size > 0) {
      if (restarted < RESTARTS && delivered >= restartAt[restarted]!) {
        restarted += 1;
        void mf.setOptions(options); // with batches in flight: they fail and come again
      }
      if (waiting.length === 0 || inFlight.size >= IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      const batch = waiting.splice(0, BATCH);
      // Every 10th batch also carries 20 messages already acked: their ack was lost, and
      // Cloudflare delivers them again beside other companions.
      batches += 1;
      if (batches % 10 === 0 && acked.size > 20) {
        const again = [...acked].slice(-20).map((id) => byCfId.get(id)!);
        batch.push(...again);
        redelivered += again.length;
      }
      delivered += batch.length;
      const call = deliverOne(batch).finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    await mf.ready;
    expect(acked.size).toBe(EVENTS);
    expect(redelivered).toBeGreaterThan(0);

    // The hour passes when the test says so: workerd again with a 1 s age, and one more copy
    // of an acknowledged message for each of the 4 partitions (events 0-3: adds nothing), as
    // traffic that goes on; its append sets the object's alarm to the new age.
    await mf.setOptions({
      ...options,
      bindings: { ...options.bindings, SLUICE_FILE_AGE_SECONDS: String(TAIL_AGE_SECONDS) },
    });
    const again = await (await mf.getWorker()).queue(QUEUE, all.slice(0, 4));
    expect(again.outcome).toBe('ok');
    expect(again.explicitAcks.length).toBe(4);

    // The tails are cut by age; wait until every event is in a file.
    const bucket = (await mf.getR2Bucket('EVENTS_BUCKET')) as unknown as R2Bucket;
    let files = new Map<string, string[]>();
    let gzipBytes = 0;
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; ) {
      files = new Map();
      gzipBytes = 0;
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix: 'events/', cursor });
        for (const { key } of page.objects) {
          const object = await bucket.get(key);
          const gz = new Uint8Array(await object!.arrayBuffer());
          gzipBytes += gz.byteLength;
          const text = gunzipSync(gz).toString('utf8');
          files.set(key, text.split('\n').slice(0, -1));
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      const stored = [...files.values()].reduce((n, lines) => n + lines.length, 0);
      if (process.env.SLUICE_WORKER_EVENTS)
        console.log(`stored ${stored} of ${EVENTS} at ${new Date().toISOString()}`);
      if (stored >= EVENTS) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    const counts = new Map<string, number>();
    for (const lines of files.values()) {
      for (const line of lines) {
        const id = JSON.parse(line).messageId as string;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(EVENTS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    // Size band: no file above FILE_BYTES; below it by more than one line only the one file
    // cut by age in each partition, its tail: restarts and redeliveries cut nothing small.
    const maxLine = 400;
    const sizes = new Map<string, number[]>();
    for (const [key, lines] of files) {
      const partition = key.slice(0, key.lastIndexOf('/'));
      const bytes = lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
      expect(bytes).toBeLessThanOrEqual(FILE_BYTES);
      sizes.set(partition, [...(sizes.get(partition) ?? []), bytes]);
    }
    expect(sizes.size).toBe(4);
    for (const list of sizes.values()) {
      const small = list.filter((bytes) => bytes < FILE_BYTES - maxLine);
      expect(small.length).toBeLessThanOrEqual(1);
    }
    const total = [...sizes.values()].flat();
    console.log(
      `partition files: ${EVENTS} events, ${redelivered} redelivered with other companions, ${failedCalls} failed calls, ${total.length} files, ` +
        `${total.filter((b) => b >= FILE_BYTES - maxLine).length} in the band, ${Math.round(gzipBytes / 1024)} KiB of gzip in all; sizes (KiB): ${total.map((b) => Math.round(b / 1024)).join(' ')}`,
    );
  }, 300_000);
});

describe('a partition object counting its held bytes', () => {
  it('counts a message delivered again once: files stay full-size however many copies come', async () => {
    // Lines of one size in one partition, cut only by size (the age is an hour): each file
    // holds exactly as many lines as fit in SLUICE_FILE_BYTES. A copy of a held message once
    // counted as held bytes, until the object thought a file full with little or nothing held,
    // cut small files and re-armed its alarm at the very time it ran, which workerd dropped.
    const fileBytes = 64 * 1024;
    const instance = new Miniflare({
      ...options,
      bindings: {
        ...options.bindings,
        SLUICE_FILE_BYTES: String(fileBytes),
        SLUICE_FILE_AGE_SECONDS: '3600',
      },
      durableObjectsPersist: join(dir, 'do-copies'),
      r2Persist: join(dir, 'r2-copies'),
    });
    started.push(instance);
    const fixed = (i: number) =>
      delivery(`c-${String(i).padStart(7, '0')}`, HOUR, 'shop', { pad: 'y'.repeat(300) });
    const worker = await instance.getWorker();
    const deliver = async (batch: ReturnType<typeof fixed>[]) => {
      const outcome = await worker.queue(QUEUE, batch);
      expect(outcome.outcome).toBe('ok');
      expect(outcome.explicitAcks.length).toBe(batch.length);
    };
    const events = 800;
    for (let start = 0; start < events; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, k) => fixed(start + k));
      await deliver(batch);
      // Each batch again three times, as Cloudflare does after lost acks: 2,400 copies in all,
      // several files' worth of bytes that are not held.
      for (let copy = 0; copy < 3; copy += 1) await deliver(batch);
    }

    const bucket = (await instance.getR2Bucket('EVENTS_BUCKET')) as unknown as R2Bucket;
    // Lines of one size: how many fit in a file, from the first stored line.
    const fitOf = (files: Map<string, string[]>) => {
      const first = [...files.values()][0]?.[0];
      return first === undefined ? 1 : Math.floor(fileBytes / (Buffer.byteLength(first) + 1));
    };
    let files = new Map<string, string[]>();
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      files = new Map();
      for (const { key } of (await bucket.list({ prefix: 'events/' })).objects) {
        const gz = new Uint8Array(await (await bucket.get(key))!.arrayBuffer());
        files.set(key, gunzipSync(gz).toString('utf8').split('\n').slice(0, -1));
      }
      if (files.size > 0 && files.size >= Math.floor(events / fitOf(files))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const lines = [...files.values()].flat();
    const fit = fitOf(files);
    // Every file full: the held lines that fit, never fewer; the rest (under one file) held.
    expect(files.size).toBe(Math.floor(events / fit));
    for (const fileLines of files.values()) expect(fileLines.length).toBe(fit);
    const ids = lines.map((line) => JSON.parse(line).messageId as string);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);
});
