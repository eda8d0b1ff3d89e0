// `sluice erase` as the security review ran it (issue 15, finding 4): events of victim-1 and
// others go through the durable log, are forwarded (Parquet, and zstd NDJSON into a second
// folder), replayed with `sluice replay`, and then erased. Afterwards no file of the store or
// of the log directory holds victim-1 (compressed and Parquet files read first), every other
// event is still there exactly once in each copy, and a replay does not bring victim-1 back.

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningForwarder, startForwarder } from '@sluice/forwarder';
import { openLogQueue, type QueueMessage } from '@sluice/queue';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice } from './cli-process.js';
import { eraseVictim, readEveryFile } from './erasure-support.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-erasure-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const HOUR = Date.UTC(2026, 10, 24, 10);
const EVENTS = 40;
const userOf = (n: number) => (n % 5 === 0 ? 'victim-1' : `user-${n}`);
const event = (n: number): QueueMessage => {
  const time = HOUR + n * 60_000;
  const body = {
    type: 'track',
    event: 'Viewed',
    messageId: `m-${n}`,
    userId: userOf(n),
    anonymousId: `a-${n}`,
    timestamp: new Date(time).toISOString(),
    receivedAt: new Date(time).toISOString(),
  };
  return { id: `m-${n}`, source: 'shop', time, kind: 'event', body: encode(body) };
};
const quarantined = (n: number, userId: string): QueueMessage => ({
  id: `q-${n}`,
  source: 'shop',
  time: HOUR,
  kind: 'quarantine',
  body: encode({
    reason: [{ path: 'event', message: 'Required' }],
    event: { type: 'track', userId },
    receivedAt: new Date(HOUR).toISOString(),
  }),
});
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A view of `store` below `prefix`: a second forwarder's own folder. */
function below(store: ObjectStore, prefix: string): ObjectStore {
  return {
    put: (key, body, options) => store.put(prefix + key, body, options),
    get: (key) => store.get(prefix + key),
    delete: (key) => store.delete(prefix + key),
    async *list(inner) {
      for await (const info of store.list(prefix + inner)) {
        yield { ...info, key: info.key.slice(prefix.length) };
      }
    },
  };
}

