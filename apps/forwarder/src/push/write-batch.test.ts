import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { messageIdsFileName } from '@sluice/layout';
import { parquetEvents, readParquetRows } from '@sluice/layout/parquet';
import type { QueueMessage } from '@sluice/queue';
import { toWireMessage } from '@sluice/queue/cloudflare';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gzip } from './gzip.js';
import { type DeliveredMessage, UNREADABLE_SOURCE, writeMessageBatch } from './write-batch.js';

const T10 = Date.UTC(2026, 2, 1, 10, 15); // 2026-03-01T10:15Z
const T11 = Date.UTC(2026, 2, 1, 11, 5);
const encoder = new TextEncoder();

let root: string;
let store: ObjectStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-worker-batch-'));
  store = createFsStore({ root });
});
afterEach(() => rm(root, { recursive: true, force: true }));

interface Delivery extends DeliveredMessage {
  outcome: 'pending' | 'acked' | 'retried';
}

/** A message as Cloudflare delivers it, recording whether the consumer acked or retried it. */
function deliver(body: unknown, id: string = crypto.randomUUID()): Delivery {
  const delivery: Delivery = {
    id,
    timestamp: new Date(T11),
    body,
    outcome: 'pending',
    ack() {
      delivery.outcome = 'acked';
    },
    retry() {
      delivery.outcome = 'retried';
    },
  };
  return delivery;
}

function event(id: string, fields: Partial<QueueMessage> = {}): QueueMessage {
  const body = encoder.encode(JSON.stringify({ messageId: id, event: 'Signed Up' }));
  return { id, source: 'shop', time: T10, kind: 'event', body, ...fields };
}

const deliverAll = (messages: QueueMessage[]) => messages.map((m) => deliver(toWireMessage(m)));

async function files(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const { key } of store.list('')) {
    const text = gunzipSync((await store.get(key))!).toString('utf8');
    out.set(key, text.split('\n').slice(0, -1));
  }
  return out;
}

const deps = () => ({ store, compress: gzip, onError: () => {} });

describe('writeMessageBatch', () => {
  it('writes one gzip NDJSON file per partition in the forwarder’s layout, each body a line, then acks', async () => {
    const messages = [
      event('a'),
      event('b', { source: 'blog' }),
      event('c', { time: T11 }),
      event('d'),
      event('q', { kind: 'quarantine' }),
    ];
    const batch = deliverAll(messages);
    const result = await writeMessageBatch(batch, deps());

    const name = (ids: string[]) => messageIdsFileName(ids);
    const expected = new Map([
      [`events/source=blog/dt=2026-03-01/hh=10/${await name(['b'])}.ndjson.gz`, ['b']],
      [`events/source=shop/dt=2026-03-01/hh=10/${await name(['a', 'd'])}.ndjson.gz`, ['a', 'd']],
      [`events/source=shop/dt=2026-03-01/hh=11/${await name(['c'])}.ndjson.gz`, ['c']],
      [`quarantine/source=shop/dt=2026-03-01/${await name(['q'])}.ndjson.gz`, ['q']],
    ]);
    const stored = await files();
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, ids] of expected) {
      expect(stored.get(key)).toEqual(
        ids.map((id) => JSON.stringify({ messageId: id, event: 'Signed Up' })),
      );
    }
    expect(result).toMatchObject({ acked: 5, retried: 0 });
    expect(batch.every((m) => m.outcome === 'acked')).toBe(true);
  });

  it('writes events as Parquet when given that format (quarantine stays gzip), then acks', async () => {
    const batch = deliverAll([event('a'), event('b'), event('q', { kind: 'quarantine' })]);
    const result = await writeMessageBatch(batch, { ...deps(), format: parquetEvents });
    expect(result.written).toEqual([
      `events/source=shop/dt=2026-03-01/hh=10/${await messageIdsFileName(['a', 'b'])}.parquet`,
      `quarantine/source=shop/dt=2026-03-01/${await messageIdsFileName(['q'])}.ndjson.gz`,
    ]);
    const { rows } = await readParquetRows((await store.get(result.written[0]!))!);
    expect(
      rows.map((row) => [row.messageId, row.event, (row.timestamp as Date).getTime()]),
    ).toEqual([
      ['a', 'Signed Up', T10],
      ['b', 'Signed Up', T10],
    ]);
    expect(batch.every((m) => m.outcome === 'acked')).toBe(true);
  });

  it('overwrites its own files when the same messages are delivered again, in any order', async () => {
    const messages = [event('a'), event('b'), event('c', { time: T11 })];
    const first = await writeMessageBatch(deliverAll(messages), deps());
    const again = await writeMessageBatch(deliverAll([...messages].reverse()), deps());
    expect(again.written).toEqual(first.written);
    expect([...(await files()).values()].flat().sort()).toHaveLength(3);
  });

  it('keeps one line for a messageId repeated in a batch and acks every copy', async () => {
    // The third copy was re-timed into another hour: still the same event, not a new file.
    const batch = deliverAll([event('a'), event('a'), event('b'), event('a', { time: T11 })]);
    await writeMessageBatch(batch, deps());
    expect([...(await files()).values()]).toEqual([
      [
        JSON.stringify({ messageId: 'a', event: 'Signed Up' }),
        JSON.stringify({ messageId: 'b', event: 'Signed Up' }),
      ],
    ]);
    expect(batch.map((m) => m.outcome)).toEqual(['acked', 'acked', 'acked', 'acked']);
  });

  it('retries only the messages of a file whose put failed, and acks the rest', async () => {
    // Fault injection: R2 outages cannot be caused on demand, so this store refuses one
    // partition's puts and passes the others to the real fs store.
    const failing: ObjectStore = {
      ...store,
      put: (key, body, options) =>
        key.includes('/hh=11/')
          ? Promise.reject(new Error('R2 is unavailable'))
          : store.put(key, body, options),
    };
    const errors: string[] = [];
    const batch = deliverAll([
      event('a'),
      event('b', { time: T11 }),
      event('c'),
      event('d', { time: T11 }),
    ]);
    const result = await writeMessageBatch(batch, {
      store: failing,
      compress: gzip,
      onError: (_error, key) => errors.push(key),
    });

    expect(batch.map((m) => m.outcome)).toEqual(['acked', 'retried', 'acked', 'retried']);
    expect(result).toMatchObject({ acked: 2, retried: 2 });
    expect(errors).toEqual([expect.stringMatching(/^events\/source=shop\/dt=2026-03-01\/hh=11\//)]);
    expect([...(await files()).keys()]).toEqual([result.written[0]]);
  });

  it('keeps a body that is not a sluice message in quarantine instead of dropping it', async () => {
    const stray = deliver({ hello: 'world' }, 'cf-msg-1');
    const batch = [stray, ...deliverAll([event('a')])];
    await writeMessageBatch(batch, deps());

    const stored = await files();
    const key = [...stored.keys()].find((k) =>
      k.startsWith(`quarantine/source=${UNREADABLE_SOURCE}/`),
    );
    expect(key).toMatch(
      /^quarantine\/source=_unreadable\/dt=2026-03-01\/[0-9a-f]{32}\.ndjson\.gz$/,
    );
    const record = JSON.parse(stored.get(key!)![0]!);
    expect(record.event).toEqual({ hello: 'world' });
    expect(record.reason[0].message).toMatch(/not a sluice queue message/);
    expect(batch.every((m) => m.outcome === 'acked')).toBe(true);
  });
});
