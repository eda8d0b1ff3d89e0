// Shared by the table tests only: the store's directory over HTTP, because icebird (the
// independent reader) reads tables with fetch, as it would from S3, and Node's fetch has no file:.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import type { ObjectStore } from '@sluice/store';
import { afterEach, beforeEach } from 'vitest';
import { zstdParquet } from '../formats/parquet-zstd.js';
import { tempFsStore } from '../test-support.js';

/** Serves `root` read-only on a free loopback port; `url` has no trailing slash. */
export async function serveDirectory(
  root: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    const path = join(
      root,
      normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname)),
    );
    const info = await stat(path).catch(() => undefined);
    if (!path.startsWith(root) || !info?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': info.size });
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The running test's store in a temporary directory, and that directory over HTTP. */
export interface ServedStore {
  readonly store: ObjectStore;
  /** Where the directory is served, no trailing slash: the tables' location. */
  readonly url: string;
  /** The events table's URL, as icebird reads it. */
  tableUrl(): string;
}

/** Gives each test of the calling file a fresh served store, closed and removed after it. */
export function servedStorePerTest(): ServedStore {
  let fs: Awaited<ReturnType<typeof tempFsStore>> | undefined;
  let http: Awaited<ReturnType<typeof serveDirectory>> | undefined;
  beforeEach(async () => {
    fs = await tempFsStore();
    http = await serveDirectory(fs.root);
  });
  afterEach(async () => {
    await http?.close();
    await fs?.cleanup();
  });
  const running = () => {
    if (!fs || !http) throw new Error('the served store exists only while a test runs');
    return { fs, http };
  };
  return {
    get store() {
      return running().fs.store;
    },
    get url() {
      return running().http.url;
    },
    tableUrl: () => `${running().http.url}/tables/events`,
  };
}

/**
 * A Parquet file (as the forwarder writes it) of events `m<from>`..`m<to - 1>` at `time`, the
 * event of number n with `userIdOf(n)` as its userId.
 */
export function parquetOfEvents(
  from: number,
  to: number,
  time: number,
  userIdOf: (n: number) => string = (n) => `u${n % 4}`,
): Promise<Uint8Array> {
  const lines = Array.from({ length: to - from }, (_, i) => ({
    body: new TextEncoder().encode(
      JSON.stringify({
        messageId: `m${from + i}`,
        userId: userIdOf(from + i),
        type: 'track',
        event: 'Clicked',
        timestamp: new Date(time).toISOString(),
      }),
    ),
    time,
  }));
  return zstdParquet.encode({ lines, toNdjson: () => new Uint8Array() });
}
