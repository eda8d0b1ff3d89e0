import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSluice, startSluice } from './cli-process.js';
import {
  applyDamage,
  type Damage,
  damageArbitrary,
  type ExpectedFinding,
  expectedFindings,
  type FrameSpan,
  frameSpans,
} from './damage-model.js';
import { readStoredEvents } from './read-store.js';
import { recordFigures, SEED, scaled, secondsSince, testFile } from './reliability-figures.js';

// Issue 23's property, with real processes: a log of acknowledged events written by a real
// `sluice start` (SIGKILLed, so nothing was forwarded), then per case one damage to one state
// file (fast-check: flipped bits, a zeroed 4 KiB page, a cut, garbage appended; a segment or
// the consumer file) and a real `sluice log verify` and `sluice start` on a copy. Every event
// outside the damaged bytes must be stored exactly once, verify must find exactly the damage
// made, and a start that cannot forward must not serve. A failure prints fast-check's seed;
// SLUICE_RELIABILITY_SEED repeats it, SLUICE_DAMAGE_RUNS sets the number of cases.

const READY = /Press Ctrl\+C to stop/;
const EVENTS = 300;
const SEGMENT_BYTES = 16_384;
const RUNS = Number(process.env.SLUICE_DAMAGE_RUNS ?? scaled(12, 100));
let root: string;
let base: string;
let segments: string[];
const spans = new Map<string, FrameSpan[]>();
const ids: string[] = [];

const queueArgs = (dir: string) => [
  '--queue',
  `log:${join(dir, 'queue')}?segmentBytes=${SEGMENT_BYTES}`,
];
const urlOf = (out: string) => /demo page\s+(http:\/\/127\.0\.0\.1:\d+)\/demo/.exec(out)![1]!;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-damage-property-'));
  base = join(root, 'base');
  const args = ['start', '--data-dir', base, '--port', '0', '--file-age-ms', '600000'];
  const sluice = await startSluice([...args, ...queueArgs(base)], READY);
  const url = urlOf(sluice.stdout());
  for (let i = 0; i < EVENTS; i += 25) {
    const batch = Array.from({ length: 25 }, (_, j) => ({
      type: 'track',
      event: 'Damage Property',
      messageId: `p-${i + j}`,
      anonymousId: 'a-1',
      properties: { n: i + j, pad: 'q'.repeat(80) },
    }));
    const answer = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ writeKey: 'demo-key', batch }),
    });
    expect(answer.status).toBe(200);
    ids.push(...batch.map((e) => e.messageId));
  }
  await sluice.stop('SIGKILL');
  segments = (await readdir(join(base, 'queue', 'segments'))).sort();
  for (const name of segments)
    spans.set(name, await frameSpans(join(base, 'queue', 'segments', name)));
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

interface CaseOutcome {
  label: string;
  lostByDamage: number;
  stored: string[];
  expectedStored: string[];
}

/** The findings `sluice log verify` printed: segment ranges and torn tails, consumer files. */
function parseVerify(stdout: string) {
  const ranges: Array<Omit<ExpectedFinding, 'lost'> & { segment: string }> = [];
  for (const m of stdout.matchAll(/^DAMAGED: (\d{20}\.log) bytes (\d+)-(\d+):/gm)) {
    ranges.push({
      segment: m[1]!,
      kind: 'damaged' as const,
      start: Number(m[2]),
      end: Number(m[3]),
    });
  }
  for (const m of stdout.matchAll(/^note: \S*?(\d{20}\.log) bytes (\d+)-(\d+): torn tail/gm)) {
    ranges.push({
      segment: m[1]!,
      kind: 'torn-tail' as const,
      start: Number(m[2]),
      end: Number(m[3]),
    });
  }
  const consumers = [...stdout.matchAll(/^DAMAGED: consumer file (\S+) is damaged/gm)].map(
    (m) => m[1]!,
  );
  return { ranges, consumers };
}

async function storedIds(dir: string): Promise<string[]> {
  const store = createFsStore({ root: join(dir, 'store') });
  return (await readStoredEvents(store, 'events/')).map((l) => String(l.event.messageId));
}

/** Starts on `dir`, checks readiness, stops with Ctrl+C (every file written), returns the ids. */
async function startServeStop(dir: string): Promise<string[]> {
  const sluice = await startSluice(
    ['start', '--data-dir', dir, '--port', '0', ...queueArgs(dir)],
    READY,
  );
  const ready = await fetch(`${urlOf(sluice.stdout())}/readyz`);
  expect(ready.status).toBe(200);
  const stopped = await sluice.stop('SIGINT');
  expect(stopped.code, stopped.stderr).toBe(0);
  return storedIds(dir);
}

