import { decimal, integer, markdownTable, percent } from '../format.js';
import { byPartition, fileStats, type StoredFile } from './edge-files-stores.js';
import { EDGE_SOURCES, EVENTS_PER_REQUEST } from './edge-files-stream.js';
import type { EdgeFilesResults } from './edge-files-suite.js';

const kib = (bytes: number) => `${decimal(bytes / 1024, 0)}`;
const formatLoad = (load: number[]) => load.map((l) => l.toFixed(2)).join(' / ');

/** The source of a partition folder (`events/source=shop/...`). */
const sourceOf = (partition: string) => /source=([^/]+)/.exec(partition)?.[1] ?? partition;

function rows(
  path: string,
  stage: string,
  files: readonly StoredFile[],
  fileBytes: number,
  maxLine: number,
): string[][] {
  const groups = [...byPartition(files)].map(([partition, list]) => [sourceOf(partition), list]);
  return [...groups, ['all', files] as const].map(([source, list]) => {
    const s = fileStats(list as StoredFile[], fileBytes, maxLine);
    return [
      path,
      stage,
      source as string,
      integer(s.events),
      integer(s.files),
      `${kib(s.ndjson.min)} / ${kib(s.ndjson.median)} / ${kib(s.ndjson.max)}`,
      `${integer(s.inBand)} (${percent(s.inBand / s.files)})`,
      `${integer(s.halfOrMore)} (${percent(s.halfOrMore / s.files)})`,
      integer(s.ndjsonBytes / s.events),
      decimal(s.gzipBytes / s.events, 1),
    ];
  });
}

/** The edge-files section of BENCHMARKS.md. */
/** `quickLabel`: the run's --quick warning (a full run has its own run line instead). */
export function edgeFilesReport(
  r: EdgeFilesResults,
  quickLabel: string | undefined,
  node: string,
): string {
  const maxLine = Math.max(...r.paths.flatMap((p) => p.cut.map((f) => f.maxLineBytes)));
  const table = markdownTable(
    [
      'path',
      'files',
      'partition (source)',
      'events',
      'files per hour',
      'NDJSON KiB min / median / max',
      'in the band',
      '≥ half the size',
      'NDJSON B/event',
      'gzip B/event',
    ],
    r.paths.flatMap((p) => [
      ...rows(p.path, 'as cut', p.cut, r.fileBytes, maxLine),
      ...rows(p.path, 'compacted', p.compacted, r.fileBytes, maxLine),
    ]),
  );
  const hour = new Date(r.hourStartMs).toISOString().slice(0, 13);
  const shares = EDGE_SOURCES.map((s) => `${s.id} ${percent(s.share)}`).join(', ');
  const settled = r.paths.map((p) => `${p.path} ${decimal(p.settledMs / 1000, 1)} s`).join(', ');
  const fieldsOnlyIn = r.onlyIn
    .map(({ path, fields }) => `${path}: ${fields.map((f) => `\`${f}\``).join(', ') || 'none'}`)
    .join('; ');
  return `## Files on the edge against Node (issue #19, \`pnpm bench --only=edge-files\`)

${quickLabel ? `${quickLabel}\n` : ''}Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${node}, 2 cores shared with other jobs, load average (1 / 5 / 15 min) ${formatLoad(r.load.before)} at the start of the suite, ${formatLoad(r.load.after)} at its end.

The same stream goes through both paths at the same moments: ${integer(r.events)} of the
benchmark's events with event times spread evenly over one hour (${hour}h UTC, a closed hour),
from four sources (${shares}), ${EVENTS_PER_REQUEST} events a request as the tag batches them;
every 50th request is sent again a wall second later (the tag's retry after an unseen answer:
same body, same messageIds). (a) The wrangler-bundled Worker in workerd (miniflare): fetch →
Cloudflare Queue (local, batches of 100) → one Durable Object per partition → R2. (b) The
Node pipeline process: collector → durable log → forwarder → local directory. Both cut at
${integer(r.fileBytes)} B of NDJSON (the Node forwarder's floor; with the defaults, 16 MiB on
Workers and 64 MiB on Node, every file at this rate is an age cut) or at an age of
${r.fileAgeSeconds} s (both defaults). Each path's own count: every event stored exactly once,
before and after compaction (the suite fails otherwise). No workerd restarts here: miniflare's
queue broker keeps its messages in memory only, so a restart would drop what Cloudflare
keeps; \`apps/worker/src/partition-files.test.ts\` restarts workerd under the queue handler.

**Time is compressed ×${r.timeScale}**: the hour is sent in ${decimal(3600 / r.timeScale, 0)} s of wall
time (${integer((r.events * r.timeScale) / 3600)} events/s instead of ${integer(r.events / 3600)}), the file age runs as ${r.ageWallSeconds} s, the
queue's \`max_batch_timeout\` (30 s) as ${decimal(r.batchTimeoutWallSeconds, 2)} s and the forwarder's \`readWaitMs\` (1 s, how
late its age cut may be) as ${r.readWaitWallMs} ms, so rate × age / size is the real hour's on both paths.
"Files per hour" is the count of the partition's one hour. "In the band" is [size − one line,
size] (${integer(r.fileBytes - maxLine)}–${integer(r.fileBytes)} B), where a size cut lands; compaction merges whole
files, so its outputs may end up to one input short of the target, and "≥ half the size" is
its own measure (it leaves such files alone). Compaction: the Worker's Cron Trigger (run
twice), and the forwarder's compaction core over the Node directory with the same target
after the forwarder stopped, told every log position is acknowledged (as \`sluice compact
--acknowledged-below\`). Sent in ${decimal(r.send.wallMs / 1000, 1)} s, at most ${integer(r.send.maxLateMs)} ms behind schedule,
${integer(r.send.refused)} answers other than 200; every event in a file this long after the last request:
${settled}. Fields only one path stores: ${fieldsOnlyIn}.

${table}`;
}
