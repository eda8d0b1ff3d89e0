// Import real files (NDJSON, gzip NDJSON, CSV) into both real stores (a directory and s3rver), twice.

import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '@sluice/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digests, gzipMtime, linesOf, snapshot, trackMessage } from '../bulk/test-support.js';
import { gzipLevel6 } from '../node.js';
import { storeKindsClosedAfterAll } from '../testing/store-kinds.js';
import { importRecords } from './import-records.js';
import { openInputFile } from './input-file.js';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 2, 1, 22);

/** 60 events as the collector stores them, over two days; the NDJSON adds a resend and bad lines. */
const events = Array.from({ length: 60 }, (_, n) =>
  new TextDecoder().decode(trackMessage(n, START + (n % 4) * HOUR + n * 1000).body),
);

let dir: string;
let ndjsonPath: string;
let gzPath: string;
let csvPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-import-'));
  ndjsonPath = join(dir, 'history.ndjson');
  const ndjson = [
    ...events.slice(0, 30),
    events[29], // a resend right after the original: dropped as a repeat
    '',
    '{"type":"track",', // not JSON
    JSON.stringify({
      type: 'track',
      event: 'x',
      messageId: 'bad-1',
      timestamp: '2025-03-01T23:00:00Z',
    }), // no user id
    ...events.slice(30),
  ];
  await writeFile(ndjsonPath, `${ndjson.join('\r\n')}\n`);
  gzPath = join(dir, 'forwarder-output.ndjson.gz');
  await writeFile(gzPath, gzipSync(`${events.join('\n')}\n`));
  csvPath = join(dir, 'export.csv');
  await writeFile(
    csvPath,
    [
      'type,event,messageId,anonymousId,timestamp,properties,context.page.url',
      'track,Signed Up,c-1,a-1,2025-03-02T09:15:00Z,"{""plan"":""pro"",""seats"":3}",https://shop.test/',
      'page,,c-2,a-1,2025-03-02T09:16:00Z,,"https://shop.test/a,b"',
      'track,Order Completed,c-3,,2025-03-02T10:00:00Z,,', // no user id: quarantine
      'track,Too,c-4', // too few fields: quarantine
    ].join('\n'),
  );
});

