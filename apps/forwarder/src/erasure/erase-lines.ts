import { decodeNdjson, encodeNdjsonText } from '@sluice/layout';
import type { SubjectMatcher } from './subject-matcher.js';

/** What erasing a subject from one file's NDJSON found. */
export interface ErasedLines {
  /** The NDJSON without the subject's lines; undefined when nothing was removed. */
  ndjson?: Uint8Array;
  lines: number;
  events: number;
  quarantined: number;
  /** Lines that could hold the subject's id but are no JSON: kept, and reported. */
  unparsed: number;
}

/**
 * Removes the subject's lines from NDJSON; every other line keeps its exact bytes. Throws a
 * TypeError on bytes that are not UTF-8 (such a file is reported, never rewritten).
 */
export function eraseLines(ndjson: Uint8Array, matcher: SubjectMatcher): ErasedLines {
  const lines = decodeNdjson(ndjson);
  const result: ErasedLines = { lines: lines.length, events: 0, quarantined: 0, unparsed: 0 };
  const kept: string[] = [];
  for (const line of lines) {
    const match = line === '' ? undefined : matcher.match(line);
    if (match === 'event') result.events++;
    else if (match === 'quarantine') result.quarantined++;
    else {
      if (match === 'unparsed') result.unparsed++;
      kept.push(line);
    }
  }
  if (kept.length < lines.length) {
    result.ndjson = encodeNdjsonText(kept);
  }
  return result;
}