async function runCase(damage: Damage, n: number): Promise<CaseOutcome> {
  const dir = join(root, `case-${n}`);
  await cp(base, dir, { recursive: true });
  try {
    if (damage.target.file === 'consumer') {
      const path = join(dir, 'queue', 'consumers', 'forwarder.json');
      await applyDamage(path, damage.damage);
      const verified = await runSluice(['log', 'verify', '--data-dir', dir]);
      expect(verified.code).toBe(1);
      const found = parseVerify(verified.stdout);
      expect(found.ranges).toEqual([]);
      expect(found.consumers).toEqual([path]);
      // It cannot forward, so it must not serve: exit 1 before the banner, naming the file.
      const refused = await runSluice([
        'start',
        '--data-dir',
        dir,
        '--port',
        '0',
        ...queueArgs(dir),
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).not.toMatch(READY);
      expect(refused.stderr).toContain(`${path} is damaged`);
      expect(refused.stderr).toContain('sluice log verify --repair');
      const repaired = await runSluice(['log', 'verify', '--data-dir', dir, '--repair']);
      expect(repaired.code, repaired.stdout).toBe(0);
      expect((await runSluice(['log', 'verify', '--data-dir', dir])).code).toBe(0);
      const stored = await startServeStop(dir);
      return {
        label: `consumer ${damage.damage.kind}`,
        lostByDamage: 0,
        stored,
        expectedStored: ids,
      };
    }
    const index = damage.target.index % segments.length;
    const segment = segments[index]!;
    const sealed = index < segments.length - 1;
    const result = await applyDamage(join(dir, 'queue', 'segments', segment), damage.damage);
    const expected = expectedFindings(spans.get(segment)!, result, sealed);
    const verified = await runSluice(['log', 'verify', '--data-dir', dir]);
    const found = parseVerify(verified.stdout);
    expect(found.consumers).toEqual([]);
    expect(found.ranges, verified.stdout).toEqual(
      expected.findings.map(({ lost: _, ...f }) => ({ segment, ...f })),
    );
    const damaged = expected.findings.some((f) => f.kind === 'damaged');
    expect(verified.code).toBe(damaged ? 1 : 0);
    const stored = await startServeStop(dir);
    // Each damaged range a reader crossed is reported with its range; torn tails are cut off.
    const records = await readdir(join(dir, 'queue', 'damaged')).catch(() => [] as string[]);
    for (const f of expected.findings.filter((e) => e.kind === 'damaged' && e.lost > 0)) {
      expect(records).toContain(`${segment}@${f.start}-${f.end}.json`);
      const record = JSON.parse(
        await readFile(
          join(dir, 'queue', 'damaged', `${segment}@${f.start}-${f.end}.json`),
          'utf8',
        ),
      );
      expect(record.kind).toBe('damaged');
    }
    const lost = new Set(expected.lost);
    return {
      label: `${sealed ? 'sealed' : 'active'} segment ${damage.damage.kind}`,
      lostByDamage: lost.size,
      stored,
      expectedStored: ids.filter((id) => !lost.has(id)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

it('stores every acknowledged event outside the damaged bytes exactly once, and verify finds exactly the damage', async () => {
  const started = Date.now();
  const outcomes: CaseOutcome[] = [];
  let n = 0;
  const run = fc.assert(
    fc.asyncProperty(damageArbitrary, async (damage) => {
      const outcome = await runCase(damage, n++);
      outcomes.push(outcome);
      expect(outcome.stored.toSorted()).toEqual(outcome.expectedStored.toSorted());
    }),
    // Real processes: no shrinking, the first counterexample and its seed are the report.
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  await run.finally(async () => {
    const stored = outcomes.reduce((sum, o) => sum + o.stored.length, 0);
    const expected = outcomes.reduce((sum, o) => sum + o.expectedStored.length, 0);
    const missing = outcomes.reduce(
      (sum, o) => sum + o.expectedStored.filter((id) => !o.stored.includes(id)).length,
      0,
    );
    const kinds = new Map<string, number>();
    for (const o of outcomes) kinds.set(o.label, (kinds.get(o.label) ?? 0) + 1);
    await recordFigures('damage-property', {
      title: 'Damage: state files damaged at random (fast-check), then restarted',
      file: testFile(import.meta.url),
      what:
        `${EVENTS} acknowledged events in a log of ${segments.length} segments of 16 KiB written by a real ` +
        `\`sluice start\` (SIGKILLed), then ${outcomes.length} cases of one random damage to a segment or ` +
        'the consumer file (flipped bits, a zeroed 4 KiB page, a cut, garbage appended), each checked by ' +
        '`sluice log verify` and a real `sluice start` on a copy. _Acknowledged_ counts the events ' +
        'outside the damaged bytes (those inside are lost by the damage and reported with their range).',
      events: {
        sent: EVENTS * outcomes.length,
        acknowledged: expected,
        stored,
        lost: missing,
        duplicated:
          stored - new Set(outcomes.flatMap((o, i) => o.stored.map((id) => `${i}:${id}`))).size,
      },
      details: {
        cases: outcomes.length,
        'cases by damage': [...kinds].map(([k, v]) => `${k}: ${v}`).join(', '),
        'events inside damaged bytes (lost, reported with their range)': outcomes.reduce(
          (s, o) => s + o.lostByDamage,
          0,
        ),
        seed: SEED,
      },
      seconds: secondsSince(started),
    });
  });
}, 900_000);
