// The damage of e2e/reliability-damage-property.test.ts: what fast-check may do to one state
// file of a stopped sluice, and what must follow from it (the oracle). The oracle works on the
// frames of the log as written, before the damage: a record is lost exactly when one of its
// frame's bytes changed or went missing, and each run of such frames is one finding of
// `sluice log verify` (a damaged range, or a torn tail at the end of the active segment).

import { open, readFile, truncate, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { payloadOf, readFrames } from '../packages/queue/src/log/frame-reader.js';
import { decodeEntry, frameHeaderBytes } from '../packages/queue/src/log/record-codec.js';

/** One whole frame of a segment as written: its bytes and the messageId it carries. */
export interface FrameSpan {
  start: number;
  end: number;
  id: string;
}

export type DamageKind =
  | { kind: 'flip'; bytes: Array<{ at: number; mask: number }> }
  | { kind: 'zero-page'; page: number }
  | { kind: 'cut'; at: number }
  | { kind: 'append'; garbage: Uint8Array };

export interface Damage {
  /** A segment (index into the sorted list, taken modulo its length) or the consumer file. */
  target: { file: 'segment'; index: number } | { file: 'consumer' };
  damage: DamageKind;
}

const PAGE = 4096;

/** Every damage the property tries: flipped bits, a zeroed 4 KiB page, a cut, garbage appended. */
export const damageArbitrary: fc.Arbitrary<Damage> = fc.record({
  target: fc.oneof(
    { weight: 4, arbitrary: fc.record({ file: fc.constant('segment' as const), index: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ file: fc.constant('consumer' as const) }) },
  ),
  damage: fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      bytes: fc.array(fc.record({ at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    fc.record({ kind: fc.constant('zero-page' as const), page: fc.nat() }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('append' as const),
      garbage: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    }),
  ),
});

/** The frames of a segment file, in order. */
export async function frameSpans(path: string): Promise<FrameSpan[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const batch = await readFrames(file, 0, size, Number.POSITIVE_INFINITY);
    if (batch.end !== size) throw new Error(`${path}: not a clean segment (${batch.status})`);
    return batch.positions.map((_, i) => {
      const payload = payloadOf(batch, i);
      const start = batch.starts[i] as number;
      const position = batch.positions[i] as number;
      const end = start + frameHeaderBytes(position) + payload.length;
      return { start, end, id: decodeEntry(payload, position).id };
    });
  } finally {
    await file.close();
  }
}

/** What a damage did to a file: the original bytes that changed or went missing. */
export interface DamageResult {
  changed: Array<[number, number]>;
  /** Size after the damage. */
  size: number;
  /** Bytes appended, `[from, to)` of the new file. */
  appended?: [number, number];
}

/** Damages `path` as `damage` says. */
export async function applyDamage(path: string, damage: DamageKind): Promise<DamageResult> {
  const before = await readFile(path);
  const size = before.length;
  if (damage.kind === 'append') {
    await writeFile(path, Buffer.concat([before, damage.garbage]));
    return {
      changed: [],
      size: size + damage.garbage.length,
      appended: [size, size + damage.garbage.length],
    };
  }
  if (damage.kind === 'cut') {
    const at = size === 0 ? 0 : damage.at % size;
    await truncate(path, at);
    return { changed: [[at, size]], size: at };
  }
  const after = Buffer.from(before);
  if (damage.kind === 'flip') {
    for (const { at, mask } of damage.bytes) {
      if (size > 0) after[at % size] = (after[at % size] as number) ^ mask;
    }
  } else {
    const page = size === 0 ? 0 : damage.page % Math.ceil(size / PAGE);
    after.fill(0, page * PAGE, Math.min(size, (page + 1) * PAGE));
  }
  await writeFile(path, after);
  const changed: Array<[number, number]> = [];
  for (let i = 0; i < size; i++) if (before[i] !== after[i]) changed.push([i, i + 1]);
  return { changed, size };
}

/** A finding `sluice log verify` must print for a segment. */
export interface ExpectedFinding {
  kind: 'damaged' | 'torn-tail';
  start: number;
  end: number;
  /** Records lost in it (0: garbage after the last record, which no reader needs to cross). */
  lost: number;
}

/**
 * What verify must find in a segment whose frames were `spans`, and the messageIds lost. A run
 * of damaged frames is one range up to the next whole frame; in the active segment a run that
 * reaches the end is a torn tail (a crash could leave it), and a cut at a frame boundary leaves
 * nothing to find; in a sealed one such a cut is an empty range (the next segment's first
 * position says records are missing).
 */
export function expectedFindings(
  spans: FrameSpan[],
  result: DamageResult,
  sealed: boolean,
): { findings: ExpectedFinding[]; lost: string[] } {
  const hit = spans.map((s) => result.changed.some(([a, b]) => a < s.end && b > s.start));
  const findings: ExpectedFinding[] = [];
  const lost: string[] = [];
  for (let i = 0; i < spans.length; i++) {
    if (!hit[i]) continue;
    const first = spans[i]!;
    while (i + 1 < spans.length && hit[i + 1]) i++;
    for (const span of spans.slice(spans.indexOf(first), i + 1)) lost.push(span.id);
    const next = spans[i + 1];
    const start = Math.min(first.start, result.size);
    const end = next ? next.start : result.size;
    if (!next && !sealed && end === start) continue; // the active segment cut at a boundary
    const kind = !next && !sealed ? 'torn-tail' : 'damaged';
    findings.push({ kind, start, end, lost: i + 1 - spans.indexOf(first) });
  }
  if (result.appended) {
    const [start, end] = result.appended;
    findings.push({ kind: sealed ? 'damaged' : 'torn-tail', start, end, lost: 0 });
  }
  return { findings, lost };
}
