// Files on the edge against files from Node (issue #19), in one run: the same event stream goes
// at the same moments through (a) the wrangler-bundled Worker in workerd (miniflare: fetch →
// Cloudflare Queue → a Durable Object per partition → R2) and (b) the Node pipeline (collector
// → durable log → forwarder → a local directory), both cutting files at the same size and
// age; then the Worker's Cron Trigger compacts, and the forwarder's compaction core runs over
// the Node store with the same target. Time is compressed by `timeScale`: the file age, the
// queue's batch timeout and the forwarder's read wait are divided by it, the send rate
// multiplied, so rate × age / size is what it would be in real time.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactPartition, nodeFileCodecs } from '@sluice/forwarder';
import { createFsStore } from '@sluice/store';
import type { BuiltServers } from '../build-servers.js';
import { startServerProcess } from '../server-process.js';
import type { Settings } from '../settings.js';
import {
  type BucketLike,
  byPartition,
  fieldPaths,
  readBucket,
  readFsStore,
  type StoredFile,
  storedOnceProblem,
} from './edge-files-stores.js';
import {
  batchSender,
  EDGE_COLLECTOR_CONFIG,
  edgeStream,
  type SendReport,
  sendStream,
} from './edge-files-stream.js';

const HOUR_MS = 3_600_000;
/** Cloudflare's max_batch_timeout in wrangler.toml (s), compressed like the age. */
const QUEUE_BATCH_TIMEOUT_S = 30;
/** The forwarder's default readWaitMs (its age cuts may be this late), compressed too. */
const FORWARDER_READ_WAIT_MS = 1_000;
const CRON = '17 * * * *';

export type EdgePathName = 'Worker (workerd)' | 'Node forwarder';

export interface EdgePathResult {
  path: EdgePathName;
  /** The files as cut, and after compaction. */
  cut: StoredFile[];
  compacted: StoredFile[];
  /** Wall ms from the last request sent until every event was in a file. */
  settledMs: number;
}

export interface EdgeFilesResults {
  events: number;
  timeScale: number;
  fileBytes: number;
  fileAgeSeconds: number;
  /** The age and batch timeout as run (wall). */
  ageWallSeconds: number;
  batchTimeoutWallSeconds: number;
  readWaitWallMs: number;
  hourStartMs: number;
  send: SendReport;
  paths: EdgePathResult[];
  /** The field paths of a stored event that only one path writes. */
  onlyIn: { path: EdgePathName; fields: string[] }[];
  load: { before: number[]; after: number[] };
}

