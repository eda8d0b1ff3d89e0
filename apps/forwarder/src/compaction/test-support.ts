// Shared by the compaction, erasure and live-files tests only (kept out of the published files).

import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeNdjsonText, isDataKey } from '@sluice/layout';
import type { ObjectStore } from '@sluice/store';
import { nodeFileCodecs } from '../formats/node-codecs.js';
import { zstdParquet } from '../formats/parquet-zstd.js';
import { readLiveFiles } from '../live-files.js';

export { storeKinds, storeKindsClosedAfterAll } from '../testing/store-kinds.js';

export const HOUR = 'events/source=shop/dt=2026-11-24/hh=10/';

/** An event line as the collector stores it. */
export function eventLine(
  n: number,
  ids: { userId?: string; anonymousId?: string; type?: string; previousId?: string } = {},
): string {
  return JSON.stringify({
    type: ids.type ?? 'track',
    event: 'Order Completed',
    messageId: `m-${n}`,
    anonymousId: ids.anonymousId ?? `a-${n % 5}`,
    ...(ids.userId === undefined ? {} : { userId: ids.userId }),
    ...(ids.previousId === undefined ? {} : { previousId: ids.previousId }),
    properties: { n },
  });
}

/**
 * Writes a file as the forwarder does: `<partition><20-digit position>.ndjson.gz`, or with
 * `parquet`, `.parquet` with zstd pages (each line's event time is its `timestamp`, if any).
 */
export async function putForwarderFile(
  store: ObjectStore,
  partition: string,
  position: number,
  lines: readonly string[],
  format: 'ndjson-gzip' | 'parquet' = 'ndjson-gzip',
): Promise<string> {
  const stem = `${partition}${String(position).padStart(20, '0')}`;
  if (format === 'parquet') {
    const key = `${stem}.parquet`;
    const encoder = new TextEncoder();
    const fileLines = lines.map((line) => ({
      body: encoder.encode(line),
      time: Date.parse(String(JSON.parse(line).timestamp)),
    }));
    await store.put(
      key,
      await zstdParquet.encode({ lines: fileLines, toNdjson: () => encodeNdjsonText(lines) }),
    );
    return key;
  }
  const key = `${stem}.ndjson.gz`;
  await store.put(key, gzipNdjson(lines));
  return key;
}

export function gzipNdjson(lines: readonly string[]): Uint8Array {
  return gzipSync(lines.map((line) => `${line}\n`).join(''));
}

export function gunzipLines(bytes: Uint8Array): string[] {
  const text = gunzipSync(bytes).toString('utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

/** The lines a manifest-aware reader sees below `prefix`, file after file in key order. */
export async function readLiveLines(store: ObjectStore, prefix: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const { files } of readLiveFiles(store, prefix, { codecs: nodeFileCodecs })) {
    for (const file of files) {
      const text = new TextDecoder().decode(file.ndjson);
      if (text !== '') lines.push(...text.slice(0, -1).split('\n'));
    }
  }
  return lines;
}

/** The lines a plain glob (`**\/*.ndjson.gz`) sees below `prefix`: every data file. */
export async function readPlainLines(store: ObjectStore, prefix: string): Promise<string[]> {
  const lines: string[] = [];
  for (const [key, bytes] of await objects(store, prefix)) {
    if (isDataKey(key) && key.endsWith('.ndjson.gz')) lines.push(...gunzipLines(bytes));
  }
  return lines;
}

/** Every object below `prefix`, key -> bytes, in key order. */
export async function objects(store: ObjectStore, prefix = ''): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  for await (const { key } of store.list(prefix)) {
    const bytes = await store.get(key);
    if (!bytes) throw new Error(`listed ${key} but cannot get it`);
    found.set(key, bytes);
  }
  return found;
}

