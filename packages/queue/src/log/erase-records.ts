// Erases records from the durable log for a data-protection request: each matching record is
// replaced by an erased frame (record-codec.ts), so positions do not move and readers, replays
// and consumers skip it. Crash safety, one segment at a time (replace-segment.ts): a crash
// leaves each segment old or new, never torn; the next run finds what is left and finishes.
// No other process may have the log open while this runs (a writer would go on appending to a
// replaced active segment's old file): the caller holds its lock (lockLogDir), as `sluice
// erase` does, so it refuses while a collector or forwarder owns the log.

import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueueEntry } from '../queue.js';
import { payloadOf, readFrames } from './frame-reader.js';
import {
  decodeEntry,
  encodeErasedFrame,
  frameHeaderBytes,
  isErasedPayload,
} from './record-codec.js';
import { REWRITE_SUFFIX, replaceSegment } from './replace-segment.js';
import { listSegments, segmentFileName, segmentPath, writeFully } from './segment-files.js';

/** Frames gathered per write of the new segment. */
const WRITE_BYTES = 1024 * 1024;

export interface EraseLogOptions {
  /** True for the records to erase (its body is a view: copy what you keep). */
  matches: (entry: QueueEntry) => boolean;
  /** Called with each new segment written and synced, before it replaces the old one. */
  beforeReplace?: (segment: string) => Promise<void> | void;
}

export interface LogErasureReport {
  segmentsScanned: number;
  /** Segments replaced, each with the records erased in it. */
  segmentsRewritten: Array<{ segment: string; recordsErased: number }>;
  recordsErased: number;
  /** Temp files a crashed run left, deleted. */
  staleTempFiles: number;
}

/** Erases every record of the log in `dir` that `matches`; see the module comment. */
export async function eraseLogRecords(
  dir: string,
  options: EraseLogOptions,
): Promise<LogErasureReport> {
  const segmentsDir = join(dir, 'segments');
  const report: LogErasureReport = {
    segmentsScanned: 0,
    segmentsRewritten: [],
    recordsErased: 0,
    staleTempFiles: 0,
  };
  for (const name of await readdir(segmentsDir)) {
    if (!name.endsWith(REWRITE_SUFFIX)) continue;
    await rm(join(segmentsDir, name), { force: true });
    report.staleTempFiles++;
  }
  const firsts = await listSegments(segmentsDir);
  for (const first of firsts) {
    report.segmentsScanned++;
    const path = segmentPath(segmentsDir, first);
    const erased = await matchingPositions(path, first, options.matches);
    if (erased.size === 0) continue;
    await rewriteSegment(path, first, erased, options.beforeReplace);
    report.segmentsRewritten.push({ segment: segmentFileName(first), recordsErased: erased.size });
    report.recordsErased += erased.size;
  }
  return report;
}

/** Calls `visit` with every whole frame of a segment: its position, payload and raw bytes. */
async function forEachFrame(
  path: string,
  first: number,
  visit: (position: number, payload: Buffer, header: number) => Promise<void> | void,
): Promise<number> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    let offset = 0;
    let position = first;
    for (;;) {
      const batch = await readFrames(file, offset, size, Number.POSITIVE_INFINITY);
      for (let i = 0; i < batch.positions.length; i++) {
        const named = batch.positions[i] as number;
        if (!Number.isNaN(named)) position = named;
        await visit(position++, payloadOf(batch, i), frameHeaderBytes(named));
      }
      offset = batch.end;
      if (batch.status === 'end' || (batch.status === 'more' && offset === size)) return offset;
      // A torn tail is what a crashed writer leaves in the last segment: recovery cuts it off
      // when the log is opened, and the rewrite leaves it out. Anything else stops the erasure.
      if (batch.status === 'torn') return offset;
      if (batch.status === 'corrupt') {
        throw new Error(
          `${path}: damaged at byte ${offset}: run \`sluice log verify --repair\` first, then erase again`,
        );
      }
    }
  } finally {
    await file.close();
  }
}

async function matchingPositions(
  path: string,
  first: number,
  matches: EraseLogOptions['matches'],
): Promise<Set<number>> {
  const found = new Set<number>();
  await forEachFrame(path, first, (position, payload) => {
    if (!isErasedPayload(payload) && matches(decodeEntry(payload, position))) found.add(position);
  });
  return found;
}

async function rewriteSegment(
  path: string,
  first: number,
  erased: ReadonlySet<number>,
  beforeReplace: EraseLogOptions['beforeReplace'],
): Promise<void> {
  await replaceSegment(
    path,
    async (out) => {
      let at = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        at += await writeFully(out, pending, at);
        pending = [];
        pendingBytes = 0;
      };
      await forEachFrame(path, first, async (position, payload, header) => {
        const frame = erased.has(position)
          ? encodeErasedFrame(position)
          : // The payload is a view into the read chunk: its frame header sits right before it.
            Buffer.from(payload.buffer, payload.byteOffset - header, payload.length + header);
        pending.push(frame);
        pendingBytes += frame.length;
        if (pendingBytes >= WRITE_BYTES) await flush();
      });
      await flush();
    },
    () => beforeReplace?.(segmentFileName(first)),
  );
}
