// Quarantine replayed into a real directory store: what comes back, where, once, and the same
// bytes on a second run.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CompiledPlan, checkTrackingPlan } from '@sluice/ingest';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digests, linesOf, snapshot } from '../bulk/test-support.js';
import { gzipNdjsonCodec, nodeFileCodecs, zstdNdjsonCodec } from '../formats/node-codecs.js';
import { gzipLevel6 } from '../node.js';
import type { SourceRules } from './quarantined-event.js';
import { type ReplayQuarantineDeps, replayQuarantine } from './replay-quarantine.js';

function plan(onViolation: 'quarantine' | 'flag'): CompiledPlan {
  const check = checkTrackingPlan({
    onViolation,
    events: {
      track: {
        'Order Completed': {
          properties: { type: 'object', properties: { price: { type: 'number' } } },
        },
      },
    },
  });
  if (!check.ok) throw new Error('test plan is invalid');
  return check.compiled;
}

const order = (messageId: string, price: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Order Completed',
  messageId,
  anonymousId: 'a-1',
  timestamp: '2026-11-24T10:15:00.000Z',
  properties: { price },
  ...extra,
});

const WRONG_TYPE = [{ path: 'properties/price', message: 'must be string' }];
const received = (event: unknown, receivedAt = '2026-11-24T10:15:02.000Z') =>
  JSON.stringify({ reason: WRONG_TYPE, event, receivedAt });

let dir: string;
let store: ObjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-requarantine-'));
  store = createFsStore({ root: dir });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function putNdjson(key: string, lines: string[], codec = gzipNdjsonCodec) {
  await store.put(key, await codec.fromNdjson(new TextEncoder().encode(`${lines.join('\n')}\n`)));
}

function deps(rules: Record<string, SourceRules>): ReplayQuarantineDeps {
  return { store, codecs: nodeFileCodecs, compress: gzipLevel6, rulesOf: (s) => rules[s] };
}

const SMALL = { maxFileBytes: 4096, minFileBytes: 1024 };

interface StoredEvent {
  messageId: string;
  context: { planViolations?: unknown };
}

async function eventsOf(prefix = 'events/') {
  const files = await snapshot(store, prefix);
  return [...files].map(([key, bytes]) => ({
    key,
    events: linesOf(bytes).map((line) => JSON.parse(line) as StoredEvent),
  }));
}

describe('replayQuarantine', () => {
  it('writes fixed events into their event hour once, reports the still invalid, and repeats nothing on a re-run', async () => {
    const q1 = 'quarantine/source=shop/dt=2026-11-24/00000000000000000007.ndjson.gz';
    await putNdjson(q1, [
      received(order('fixed-1', 12.5)),
      received(order('still-bad', '12.50')),
      // Client clock 1 h behind: sent 10:15 by its clock, arrived 11:15:02 -> filed at 11:15.
      received(order('skewed', 3, { sentAt: '2026-11-24T10:15:01.000Z' }), '2026-11-24T11:15:02Z'),
    ]);
    // A second refused copy of fixed-1, a day later, stored as zstd.
    const q2 = 'quarantine/source=shop/dt=2026-11-25/00000000000000000042.ndjson.zst';
    await putNdjson(
      q2,
      [received(order('fixed-1', 12.5), '2026-11-25T08:00:00Z')],
      zstdNdjsonCodec,
    );
    // An event the forwarder already stored in that hour (the client resent it and it passed).
    const live = 'events/source=shop/dt=2026-11-24/hh=10/00000000000000000003.ndjson.gz';
    await putNdjson(live, [JSON.stringify(order('stored-live', 1))]);
    await putNdjson(q1.replace('007', '008'), [received(order('stored-live', 1))]);

    const rules = { shop: { plan: plan('quarantine') } };
    const first = await replayQuarantine(deps(rules), SMALL);
    expect(first).toMatchObject({
      inputs: 3,
      records: 5,
      events: 2,
      stillInvalid: 1,
      repeatsInQuarantine: 1,
      alreadyStored: 1,
    });
    expect(first.invalid).toEqual([
      {
        file: q1,
        line: 2,
        messageId: 'still-bad',
        reason: [{ path: 'properties/price', message: expect.stringContaining('must be number') }],
      },
    ]);
    const written = (await eventsOf()).filter(({ key }) => key !== live);
    expect(written.map(({ key }) => key)).toEqual([
      expect.stringMatching(
        /^events\/source=shop\/dt=2026-11-24\/hh=10\/[0-9a-f]{32}-000000000001\.ndjson\.gz$/,
      ),
      expect.stringMatching(
        /^events\/source=shop\/dt=2026-11-24\/hh=11\/[0-9a-f]{32}-000000000003\.ndjson\.gz$/,
      ),
    ]);
    const [fixed, skewed] = written.flatMap(({ events }) => events);
    expect(fixed).toMatchObject({ messageId: 'fixed-1', receivedAt: '2026-11-24T10:15:02.000Z' });
    expect(skewed).toMatchObject({
      messageId: 'skewed',
      timestamp: '2026-11-24T11:15:01.000Z',
      originalTimestamp: '2026-11-24T10:15:00.000Z',
    });

    const before = digests(await snapshot(store));
    const second = await replayQuarantine(deps(rules), SMALL);
    expect(second).toEqual(first);
    expect(digests(await snapshot(store))).toEqual(before);
  });

  it('keeps an event the plan flags, with its issues, as the collector would', async () => {
    await putNdjson('quarantine/source=blog/dt=2026-11-24/00000000000000000001.ndjson.gz', [
      received(order('flagged', '12.50')),
    ]);
    const result = await replayQuarantine(deps({ blog: { plan: plan('flag') } }), SMALL);
    expect(result).toMatchObject({ events: 1, stillInvalid: 0 });
    const [file] = await eventsOf();
    expect(file?.events[0]?.context.planViolations).toEqual([
      { path: 'properties/price', message: expect.stringContaining('must be number') },
    ]);
  });

  it('judges a record `sluice import` refused by import rules, and reads only the chosen days', async () => {
    const imported = (day: string, id: string) =>
      JSON.stringify({
        reason: [{ path: 'anonymousId', message: 'required' }],
        event: order(id, 2, { timestamp: `${day}T23:59:00Z` }),
        importedFrom: { input: 'abc', line: 1 },
      });
    await putNdjson('quarantine/source=shop/dt=2026-11-20/00000000000000000001.ndjson.gz', [
      imported('2026-11-20', 'day-20'),
    ]);
    await putNdjson('quarantine/source=shop/dt=2026-11-21/00000000000000000001.ndjson.gz', [
      imported('2026-11-21', 'day-21'),
    ]);
    const options = { ...SMALL, sinceDay: '2026-11-21', untilDay: '2026-11-22' };
    const result = await replayQuarantine(deps({ shop: {} }), options);
    expect(result).toMatchObject({ inputs: 1, events: 1 });
    const files = await eventsOf();
    expect(files.map(({ key }) => key)).toEqual([
      expect.stringMatching(/^events\/source=shop\/dt=2026-11-21\/hh=23\//),
    ]);
    expect(files[0]?.events[0]).toMatchObject({ messageId: 'day-21' });
  });

  it('refuses a source the config does not have, before writing anything', async () => {
    await putNdjson('quarantine/source=gone/dt=2026-11-24/00000000000000000001.ndjson.gz', [
      received(order('x', 1)),
    ]);
    await expect(replayQuarantine(deps({}), SMALL)).rejects.toThrow(
      "not in the collector's config: source gone",
    );
    expect(await eventsOf()).toEqual([]);
  });
});