const cases = storeKindsClosedAfterAll();
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function importFile(store: ObjectStore, path: string, options = {}) {
  const input = await openInputFile(path);
  return importRecords(
    { store, compress: gzipLevel6 },
    { inputId: input.sha256, records: input.records() },
    { source: 'shop', ...options },
  );
}

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe.each(cases)('import into the $name store', (storeCase) => {
  it('writes every valid event once, the rest to quarantine, and the same files when run again', async () => {
    const store = await storeCase.create();
    const result = await importFile(store, ndjsonPath);
    const firstRun = await snapshot(store);

    expect(result).toMatchObject({
      records: 63,
      events: 61,
      quarantined: 2,
      lines: 62,
      repeatsDropped: 1,
    });
    const id = (await sha256(ndjsonPath)).slice(0, 32);
    const eventKeys = [...firstRun.keys()].filter((key) => key.startsWith('events/'));
    expect(eventKeys.length).toBe(4); // one per hour: 64 MiB files
    for (const key of eventKeys) {
      expect(key).toMatch(
        new RegExp(`^events/source=shop/dt=2025-03-0[12]/hh=\\d\\d/${id}-\\d{12}\\.ndjson\\.gz$`),
      );
    }
    // Valid events are stored byte for byte as they were collected.
    const lines = eventKeys.flatMap((key) => linesOf(firstRun.get(key) as Buffer));
    expect(lines.sort()).toEqual([...events].sort());
    // Bad records are kept with the reason and where they came from (lines 33 and 34).
    const quarantined = [...firstRun]
      .filter(([key]) => key.startsWith('quarantine/'))
      .flatMap(([, gz]) => linesOf(gz).map((line) => JSON.parse(line)));
    expect(quarantined.map((q) => [q.importedFrom.line, q.reason[0].message])).toEqual([
      [33, expect.stringMatching(/^not JSON/)],
      [34, 'userId or anonymousId is required'],
    ]);
    for (const gz of firstRun.values()) expect(gzipMtime(gz)).toBe(0);

    await importFile(store, ndjsonPath, { uploadConcurrency: 1 });
    expect(digests(await snapshot(store))).toEqual(digests(firstRun));
  });

  it('cuts small files the same way every time', async () => {
    const store = await storeCase.create();
    const small = { maxFileBytes: 1_500, minFileBytes: 1, prefix: 'small/' };
    await importFile(store, ndjsonPath, small);
    const firstRun = await snapshot(store, 'small/events/');
    expect(firstRun.size).toBeGreaterThan(4); // more than one per hour
    const lines = [...firstRun.values()].flatMap(linesOf);
    expect([...new Set(lines)].sort()).toEqual([...events].sort());
    // The files a key names start at that line of the input.
    const input = (await readFile(ndjsonPath, 'utf8')).split('\r\n');
    for (const [key, gz] of firstRun) {
      expect(linesOf(gz)[0]).toBe(input[Number(key.slice(-22, -10)) - 1]);
    }
    await importFile(store, ndjsonPath, { ...small, uploadConcurrency: 1 });
    expect(digests(await snapshot(store, 'small/events/'))).toEqual(digests(firstRun));
  });

  it('imports gzip NDJSON and CSV, again with the same files, beside the other inputs', async () => {
    const store = await storeCase.create();
    await importFile(store, gzPath);
    await importFile(store, csvPath);
    const firstRun = await snapshot(store);
    const gzId = (await sha256(gzPath)).slice(0, 32);
    const csvId = (await sha256(csvPath)).slice(0, 32);

    const byInput = (id: string, prefix: string) =>
      [...firstRun].filter(([key]) => key.startsWith(prefix) && key.includes(`/${id}-`));
    const gzLines = byInput(gzId, 'events/').flatMap(([, gz]) => linesOf(gz));
    expect(gzLines.sort()).toEqual([...events].sort());

    const csvEvents = byInput(csvId, 'events/').flatMap(([, gz]) =>
      linesOf(gz).map((l) => JSON.parse(l)),
    );
    expect(csvEvents).toEqual([
      {
        type: 'track',
        event: 'Signed Up',
        messageId: 'c-1',
        anonymousId: 'a-1',
        timestamp: '2025-03-02T09:15:00.000Z',
        properties: { plan: 'pro', seats: 3 },
        context: { page: { url: 'https://shop.test/' } },
        originalTimestamp: '2025-03-02T09:15:00Z',
      },
      {
        type: 'page',
        messageId: 'c-2',
        anonymousId: 'a-1',
        timestamp: '2025-03-02T09:16:00.000Z',
        context: { page: { url: 'https://shop.test/a,b' } },
        originalTimestamp: '2025-03-02T09:16:00Z',
      },
    ]);
    const csvQuarantine = byInput(csvId, 'quarantine/').flatMap(([, gz]) =>
      linesOf(gz).map((l) => JSON.parse(l).reason[0].message),
    );
    // In key order: the row without a time is filed on 1970-01-01.
    expect(csvQuarantine).toEqual([
      'row has 3 fields, the header has 7',
      'userId or anonymousId is required',
    ]);

    await importFile(store, csvPath);
    await importFile(store, gzPath);
    expect(digests(await snapshot(store))).toEqual(digests(firstRun));
  });
});

it('refuses a broken CSV file before writing anything', async () => {
  const store = await cases[0]!.create();
  const broken = join(dir, 'broken.csv');
  await writeFile(broken, 'type,event\ntrack,"unclosed\ntrack,ok\n');
  await expect(importFile(store, broken)).rejects.toThrow(/broken\.csv: .*quote/i);
  const badHeader = join(dir, 'bad-header.csv');
  await writeFile(badHeader, 'type,type\ntrack,x\n');
  await expect(importFile(store, badHeader)).rejects.toThrow(/header names "type" twice/);
  const truncated = join(dir, 'truncated.ndjson.gz');
  await writeFile(truncated, (await readFile(gzPath)).subarray(0, 100));
  await expect(importFile(store, truncated)).rejects.toThrow(/truncated\.ndjson\.gz: /);
  expect((await snapshot(store)).size).toBe(0);
});