/** How often each messageId (or quarantined user) is stored below `folders`. */
function countIds(files: Map<string, string>, folders: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [path, text] of files) {
    if (!folders.some((f) => path.startsWith(f)) || !/\.(gz|zst|parquet)$/.test(path)) continue;
    for (const line of text.split('\n').filter(Boolean)) {
      const row = JSON.parse(line) as { messageId?: string; event?: { userId?: string } };
      const id = row.messageId ?? `quarantined:${row.event?.userId}`;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

const others = [
  ...Array.from({ length: EVENTS }, (_, n) => n)
    .filter((n) => userOf(n) !== 'victim-1')
    .map((n) => `m-${n}`),
  'quarantined:user-q',
].sort();

async function forward(queueDir: string, store: ObjectStore, stateDir: string) {
  const queue = await openLogQueue({ dir: queueDir, durability: 'none' });
  const forwarders: RunningForwarder[] = [
    await startForwarder({
      queue,
      store,
      stateDir,
      options: { format: 'parquet', readWaitMs: 5 },
    }),
    await startForwarder({
      queue,
      store: below(store, 'zstd-copy/'),
      stateDir,
      consumerName: 'zstd-copy',
      options: { format: 'ndjson-zstd', readWaitMs: 5 },
    }),
  ];
  await queue.append([
    ...Array.from({ length: EVENTS }, (_, n) => event(n)),
    quarantined(100, 'victim-1'),
    quarantined(101, 'user-q'),
  ]);
  while (forwarders.some((f) => f.stats().read < EVENTS + 2)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const forwarder of forwarders) await forwarder.stop();
  await queue.close();
}

describe('sluice erase', () => {
  it('leaves no copy of victim-1 in the store, replays, the log; keeps everyone else once', async () => {
    const queueDir = join(dir, 'queue');
    const storeDir = join(dir, 'store');
    const store = createFsStore({ root: storeDir });
    await forward(queueDir, store, join(dir, 'state'));
    const replay = await runSluice(['replay', '--queue-dir', queueDir, '--store-dir', storeDir]);
    expect(replay.code, replay.stderr).toBe(0);

    const before = await readEveryFile(dir);
    const victimFiles = [...before].filter(([, text]) => text.includes('victim-1'));
    // The log's segment, a Parquet file, a zstd file and three quarantine/replay gzip files.
    expect(victimFiles.map(([path]) => path.replace(/\d{20}/, 'N')).sort()).toEqual([
      'queue/segments/N.log',
      'store/events/source=shop/dt=2026-11-24/hh=10/N.parquet',
      'store/quarantine/source=shop/dt=2026-11-24/N.ndjson.gz',
      'store/replay/0-42/events/source=shop/dt=2026-11-24/hh=10/N.ndjson.gz',
      'store/replay/0-42/quarantine/source=shop/dt=2026-11-24/N.ndjson.gz',
      'store/zstd-copy/events/source=shop/dt=2026-11-24/hh=10/N.ndjson.zst',
      'store/zstd-copy/quarantine/source=shop/dt=2026-11-24/N.ndjson.gz',
    ]);

    const reportFile = join(dir, 'erasure-report.json');
    const erased = await eraseVictim(queueDir, storeDir, '--report', reportFile);
    expect(erased.code, erased.stderr).toBe(0);

    const after = await readEveryFile(dir);
    const stillThere = [...after].filter(([path, text]) => {
      return path !== 'erasure-report.json' && text.includes('victim-1');
    });
    expect(stillThere.map(([path]) => path)).toEqual([]);
    for (const folders of [
      ['store/events/', 'store/quarantine/'],
      ['store/zstd-copy/'],
      ['store/replay/0-42/'],
    ]) {
      const counts = countIds(after, folders);
      expect([...counts.keys()].sort(), folders.join()).toEqual(others);
      expect(
        [...counts.values()].every((n) => n === 1),
        folders.join(),
      ).toBe(true);
    }
    // Ids 0, 5, ..., 35 (8 events) and one quarantined record, in each place.
    const report = JSON.parse(await readFile(reportFile, 'utf8'));
    expect(report).toMatchObject({
      version: 1,
      subject: { userIdSha256: createHash('sha256').update('victim-1').digest('hex') },
      log: { recordsErased: 9, segmentsRewritten: [{ recordsErased: 9 }] },
      store: { eventsRemoved: 24, quarantinedRemoved: 3, filesRewritten: 6, unreadableFiles: [] },
      recordsRemoved: 36,
      complete: true,
    });
    expect(JSON.stringify(report)).not.toContain('victim-1');
    expect(erased.stdout).toBe(await readFile(reportFile, 'utf8'));
    expect(erased.stderr).toMatch(/^log .*: 9 records erased in 1 of 1 segments$/m);
    expect(erased.stderr).toMatch(
      /^store .*: 24 events and 3 quarantined records removed from 6 of \d+ files$/m,
    );
    expect(erased.stderr).toMatch(/^ {2}events\/source=shop\/.*\.parquet: 8$/m);

    // A replay after the erasure brings back everyone but victim-1.
    const again = await runSluice([
      'replay',
      '--queue-dir',
      queueDir,
      '--store-dir',
      storeDir,
      '--prefix',
      'after/',
    ]);
    expect(again.code, again.stderr).toBe(0);
    const replayed = await readEveryFile(dir);
    const counts = countIds(replayed, ['store/after/']);
    expect([...counts.keys()].sort()).toEqual(others);
    expect([...replayed.values()].filter((t) => t.includes('victim-1'))).toEqual([]);

    // A second erasure finds nothing.
    const second = await eraseVictim(queueDir, storeDir);
    expect(JSON.parse(second.stdout)).toMatchObject({ recordsRemoved: 0, complete: true });
  }, 180_000);
});
