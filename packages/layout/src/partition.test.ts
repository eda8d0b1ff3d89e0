import { describe, expect, it } from 'vitest';
import { positionFileName } from './file-names.js';
import { checkpointKeyOf, objectKeyOf, replayPrefixOf } from './object-keys.js';
import { eventsFolderPattern, eventsGlob, partitionOf } from './partition.js';

const at = (iso: string) => Date.parse(iso);

describe('partitionOf', () => {
  it('puts an event in the UTC day and hour of its event time', () => {
    expect(partitionOf({ source: 'shop', kind: 'event', time: at('2026-11-24T10:15:00Z') })).toBe(
      'events/source=shop/dt=2026-11-24/hh=10/',
    );
  });

  it("puts an event of yesterday's last second in yesterday's folder", () => {
    expect(
      partitionOf({ source: 'shop', kind: 'event', time: at('2026-11-23T23:59:59.999Z') }),
    ).toBe('events/source=shop/dt=2026-11-23/hh=23/');
    expect(partitionOf({ source: 'shop', kind: 'event', time: at('2026-11-24T00:00:00Z') })).toBe(
      'events/source=shop/dt=2026-11-24/hh=00/',
    );
  });

  it('gives each entry its own folder when source, kind and hour change from one to the next', () => {
    // The last folder is remembered: a change in any of the three must not reuse it.
    const ten = at('2026-11-24T10:15:00Z');
    const eleven = at('2026-11-24T11:00:00Z');
    for (let round = 0; round < 2; round++) {
      expect(partitionOf({ source: 'shop', kind: 'event', time: ten })).toBe(
        'events/source=shop/dt=2026-11-24/hh=10/',
      );
      expect(partitionOf({ source: 'blog', kind: 'event', time: ten })).toBe(
        'events/source=blog/dt=2026-11-24/hh=10/',
      );
      expect(partitionOf({ source: 'blog', kind: 'quarantine', time: ten })).toBe(
        'quarantine/source=blog/dt=2026-11-24/',
      );
      expect(partitionOf({ source: 'blog', kind: 'event', time: eleven })).toBe(
        'events/source=blog/dt=2026-11-24/hh=11/',
      );
    }
  });

  it('lays quarantined messages out by source and day, without an hour', () => {
    expect(
      partitionOf({ source: 'shop', kind: 'quarantine', time: at('2026-11-24T10:15:00Z') }),
    ).toBe('quarantine/source=shop/dt=2026-11-24/');
  });

  it('escapes a source that would otherwise break the key into other folders', () => {
    expect(partitionOf({ source: 'a/../b=c', kind: 'event', time: 0 })).toBe(
      'events/source=a%2F..%2Fb%3Dc/dt=1970-01-01/hh=00/',
    );
  });

  it('keeps messages whose time is no usable date, in 1970-01-01', () => {
    for (const time of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      9e15,
      at('+010000-01-01T00:00:00Z'),
    ]) {
      expect(partitionOf({ source: 's', kind: 'event', time })).toBe(
        'events/source=s/dt=1970-01-01/hh=00/',
      );
    }
  });
});

describe('objectKeyOf', () => {
  it('names a file by its first position, zero-padded so keys sort by position', () => {
    const keys = [10, 9, 2 ** 40].map((p) => objectKeyOf('p/', positionFileName(p), '.ndjson.gz'));
    expect(keys[0]).toBe('p/00000000000000000010.ndjson.gz');
    expect([...keys].sort()).toEqual([keys[1], keys[0], keys[2]]);
  });

  it('keeps checkpoints under _sluice/checkpoints/', () => {
    expect(checkpointKeyOf('forwarder')).toBe('_sluice/checkpoints/forwarder.json');
  });
});

describe('patterns for people and query engines', () => {
  it('shows the folders of a source and globs its files as partitionOf lays them out', () => {
    expect(eventsFolderPattern('shop')).toBe('events/source=shop/dt=YYYY-MM-DD/hh=HH/');
    expect(eventsGlob('/data/store', '.ndjson.gz')).toBe('/data/store/events/**/*.ndjson.gz');
  });
});

describe('replayPrefixOf', () => {
  it('gives each replay request its own folder, apart from the live keys', () => {
    expect(replayPrefixOf({ from: 0, to: 100 })).toBe('replay/0-100/');
    expect(replayPrefixOf({ from: 5, to: 9, since: Date.UTC(2026, 10, 24, 10, 30) })).toBe(
      'replay/5-9_20261124T103000Z-end/',
    );
  });
});
