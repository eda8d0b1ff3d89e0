// Reading what each path stored, for the edge-files suite: every data file's partition, sizes
// and messageIds (gzip NDJSON), from a local directory (the Node forwarder) or an R2 bucket in
// miniflare (the Worker), and the numbers the report gives per partition.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { median } from '../stats.js';

/** One data file as stored. */
export interface StoredFile {
  key: string;
  /** Its folder (`events/source=…/dt=…/hh=…/`). */
  partition: string;
  gzipBytes: number;
  ndjsonBytes: number;
  /** Its first line (an event as stored). */
  firstLine: string;
  /** Its longest line, newline included. */
  maxLineBytes: number;
  ids: string[];
}

/** Folders and files starting with `_` or `.` are not data (markers, manifests, temp files). */
const isDataKey = (key: string) =>
  key.endsWith('.ndjson.gz') &&
  key.split('/').every((p) => !p.startsWith('_') && !p.startsWith('.'));

function fileOf(key: string, gz: Uint8Array): StoredFile {
  const ndjson = gunzipSync(gz);
  const lines = ndjson.toString('utf8').split('\n').slice(0, -1);
  return {
    key,
    partition: key.slice(0, key.lastIndexOf('/') + 1),
    gzipBytes: gz.byteLength,
    ndjsonBytes: ndjson.byteLength,
    firstLine: lines[0] ?? '',
    maxLineBytes: Math.max(0, ...lines.map((line) => Buffer.byteLength(line) + 1)),
    ids: lines.map((line) => (JSON.parse(line) as { messageId: string }).messageId),
  };
}

/**
 * The data files below `events/`; `cache` keeps files read before (names are derived from
 * their contents, so a key read once does not change) and drops the ones gone.
 */
export async function readFsStore(
  root: string,
  cache = new Map<string, StoredFile>(),
): Promise<StoredFile[]> {
  const names = await readdir(join(root, 'events'), { recursive: true }).catch(() => []);
  const keys = new Set(names.map((n) => `events/${n}`).filter(isDataKey));
  for (const key of cache.keys()) if (!keys.has(key)) cache.delete(key);
  for (const key of keys) {
    if (cache.has(key)) continue;
    const path = join(root, key);
    if (!(await stat(path)).isFile()) continue;
    cache.set(key, fileOf(key, await readFile(path)));
  }
  return [...cache.values()];
}

/** The R2 bucket's part of miniflare's API that this needs. */
export interface BucketLike {
  list(options: {
    prefix: string;
    cursor?: string;
  }): Promise<{ objects: { key: string }[]; truncated: boolean; cursor?: string }>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}

/** As readFsStore, over an R2 bucket. */
export async function readBucket(
  bucket: BucketLike,
  cache = new Map<string, StoredFile>(),
): Promise<StoredFile[]> {
  const keys = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: 'events/', ...(cursor ? { cursor } : {}) });
    for (const { key } of page.objects) if (isDataKey(key)) keys.add(key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  for (const key of cache.keys()) if (!keys.has(key)) cache.delete(key);
  for (const key of keys) {
    if (cache.has(key)) continue;
    const object = await bucket.get(key);
    if (object) cache.set(key, fileOf(key, new Uint8Array(await object.arrayBuffer())));
  }
  return [...cache.values()];
}

/** How often each messageId is stored. */
export function idCounts(files: readonly StoredFile[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of files) for (const id of file.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Every id of `expected` stored exactly once, and nothing else: a sentence saying what is wrong, or undefined. */
export function storedOnceProblem(
  files: readonly StoredFile[],
  expected: ReadonlySet<string>,
): string | undefined {
  const counts = idCounts(files);
  const missing = [...expected].filter((id) => !counts.has(id)).length;
  const twice = [...counts.values()].filter((n) => n > 1).length;
  const strangers = [...counts.keys()].filter((id) => !expected.has(id)).length;
  if (missing + twice + strangers === 0) return undefined;
  return `${missing} events missing, ${twice} stored more than once, ${strangers} not sent`;
}

/** One partition's (or all partitions') files, as the report gives them. */
export interface FileStats {
  files: number;
  events: number;
  ndjson: { min: number; median: number; max: number };
  /** Files of at least `fileBytes` less one line (a size cut, or a full compaction output). */
  inBand: number;
  /** Files of at least half of `fileBytes`: what compaction leaves alone as big enough. */
  halfOrMore: number;
  gzipBytes: number;
  ndjsonBytes: number;
}

/** The stats of `files`, the band being [fileBytes − maxLineBytes, fileBytes]. */
export function fileStats(
  files: readonly StoredFile[],
  fileBytes: number,
  maxLineBytes: number,
): FileStats {
  const sizes = files.map((f) => f.ndjsonBytes);
  return {
    files: files.length,
    events: files.reduce((n, f) => n + f.ids.length, 0),
    ndjson: { min: Math.min(...sizes), median: median(sizes), max: Math.max(...sizes) },
    inBand: sizes.filter((b) => b >= fileBytes - maxLineBytes && b <= fileBytes).length,
    halfOrMore: sizes.filter((b) => b >= fileBytes / 2).length,
    gzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
    ndjsonBytes: sizes.reduce((n, b) => n + b, 0),
  };
}

/** Files grouped by partition folder, folders in order. */
export function byPartition(files: readonly StoredFile[]): Map<string, StoredFile[]> {
  const groups = new Map<string, StoredFile[]>();
  for (const file of [...files].sort((a, b) => a.partition.localeCompare(b.partition))) {
    groups.set(file.partition, [...(groups.get(file.partition) ?? []), file]);
  }
  return groups;
}

/** The field paths (`context.page.url`) of a stored event, to compare what each path stores. */
export function fieldPaths(line: string): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, prefix: string) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      paths.push(prefix);
      return;
    }
    for (const [key, inner] of Object.entries(value))
      walk(inner, prefix ? `${prefix}.${key}` : key);
  };
  walk(JSON.parse(line), '');
  return paths;
}