/** Polls until `read` holds every id of `expected` (or the deadline); the wall ms it took. */
async function settle(
  read: () => Promise<StoredFile[]>,
  expected: ReadonlySet<string>,
  deadline: number,
): Promise<number> {
  const began = performance.now();
  for (;;) {
    const ids = new Set((await read()).flatMap((f) => f.ids));
    if ([...expected].every((id) => ids.has(id))) return performance.now() - began;
    if (Date.now() > deadline) return Number.NaN;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export async function runEdgeFilesSuite(
  settings: Settings,
  built: BuiltServers,
  cpuProfileDir: string | undefined,
): Promise<EdgeFilesResults> {
  const { events, timeScale, fileBytes, fileAgeSeconds } = settings.edgeFiles;
  const ageWallSeconds = fileAgeSeconds / timeScale;
  if (!Number.isInteger(ageWallSeconds)) {
    throw new Error('SLUICE_FILE_AGE_SECONDS is whole seconds: fileAgeSeconds / timeScale must be');
  }
  const batchTimeoutWallSeconds = QUEUE_BATCH_TIMEOUT_S / timeScale;
  const readWaitWallMs = Math.max(1, Math.round(FORWARDER_READ_WAIT_MS / timeScale));
  const wallMs = HOUR_MS / timeScale;
  // A whole hour a day ago: closed past the 2 h grace, so both compactions take it.
  const hourStartMs = Math.floor((Date.now() - 26 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-edge-'));
  const before = loadavg();
  // Outside vitest, so the bundle's helpers come from the file without it.
  const { Miniflare, bundledWorkerOptions, bundleWorker } = await import(
    '../../apps/worker/src/wrangler-bundle.testkit.js'
  );
  await bundleWorker(join(dir, 'bundle'));
  const base = await bundledWorkerOptions(join(dir, 'bundle'), {
    SLUICE_CONFIG: JSON.stringify(EDGE_COLLECTOR_CONFIG),
    SLUICE_FILE_BYTES: String(fileBytes),
    SLUICE_FILE_AGE_SECONDS: String(ageWallSeconds),
  });
  const mf = new Miniflare({
    ...base,
    queueConsumers: Object.fromEntries(
      Object.entries(base.queueConsumers as Record<string, object>).map(([queue, consumer]) => [
        queue,
        { ...consumer, maxBatchTimeout: batchTimeoutWallSeconds },
      ]),
    ),
    durableObjectsPersist: join(dir, 'do'),
    r2Persist: join(dir, 'r2'),
  });
  const dataDir = join(dir, 'node');
  const pipeline = await startServerProcess(
    built.entry('pipeline'),
    {
      dataDir,
      collectorConfig: EDGE_COLLECTOR_CONFIG,
      forwarderOptions: {
        maxFileBytes: fileBytes,
        minFileBytes: fileBytes,
        maxFileAgeMs: ageWallSeconds * 1000,
        readWaitMs: readWaitWallMs,
      },
    },
    { label: 'edge-files-pipeline', cpuProfileDir },
  );
  try {
    await mf.ready;
    const bucket = (await mf.getR2Bucket('EVENTS_BUCKET')) as unknown as BucketLike;
    const stream = edgeStream(events, hourStartMs, wallMs, `ef${Date.now().toString(36)}`);
    const expected = new Set(stream.flatMap((r) => r.ids));
    console.log(
      `edge-files: ${events} events of one simulated hour in ${wallMs / 1000} s (time ×${timeScale}), ` +
        `files at ${fileBytes} B or ${fileAgeSeconds} s (${ageWallSeconds} s of wall time)`,
    );
    const send = await sendStream(stream, [
      batchSender((url, init) => mf.dispatchFetch(url, init as never), 'http://127.0.0.1'),
      batchSender(fetch, pipeline.url),
    ]);
    console.log(
      `edge-files: sent ${send.requests} requests (+${send.resent} again) in ${Math.round(send.wallMs)} ms, ` +
        `${send.refused} refused and retried, at most ${Math.round(send.maxLateMs)} ms late`,
    );
    const deadline = Date.now() + 4 * ageWallSeconds * 1000 + 120_000;
    const workerCache = new Map<string, StoredFile>();
    const nodeCache = new Map<string, StoredFile>();
    const nodeStore = join(dataDir, 'store');
    const [workerSettled, nodeSettled] = await Promise.all([
      settle(() => readBucket(bucket, workerCache), expected, deadline),
      settle(() => readFsStore(nodeStore, nodeCache), expected, deadline),
    ]);
    const workerCut = await readBucket(bucket, workerCache);
    const nodeCut = await readFsStore(nodeStore, nodeCache);
    const stopped = await pipeline.stop();
    // As `sluice compact --acknowledged-below` after the forwarder stopped: then its newest file
    // in each partition is final too.
    if (stopped.acked !== stopped.appended) {
      throw new Error(`the forwarder acknowledged ${stopped.acked} of ${stopped.appended}`);
    }
    const problems = [
      ['Worker', storedOnceProblem(workerCut, expected)],
      ['Node', storedOnceProblem(nodeCut, expected)],
    ].filter(([, problem]) => problem !== undefined);
    if (problems.length > 0) throw new Error(problems.map((p) => p.join(': ')).join('; '));

    // The Worker's Cron Trigger (twice: a second run must find nothing to do), then the
    // forwarder's compaction core over the Node store with the Worker's target.
    const worker = await mf.getWorker();
    for (let run = 0; run < 2; run++) {
      const result = await worker.scheduled({ cron: CRON });
      if (result.outcome !== 'ok') throw new Error(`the Cron Trigger: ${result.outcome}`);
    }
    const store = createFsStore({ root: nodeStore });
    for (const partition of byPartition(nodeCut).keys()) {
      await compactPartition({ store, codecs: nodeFileCodecs }, partition, {
        targetFileBytes: fileBytes,
        minFileBytes: fileBytes,
        acknowledgedBelow: Number(stopped.appended),
      });
    }
    const workerCompacted = await readBucket(bucket);
    const nodeCompacted = await readFsStore(nodeStore);
    for (const [name, files] of [
      ['Worker', workerCompacted],
      ['Node', nodeCompacted],
    ] as const) {
      const problem = storedOnceProblem(files, expected);
      if (problem) throw new Error(`${name} after compaction: ${problem}`);
    }
    const paths: EdgePathResult[] = [
      {
        path: 'Worker (workerd)',
        cut: workerCut,
        compacted: workerCompacted,
        settledMs: workerSettled,
      },
      { path: 'Node forwarder', cut: nodeCut, compacted: nodeCompacted, settledMs: nodeSettled },
    ];
    const fields = paths.map((p) => new Set(fieldPaths(p.cut[0]?.firstLine ?? '{}')));
    const onlyIn = paths.map((p, i) => ({
      path: p.path,
      fields: [...fields[i]!].filter((f) => !fields[1 - i]!.has(f)),
    }));
    console.log(`edge-files: fields only one path stores: ${JSON.stringify(onlyIn)}`);
    for (const p of paths) {
      console.log(
        `edge-files: ${p.path}: every event once; ${p.cut.length} files as cut, ${p.compacted.length} after compaction; ` +
          `all stored ${Math.round(p.settledMs)} ms after the last request`,
      );
    }
    return {
      events,
      timeScale,
      fileBytes,
      fileAgeSeconds,
      ageWallSeconds,
      batchTimeoutWallSeconds,
      readWaitWallMs,
      hourStartMs,
      send,
      paths,
      onlyIn,
      load: { before, after: loadavg() },
    };
  } finally {
    pipeline.kill();
    await mf.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