/** Key -> sha256 of every object below `prefix` (for "nothing changed" and "same files"). */
export async function digests(store: ObjectStore, prefix = ''): Promise<Record<string, string>> {
  const found = await objects(store, prefix);
  return Object.fromEntries(
    [...found].map(([key, bytes]) => [key, createHash('sha256').update(bytes).digest('hex')]),
  );
}

/** The names of the data files below `prefix`. */
export async function dataNames(store: ObjectStore, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const { key } of store.list(prefix)) {
    if (isDataKey(key)) names.push(key.slice(key.lastIndexOf('/') + 1));
  }
  return names;
}

/** Sorted copy, to compare multisets of lines. */
export function sorted(lines: readonly string[]): string[] {
  return [...lines].sort();
}

/** Thrown by a store that "crashed": the process is gone, nothing after it happens. */
export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash');
  }
}

/** A store whose `mutation`-th put or delete (from 0) and every call after it fail, undone. */
export function crashBeforeMutation(inner: ObjectStore, mutation: number): ObjectStore {
  let mutations = 0;
  let crashed = false;
  const alive = () => {
    if (crashed) throw new SimulatedCrash();
  };
  const mutate = async (action: () => Promise<void>) => {
    alive();
    if (mutations++ === mutation) {
      crashed = true;
      throw new SimulatedCrash();
    }
    await action();
  };
  return {
    put: (key, body, options) => mutate(() => inner.put(key, body, options)),
    delete: (key) => mutate(() => inner.delete(key)),
    async get(key) {
      alive();
      return inner.get(key);
    },
    async *list(prefix) {
      alive();
      for await (const info of inner.list(prefix)) {
        alive();
        yield info;
      }
    },
  };
}

/** Counts the puts and deletes made through it. */
export function countMutations(inner: ObjectStore): { store: ObjectStore; count(): number } {
  let mutations = 0;
  return {
    store: {
      ...inner,
      put: (key, body, options) => {
        mutations++;
        return inner.put(key, body, options);
      },
      delete: (key) => {
        mutations++;
        return inner.delete(key);
      },
    },
    count: () => mutations,
  };
}

/**
 * Runs a writer one put or delete at a time: each waits until `advance` lets it go, and
 * `advance(n)` resolves once n more have completed (or the writer is `finished`).
 */
export function createStepper(inner: ObjectStore): {
  store: ObjectStore;
  advance(steps: number): Promise<void>;
  finished(): void;
} {
  let permits = 0;
  let completed = 0;
  let done = false;
  const waiting: Array<() => void> = [];
  const watchers = new Set<() => void>();
  const gate = async <T>(action: () => Promise<T>): Promise<T> => {
    if (permits > 0 || done) permits--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await action();
    } finally {
      completed++;
      for (const watcher of watchers) watcher();
    }
  };
  return {
    store: {
      put: (key, body, options) => gate(() => inner.put(key, body, options)),
      delete: (key) => gate(() => inner.delete(key)),
      get: (key) => inner.get(key),
      list: (prefix) => inner.list(prefix),
    },
    async advance(steps) {
      const target = completed + steps;
      for (let i = 0; i < steps; i++) {
        const next = waiting.shift();
        if (next) next();
        else permits++;
      }
      await new Promise<void>((resolve) => {
        const check = () => {
          if (completed < target && !done) return;
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
      });
    },
    finished() {
      done = true;
      for (const next of waiting.splice(0)) next();
      for (const watcher of [...watchers]) watcher();
    },
  };
}

/** A store that calls `before` ahead of every call and between the items of every listing. */
export function interruptingStore(inner: ObjectStore, before: () => Promise<void>): ObjectStore {
  return {
    async put(key, body, options) {
      await before();
      return inner.put(key, body, options);
    },
    async delete(key) {
      await before();
      return inner.delete(key);
    },
    async get(key) {
      await before();
      return inner.get(key);
    },
    async *list(prefix) {
      await before();
      for await (const info of inner.list(prefix)) {
        yield info;
        await before();
      }
    },
  };
}

export { seededRandom } from '@sluice/testkit/random';
