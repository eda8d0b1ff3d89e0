import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { printStoreReport } from '../lib/store-report.js';
import { QUALITY_COLUMNS, qualityQuery } from './quality.js';

// Real DuckDB over a store directory written here in the forwarder's layout.

const CHROME = { name: 'Chrome', version: '140' };
const FIREFOX = { name: 'Firefox', version: '130' };
let dir: string;
let files = 0;

type Spec = {
  id: string;
  anon?: string;
  session?: number | string;
  index?: number;
  browser?: { name: string };
  transport?: string;
  delayMs?: number;
  snowplowSid?: string;
  source?: string;
};

/** One file of the given events, in `events/source=<source>/dt=<day>/hh=10/`. */
async function stored(day: string, events: Spec[]) {
  const lines = events.map((e) => {
    const receivedAt = Date.parse(`${day}T10:00:00.000Z`);
    const context: Record<string, unknown> = { browser: e.browser ?? CHROME };
    if (e.session !== undefined) context.sessionId = e.session;
    if (e.index !== undefined) context.eventIndex = e.index;
    if (e.transport) context.transport = e.transport;
    if (e.snowplowSid) context.snowplow = { sid: e.snowplowSid };
    return JSON.stringify({
      type: 'track',
      event: 'E',
      messageId: e.id,
      anonymousId: e.anon ?? 'a-1',
      timestamp: new Date(receivedAt - (e.delayMs ?? 100)).toISOString(),
      receivedAt: new Date(receivedAt).toISOString(),
      context,
    });
  });
  const source = events[0]?.source ?? 'site';
  const folder = join(dir, 'events', `source=${source}`, `dt=${day}`, 'hh=10');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `f${files++}.ndjson.gz`), gzipSync(`${lines.join('\n')}\n`));
}

async function report(from: string, to = from) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(qualityQuery(dir, from, to));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-quality-'));
  // Session 1 of a-1: numbers 1, 2, 4, 5 by fetch, 7 by beacon; 2 stored twice.
  await stored('2026-03-02', [
    { id: 'm1', session: 1, index: 1, transport: 'fetch', delayMs: 100 },
    { id: 'm2', session: 1, index: 2, transport: 'fetch', delayMs: 200 },
    { id: 'm4', session: 1, index: 4, transport: 'fetch', delayMs: 300 },
    { id: 'm5', session: 1, index: 5, transport: 'fetch', delayMs: 400 },
    { id: 'm7', session: 1, index: 7, transport: 'beacon', delayMs: 5000 },
    { id: 'plain', transport: 'fetch', delayMs: 500 }, // no number: counted, no gap
  ]);
  await stored('2026-03-02', [{ id: 'm2', session: 1, index: 2, transport: 'fetch' }]);
  // Session 2 began the day before (1, 2), goes on with 3 and 5: one gap, none at its start.
  await stored('2026-03-01', [
    { id: 's1', session: 2, index: 1, transport: 'fetch' },
    { id: 's2', session: 2, index: 2, transport: 'fetch' },
  ]);
  await stored('2026-03-02', [
    { id: 's3', session: 2, index: 3, transport: 'fetch' },
    { id: 's5', session: 2, index: 5, transport: 'fetch' },
  ]);
  // Another visitor with the same session id (a start time): its own numbers, 2 and 3.
  await stored('2026-03-02', [
    { id: 'b2', anon: 'a-2', session: 1, index: 2, transport: 'fetch' },
    { id: 'b3', anon: 'a-2', session: 1, index: 3, transport: 'fetch' },
  ]);
  // Snowplow: session by `sid`, numbers 1 and 3, Firefox, in another source.
  await stored('2026-03-02', [
    { id: 'p1', source: 'sp', snowplowSid: 's-x', index: 1, browser: FIREFOX },
    { id: 'p3', source: 'sp', snowplowSid: 's-x', index: 3, browser: FIREFOX },
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sluice quality', () => {
  it('reports per source, day, browser and transport the events, gaps, repeats and delays', async () => {
    expect(await report('2026-03-02')).toEqual([
      {
        source: 'site',
        day: '2026-03-02',
        browser: 'Chrome',
        transport: 'beacon',
        events: '1',
        numbered: '1',
        gaps: '1', // 6, shown by 7
        repeats: '0',
        delay_p50_ms: '5000',
        delay_p99_ms: '5000',
      },
      {
        source: 'site',
        day: '2026-03-02',
        browser: 'Chrome',
        transport: 'fetch',
        events: '9',
        numbered: '8',
        gaps: '3', // 3 of session 1; 4 of session 2; 1 of a-2's
        repeats: '1',
        delay_p50_ms: '100',
        delay_p99_ms: '500',
      },
      {
        source: 'sp',
        day: '2026-03-02',
        browser: 'Firefox',
        transport: 'unknown',
        events: '2',
        numbered: '2',
        gaps: '1',
        repeats: '0',
        delay_p50_ms: '100',
        delay_p99_ms: '100',
      },
    ]);
  });

  it('reads the day before, so a session that crossed midnight has no gap at its start', async () => {
    const [day1] = await report('2026-03-01');
    expect(day1).toMatchObject({ day: '2026-03-01', events: '2', gaps: '0' });
    const both = await report('2026-03-01', '2026-03-02');
    const gaps = both.reduce((sum, row) => sum + Number(row.gaps), 0);
    expect(gaps).toBe(5); // as for 2026-03-02 alone: day 1 adds none
  });

  it('prints an empty report for a store without files yet', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const empty = join(dir, 'nothing-here');
      await printStoreReport(qualityQuery(empty, '2026-03-02', '2026-03-02'), {
        emptyColumns: [...QUALITY_COLUMNS],
      });
      expect(String(write.mock.calls[0]?.[0])).toMatch(/│ source │ day │ browser │ transport │/);
      expect(String(write.mock.calls[0]?.[0])).toMatch(/0 rows/);
    } finally {
      write.mockRestore();
    }
  });
});
