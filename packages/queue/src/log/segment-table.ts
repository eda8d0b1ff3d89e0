// The in-memory table of segments, shared by the writer (which appends to the
// last one) and the consumers (which look up where a position lives).

import { type FileHandle, mkdir, open } from 'node:fs/promises';
import type { FileModes } from './file-modes.js';
import type { DamageReporter, LogDamage } from './log-damage.js';
import { recoverSegment } from './recover-segment.js';
import { listSegments, segmentPath, syncDirectory } from './segment-files.js';

export interface SegmentInfo {
  /** Position of the segment's first record (also its file name). */
  readonly first: number;
  readonly path: string;
  /**
   * Readable bytes: whole records whose group was committed. Exact for the active
   * segment and for segments sealed by this process; for segments found on open,
   * readers take the file's size.
   */
  bytes: number;
  /** Position after the segment's last readable record. */
  end: number;
  /** No longer written to; its size is final. */
  sealed: boolean;
}

/** The segment holding `position` (the last one starting at or before it), if kept. */
export function findSegment(
  segments: readonly SegmentInfo[],
  position: number,
): SegmentInfo | undefined {
  let low = 0;
  let high = segments.length - 1;
  let found: SegmentInfo | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const segment = segments[middle]!;
    if (segment.first <= position) {
      found = segment;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

export interface LoadedSegments {
  segments: SegmentInfo[];
  /** The last segment, open for writing. */
  activeFile: FileHandle;
  /** Bytes cut off a torn tail during recovery. */
  truncatedBytes: number;
  /** Damaged ranges of the last segment (left in place; consumers skip and report them). */
  damages: LogDamage[];
}

/**
 * Lists the segments and recovers the last one. Earlier segments are trusted by
 * their names (each ends where the next begins) and never scanned, so opening
 * costs the same however long the log is.
 */
export async function loadSegments(
  segmentsDir: string,
  sync: boolean,
  modes: Required<FileModes>,
  reporter?: DamageReporter,
): Promise<LoadedSegments> {
  await mkdir(segmentsDir, { recursive: true, mode: modes.dirMode });
  const firsts = await listSegments(segmentsDir);
  if (firsts.length === 0) {
    await (await open(segmentPath(segmentsDir, 0), 'wx', modes.fileMode)).close();
    if (sync) await syncDirectory(segmentsDir);
    firsts.push(0);
  }
  const last = firsts.length - 1;
  const lastFirst = firsts[last]!;
  const recovered = await recoverSegment(
    segmentPath(segmentsDir, lastFirst),
    lastFirst,
    sync,
    reporter,
  );
  const segments = firsts.map(
    (first, i): SegmentInfo => ({
      first,
      path: segmentPath(segmentsDir, first),
      bytes: i === last ? recovered.bytes : Number.NaN,
      end: i === last ? recovered.end : firsts[i + 1]!,
      sealed: i !== last,
    }),
  );
  const activeFile = await open(segmentPath(segmentsDir, lastFirst), 'r+');
  return {
    segments,
    activeFile,
    truncatedBytes: recovered.truncatedBytes,
    damages: recovered.damages,
  };
}
