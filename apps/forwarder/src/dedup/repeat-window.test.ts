import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueEntry } from '@sluice/queue';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../test-support.js';
import { createMemoryDedupIndex, type DedupIndex } from './dedup-index.js';
import { openLmdbDedupIndex } from './lmdb-dedup-index.js';
import {
  createRepeatWindow,
  FIRST_FILTER_BYTES,
  type RepeatWindowSettings,
} from './repeat-window.js';

const HOUR = 3_600_000;
const SETTINGS: RepeatWindowSettings = {
  windowMs: 24 * HOUR,
  slotMs: HOUR,
  filterBytes: 1024 * 1024,
};

const cleanups = cleanupsAfterEach();

function entry(position: number, id: string): QueueEntry {
  return { position, id, source: 's', time: 0, kind: 'event', body: new Uint8Array() };
}

async function open(index: DedupIndex = createMemoryDedupIndex(), settings = SETTINGS) {
  const clock = { now: Date.UTC(2026, 10, 24, 10, 30) };
  const window = createRepeatWindow(index, settings, () => clock.now);
  await window.load();
  return { window, clock, index };
}

describe('createRepeatWindow', () => {
  it('drops a copy of an id that waits in a buffer, and keeps different ids', async () => {
    const { window } = await open();
    expect(await window.admit(entry(1, 'a'))).toBe(true);
    expect(await window.admit(entry(2, 'b'))).toBe(true);
    expect(await window.admit(entry(3, 'a'))).toBe(false);
    expect(window.stats().pending).toBe(2);
  });

  it('drops a copy of an id whose file was uploaded, hours later', async () => {
    const { window, clock } = await open();
    const first = entry(1, 'a');
    await window.admit(first);
    await window.record([first]);
    expect(window.stats()).toMatchObject({ pending: 0, ids: 1 });
    clock.now += 23 * HOUR;
    expect(await window.admit(entry(9, 'a'))).toBe(false);
    expect(await window.admit(entry(10, 'z'))).toBe(true);
  });

  it('keeps a copy that comes after the window, and forgets the expired ids', async () => {
    const { window, clock, index } = await open();
    const first = entry(1, 'a');
    await window.admit(first);
    await window.record([first]);
    // The window lasts at least 24 h: up to one slot more, never less.
    clock.now += 25 * HOUR;
    const late = entry(2, 'a');
    expect(await window.admit(late)).toBe(true);
    await window.record([late]);
    expect(window.stats().ids).toBe(1);
    expect((await index.slots()).length).toBe(1);
  });

  it('keeps an event found at its own position: recorded by a run that crashed before its checkpoint', async () => {
    const index = createMemoryDedupIndex();
    const first = await open(index);
    const e = entry(7, 'a');
    await first.window.admit(e);
    await first.window.record([e]);

    const rerun = await open(index);
    expect(await rerun.window.admit(entry(7, 'a'))).toBe(true);
    expect(await rerun.window.admit(entry(8, 'a'))).toBe(false);
  });

  it('asks the exact index on a filter match: an id the index does not hold is kept', async () => {
    const index = createMemoryDedupIndex();
    const { window } = await open(index);
    const e = entry(1, 'a');
    await window.admit(e);
    await window.record([e]);
    // The filter still names the slot, but the index no longer holds it: only the index counts.
    const [slot] = await index.slots();
    await index.drop(slot!);
    expect(await window.admit(entry(2, 'a'))).toBe(true);
    expect(window.stats()).toMatchObject({ lookups: 1, falseMatches: 1 });
  });

  it('remembers stored ids across a restart when the index is on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-repeat-window-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const before = await open(await openLmdbDedupIndex(dir));
    const kept = [entry(1, 'a'), entry(2, 'b')];
    for (const e of kept) await before.window.admit(e);
    await before.window.record(kept);
    await before.index.close();

    const after = await open(await openLmdbDedupIndex(dir));
    cleanups.push(() => after.index.close());
    expect(after.window.stats().ids).toBe(2);
    expect(await after.window.admit(entry(5, 'a'))).toBe(false);
    expect(await after.window.admit(entry(6, 'b'))).toBe(false);
    expect(await after.window.admit(entry(7, 'c'))).toBe(true);
  });

  it('stays within its memory: when the filter is full it forgets the oldest slot early', async () => {
    const { window, clock } = await open(createMemoryDedupIndex(), {
      ...SETTINGS,
      filterBytes: 64 * 1024,
    });
    let position = 0;
    async function storeHour(prefix: string, count: number): Promise<void> {
      const kept = Array.from({ length: count }, (_, n) => entry(position++, `${prefix}${n}`));
      for (const e of kept) await window.admit(e);
      await window.record(kept);
      clock.now += HOUR;
    }
    // 64 KiB hold 16,384 cells; three hours of 6,000 ids do not fit.
    await storeHour('h1-', 6_000);
    await storeHour('h2-', 6_000);
    await storeHour('h3-', 6_000);
    expect(window.stats()).toMatchObject({ evictedSlots: 1, filterBytes: 64 * 1024 });
    expect(await window.admit(entry(position++, 'h1-0'))).toBe(true);
    expect(await window.admit(entry(position++, 'h3-0'))).toBe(false);
  });

  it('takes memory as ids come: the filter doubles from 1 MiB, forgetting no stored id, also after a restart', async () => {
    const index = createMemoryDedupIndex();
    const { window } = await open(index, { ...SETTINGS, filterBytes: 32 * 1024 * 1024 });
    expect(window.stats().filterBytes).toBe(FIRST_FILTER_BYTES);
    // 1 MiB holds 262,144 cells; 250,000 ids are past the load where it doubles.
    const kept = Array.from({ length: 250_000 }, (_, n) => entry(n, `id-${n}`));
    for (const e of kept) await window.admit(e);
    for (let at = 0; at < kept.length; at += 50_000)
      await window.record(kept.slice(at, at + 50_000));
    expect(window.stats()).toMatchObject({ ids: 250_000, filterBytes: 2 * FIRST_FILTER_BYTES });
    expect(window.stats().evictedSlots).toBe(0);
    for (const n of [0, 123_456, 249_999]) {
      expect(await window.admit(entry(300_000 + n, `id-${n}`))).toBe(false);
    }
    const { window: after } = await open(index, { ...SETTINGS, filterBytes: 32 * 1024 * 1024 });
    expect(after.stats()).toMatchObject({ ids: 250_000, filterBytes: 2 * FIRST_FILTER_BYTES });
    expect(await after.admit(entry(400_000, 'id-7'))).toBe(false);
    expect(await after.admit(entry(400_001, 'id-new'))).toBe(true);
  });

  it('with a window of 0 drops only copies that meet while pending', async () => {
    const { window } = await open(createMemoryDedupIndex(), { ...SETTINGS, windowMs: 0 });
    const e = entry(1, 'a');
    await window.admit(e);
    expect(await window.admit(entry(2, 'a'))).toBe(false);
    await window.record([e]);
    expect(await window.admit(entry(3, 'a'))).toBe(true);
  });
});
