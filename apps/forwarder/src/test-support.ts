// Shared by this package's tests only (kept out of the published files).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { MessageKind, QueueMessage } from '@sluice/queue';
import { createFsStore, type ObjectStore } from '@sluice/store';
import { afterEach } from 'vitest';

/** 2026-11-24T10:30:00Z: "now" in the tests. */
export const NOW = Date.UTC(2026, 10, 24, 10, 30);

/** A message whose body is a compact JSON line naming it, `{"messageId":"m<n>",...}`. */
export function message(
  n: number,
  overrides: { id?: string; source?: string; time?: number; kind?: MessageKind; pad?: number } = {},
): QueueMessage {
  const id = overrides.id ?? `m${n}`;
  const padding = 'x'.repeat(overrides.pad ?? 0);
  return {
    id,
    source: overrides.source ?? 'shop',
    time: overrides.time ?? NOW,
    kind: overrides.kind ?? 'event',
    body: new TextEncoder().encode(`{"messageId":"${id}","n":${n},"pad":"${padding}"}`),
  };
}

export function bodyText(m: QueueMessage): string {
  return new TextDecoder().decode(m.body);
}

/** A fs store in a fresh temp directory; `cleanup` removes it. */
export async function tempFsStore(): Promise<{
  store: ObjectStore;
  root: string;
  cleanup(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'sluice-forwarder-'));
  return {
    store: createFsStore({ root }),
    root,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export interface StoredFile {
  key: string;
  lines: string[];
}

/** Every data file under `prefix`, gunzipped and split into lines (checkpoints left out). */
export async function readFiles(store: ObjectStore, prefix = ''): Promise<StoredFile[]> {
  const files: StoredFile[] = [];
  for await (const { key } of store.list(prefix)) {
    if (key.startsWith('_sluice/')) continue;
    const bytes = await store.get(key);
    if (!bytes) throw new Error(`listed ${key} but cannot get it`);
    const text = gunzipSync(bytes).toString('utf8');
    if (!text.endsWith('\n')) throw new Error(`${key} does not end with a newline`);
    files.push({ key, lines: text.slice(0, -1).split('\n') });
  }
  return files;
}

/** All lines of all files, in key order. */
export async function readAllLines(store: ObjectStore, prefix = ''): Promise<string[]> {
  return (await readFiles(store, prefix)).flatMap((file) => file.lines);
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Options for fast tests: tiny reads waits and retry delays, small files allowed. */
export const FAST = {
  dedupMemoryBytes: 1024 * 1024,
  readWaitMs: 5,
  retryInitialMs: 5,
  retryMaxMs: 50,
  minFileBytes: 1,
} as const;

/**
 * Runs `forwarder` until the returned crash is called, which aborts the run (no stop, no
 * flush) and then runs `close`, as a crash leaves things; calling it again does nothing.
 */
export function runUntilCrash(
  forwarder: { run(signal?: AbortSignal): Promise<void> },
  close: () => Promise<void>,
): () => Promise<void> {
  const aborted = new AbortController();
  const running = forwarder.run(aborted.signal);
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    aborted.abort();
    await running;
    await close();
  };
}

/** What a test registers to undo (stop, close, remove), run after each test, last first. */
export function cleanupsAfterEach(): Array<() => Promise<void>> {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}

/**
 * True for the checkpoint save that records uploaded files (after their put), false for the
 * one before a put that names the files about to be uploaded: tests fail the first kind to
 * leave a file uploaded but unrecorded.
 */
export function isRecordingSave(key: string, body: Uint8Array): boolean {
  return key.startsWith('_sluice/') && !new TextDecoder().decode(body).includes('"uploading"');
}
