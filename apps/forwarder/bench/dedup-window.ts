// Events per second through the dedup step (admit + record, as the forwarder calls them) with
// 1M stored ids, for the in-memory and the LMDB index. Run:
//   node --import tsx apps/forwarder/bench/dedup-window.ts [ids]
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueEntry } from '@sluice/queue';
import { createMemoryDedupIndex, type DedupIndex } from '../src/dedup/dedup-index.js';
import { openLmdbDedupIndex } from '../src/dedup/lmdb-dedup-index.js';
import { createRepeatWindow } from '../src/dedup/repeat-window.js';

const count = Number(process.argv[2] ?? 1_000_000);
const FILE = 10_000; // events recorded together, as one uploaded file
const body = new Uint8Array();
const entries: QueueEntry[] = Array.from({ length: count }, (_, position) => ({
  position,
  id: randomUUID(),
  source: 's',
  time: 0,
  kind: 'event',
  body,
}));

async function run(name: string, index: DedupIndex): Promise<void> {
  const window = createRepeatWindow(
    index,
    { windowMs: 24 * 3_600_000, slotMs: 3_600_000, filterBytes: 256 * 1024 * 1024 },
    Date.now,
  );
  await window.load();
  let admitMs = 0;
  let recordMs = 0;
  for (let i = 0; i < count; i += FILE) {
    const batch = entries.slice(i, i + FILE);
    const t0 = performance.now();
    for (const e of batch) {
      const keep = window.admit(e);
      if ((typeof keep === 'boolean' ? keep : await keep) !== true) throw new Error('dropped');
    }
    const t1 = performance.now();
    await window.record(batch);
    admitMs += t1 - t0;
    recordMs += performance.now() - t1;
  }
  const storeMs = admitMs + recordMs;
  const repeats = entries.map((e, n) => ({ ...e, position: count + n }));
  let started = performance.now();
  // Every id again, at new positions: each one a filter match and an exact lookup.
  started = performance.now();
  for (const e of repeats) {
    const keep = window.admit(e);
    if ((typeof keep === 'boolean' ? keep : await keep) !== false) throw new Error('kept a repeat');
  }
  const repeatMs = performance.now() - started;
  const stats = window.stats();
  console.log(
    `${name}: ${count} new ids ${Math.round(count / (storeMs / 1000))}/s ` +
      `(admit ${Math.round(count / (admitMs / 1000))}/s, record ${Math.round(count / (recordMs / 1000))}/s), ` +
      `${count} repeats ${Math.round(count / (repeatMs / 1000))}/s, false matches ${stats.falseMatches}, ` +
      `heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB, ` +
      `rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
  );
}

await run('memory index', createMemoryDedupIndex());
const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-dedup-'));
const lmdb = await openLmdbDedupIndex(dir);
await run('lmdb index', lmdb);
// A restart: the filter is refilled from the index.
const started = performance.now();
const reloaded = createRepeatWindow(
  lmdb,
  { windowMs: 24 * 3_600_000, slotMs: 3_600_000, filterBytes: 256 * 1024 * 1024 },
  Date.now,
);
await reloaded.load();
console.log(
  `lmdb reload of ${reloaded.stats().ids} ids: ${Math.round(performance.now() - started)} ms`,
);
await lmdb.close();
await rm(dir, { recursive: true, force: true });
