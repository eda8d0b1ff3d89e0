// `pnpm reliability [--soak] [--seed N] [--render-only]`: runs the reliability suite
// (e2e/reliability-*.test.ts) with SLUICE_RELIABILITY_FIGURES set, so each test writes its
// figures into e2e/reliability-figures.json, then renders RELIABILITY.md from that file. If a
// test fails, neither file changes. --render-only renders the figures file as it is.

import { spawnSync } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { FiguresFile, TestFigures } from './reliability-figures.js';

const root = new URL('../', import.meta.url).pathname;
const figuresPath = `${root}e2e/reliability-figures.json`;
const documentPath = `${root}RELIABILITY.md`;

// Sections written by hand, not from figures (defined before the top-level code uses them).
/** The 2026-12 security review's findings, each held by a test (details in SECURITY.md). */
const SECURITY_REVIEW = [
  '## Security review 2026-12: what each attack gets now',
  '',
  'Each finding is reproduced by a test that failed before its fix; SECURITY.md has the details.',
  '',
  '| finding | attack | outcome now (measured in the test) |',
  '|---|---|---|',
  '| 1 high | 64 MB form POST to `/live/login` (declared and chunked) | 413 after about 4 MB on the wire; peak RSS +5 MB (before: answered after the whole body, +575 MB) |',
  '| 2 medium | 300 wrong logins + 300 wrong Bearer tokens from one client | 6 answers 401, 594 answers 429 with Retry-After; chosen secrets stored as scrypt |',
  '| 3 medium | one address past its burst on Workers (workerd) | 429 with Retry-After; another address passes; `context.ip` stored anonymized |',
  '| 4 medium | `sluice erase` after a replay | 36 records removed (log 9, Parquet 8, zstd 8, replay 8, quarantine 3); no file or log segment mentions the subject; a later replay brings nothing back |',
  '| 5 medium | NATS client without credentials; `tls://` to a plain server; a wrong CA | refused each time, with a message naming the problem and no secret in it |',
  '| 6 low | `X-Forwarded-For: ip:port` behind a trusted proxy | the limit applies to the address: 200, 200, 429 at burst 2 (before: never 429) |',
  '| 7 low | cross-site POST to `/live/logout`; a copied cookie after logout | 403 `origin_not_allowed`; the copied cookie is refused |',
  '| 8 low | an event name of ESC/BEL/CSI printed by `sluice query` | shown as `\\x1b` … escapes, in tables and JSON lines |',
  '| 9 low | `sluice start` with stdout in a log | the banner names the 0600 file, never the secret |',
  '| 10 low | `stat` of everything under the data directory | 0600 files, 0700 folders (before: 20 of 21 entries readable by others) |',
  '| 11 low | 2,500 invalid events in one request; full batches past the per-IP event rate | answer 6,963 B (before 873 KB) with `rejectedCount`; 429 with Retry-After, another address unaffected |',
  '',
];

const { values } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    seed: { type: 'string' },
    'render-only': { type: 'boolean', default: false },
  },
});

if (!values['render-only']) {
  const pending = `${figuresPath}.running`;
  await rm(pending, { force: true });
  const seed = values.seed ?? String(Date.now() % 2 ** 31);
  const started = Date.now();
  const run = spawnSync('pnpm', ['exec', 'vitest', 'run', '--project', 'e2e', 'e2e/reliability-'], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      SLUICE_RELIABILITY_FIGURES: pending,
      SLUICE_RELIABILITY_SEED: seed,
      SLUICE_RELIABILITY_SOAK: values.soak ? '1' : '0',
    },
  });
  if (run.status !== 0) {
    console.error('reliability suite failed: RELIABILITY.md and the figures left as they were');
    await rm(pending, { force: true });
    process.exit(run.status ?? 1);
  }
  const figures = JSON.parse(await readFile(pending, 'utf8')) as FiguresFile;
  figures.finishedAt = new Date().toISOString();
  figures.cpus = availableParallelism();
  figures.suiteSeconds = Math.round((Date.now() - started) / 1000);
  await writeFile(pending, `${JSON.stringify(figures, null, 2)}\n`);
  await rename(pending, figuresPath);
  // Keep the JSON as the formatter wants it, so `biome check` stays clean.
  spawnSync('pnpm', ['exec', 'biome', 'format', '--write', figuresPath], {
    cwd: root,
    stdio: 'inherit',
  });
}

const figures = JSON.parse(await readFile(figuresPath, 'utf8')) as FiguresFile;
await writeFile(documentPath, renderDocument(figures));
console.log(`wrote ${documentPath}`);

function number(value: number): string {
  return value.toLocaleString('en');
}

function eventsRow(id: string, t: TestFigures): string {
  const e = t.events!;
  return `| [${t.title}](#${id}) | ${number(e.sent)} | ${number(e.acknowledged)} | ${number(e.stored)} | **${e.lost}** | **${e.duplicated}** |`;
}

function inputsRow(id: string, t: TestFigures): string {
  const i = t.inputs!;
  return `| [${t.title}](#${id}) | ${number(i.tried)} | **${i.serverErrors}** | **${i.crashes}** |`;
}

function section(id: string, t: TestFigures): string {
  const rows: [string, string | number | boolean][] = [];
  if (t.events) {
    rows.push(
      ['events sent', number(t.events.sent)],
      ['acknowledged (200)', number(t.events.acknowledged)],
      ['stored (lines)', number(t.events.stored)],
      ['lost', t.events.lost],
      ['duplicated', t.events.duplicated],
    );
  }
  if (t.inputs) {
    rows.push(
      ['inputs tried', number(t.inputs.tried)],
      ['answers of 500 or more', t.inputs.serverErrors],
      ['crashes', t.inputs.crashes],
    );
  }
  rows.push(...Object.entries(t.details), ['test time (s)', t.seconds]);
  return [
    `<a id="${id}"></a>`,
    `## ${t.title}`,
    '',
    `${t.what} (\`${t.file}\`)`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${String(value).replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
}

function renderDocument(file: FiguresFile): string {
  const tests = Object.entries(file.tests).sort(([a], [b]) => a.localeCompare(b));
  const withEvents = tests.filter(([, t]) => t.events);
  const withInputs = tests.filter(([, t]) => t.inputs);
  const sum = (pick: (t: TestFigures) => number) => tests.reduce((n, [, t]) => n + pick(t), 0);
  const lost = sum((t) => t.events?.lost ?? 0);
  const duplicated = sum((t) => t.events?.duplicated ?? 0);
  const acknowledged = sum((t) => t.events?.acknowledged ?? 0);
  const serverErrors = sum((t) => t.inputs?.serverErrors ?? 0);
  const crashes = sum((t) => t.inputs?.crashes ?? 0);
  const tried = sum((t) => t.inputs?.tried ?? 0);
  return [
    '# Reliability',
    '',
    '<!-- Generated by `pnpm reliability` from e2e/reliability-figures.json: do not edit. -->',
    '',
    'What sluice was shown to survive, with the numbers of the last run of its reliability suite',
    '(`e2e/reliability-*.test.ts`). The tests write these figures as they run; `pnpm reliability`',
    'runs them and renders this page, and changes nothing if a test fails, so the page always',
    'shows a run that passed. `pnpm reliability --soak` runs longer loads, more kills and more',
    'fuzzing; `--seed N` repeats the random choices (kill moments, fuzz inputs) of a run.',
    '',
    `Last run: ${file.finishedAt ?? 'unknown'}, ${file.mode} mode, seed ${file.seed}, Node ${file.node}, ` +
      `${file.cpus ?? '?'} CPUs (shared with other work), ${file.suiteSeconds ?? '?'} s for the suite.`,
    '',
    `**Across every fault: ${number(acknowledged)} events acknowledged, ${lost} lost, ${duplicated} ` +
      `duplicated; ${number(tried)} hostile inputs, ${serverErrors} answers of 500 or more, ` +
      `${crashes} crashes.**`,
    '',
    'Counting: _sent_ is distinct events (messageIds) a client sent; _acknowledged_ those the',
    'collector accepted, in a request it answered 200 and not listed there as rejected (a batch',
    'whose answer was lost is resent with the same messageIds, as the tag does; invalid events',
    'go to quarantine and are counted in the details); _stored_ the lines in the object store;',
    '_lost_ acknowledged events missing from the store; _duplicated_ extra copies of a',
    'messageId in the store.',
    '',
    '## Events under faults',
    '',
    '| test | sent | acknowledged | stored | lost | duplicated |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...withEvents.map(([id, t]) => eventsRow(id, t)),
    '',
    '## Hostile input',
    '',
    '| test | inputs tried | 5xx answers | crashes |',
    '| --- | ---: | ---: | ---: |',
    ...withInputs.map(([id, t]) => inputsRow(id, t)),
    '',
    ...tests.map(([id, t]) => section(id, t)),
    ...failureModel(),
    ...SECURITY_REVIEW,
    '',
    '## Not covered here',
    '',
    '- Power loss and disk faults below the process (the embedded log fsyncs before it',
    '  acknowledges; pulling the plug is not simulated), and a JetStream node dying (see',
    '  `e2e/scale-cluster-fault.test.ts`).',
    '- Timing side channels: secret keys are compared by SHA-256 digest without an early exit',
    '  (`apps/collector/src/secret-keys.ts`), which these tests read but do not time.',
    '- Abuse from many addresses at once (a botnet): per-IP limits do not stop it; see',
    '  [SECURITY.md](SECURITY.md).',
    '',
  ].join('\n');
}

/** What a crash and what damaged bytes can do to the embedded log (issue 23); a function, so
 * it is hoisted above the top-level code that renders the page. */
function failureModel(): string[] {
  return [
    '## Failure model: crashes and damaged bytes (embedded log)',
    '',
    '- **A crash** (SIGKILL, power loss in fsync mode) can only tear the end of the active',
    '  segment after the last acknowledged group: a group is acknowledged after its fdatasync.',
    '  On the next start the bytes after the last valid frame are cut off; if they were not',
    '  zeros they are kept in `queue/damaged/<segment>@<start>-<end>.json` (`kind: torn-tail`)',
    '  and a line says so. Nothing acknowledged is lost.',
    '- **Damage** (bit rot, a torn sector, a zeroed page, a hand edit) is anything else that',
    '  fails its length or CRC check: bad bytes in a sealed segment, or bad bytes followed by a',
    '  valid frame. It is never cut off and never stops a reader: every consumer and replay',
    '  resynchronises on the next valid frame (frame v2 starts with the magic `FF 53 4C 32`,',
    '  a byte UTF-8 never holds, and names its own position under the CRC, so the positions the',
    '  damage took are known). What is lost is the records whose frames overlap the damaged',
    '  bytes, nothing else; events before and after are delivered exactly once.',
    '  Each range is reported once per process: a quarantine record',
    '  (`queue/damaged/<segment>@<start>-<end>.json`: segment, byte range, last position before,',
    '  first after, lost positions, raw bytes in base64), the counters `corruptBytes` and',
    "  `damagedRanges` of the log's stats, and an error line naming what was lost and what to do.",
    '  Logs written before frame v2 stay readable (their frames have no magic; after damage',
    '  among them the positions that follow are counted as if no whole record was lost).',
    '- **State files**, each damage and what it does now:',
    '  - a segment: as above; `sluice log verify --repair` keeps the raw bytes of each range in',
    '    its quarantine record, then rewrites the segment (crash-safe: temp file, fsync, rename)',
    '    with the range replaced by one erased record per position it took, so positions do not',
    '    move and later verifies are clean. Limit: damage that reaches the end of the *active*',
    '    segment (a cut, a zeroed last page, bits flipped in its last records) looks like what a',
    '    crash leaves (a torn tail) and is cut off on start; `verify` notes it, but the log cannot',
    '    tell acknowledged records from unacknowledged ones there, and a cut at a frame boundary',
    '    of the active segment leaves nothing to find.',
    '  - the consumer file (`queue/consumers/<name>.json`) carries a CRC of its position, so',
    '    every flipped bit is seen (before, a flip in a digit read as a wrong position and',
    '    silently skipped records). Damaged, it stops `sluice start` with exit code 1 before',
    '    anything serves, naming the file and the way out: `--repair` rebuilds it from the',
    "    forwarder's checkpoint in the store (`resumeFrom`: every position below it is stored).",
    "  - the forwarder's dedup index (`forwarder/dedup/<consumer>/`, LMDB, no checksums): a",
    '    zeroed or cut `data.mdb` used to kill the process with SIGSEGV inside LMDB. Its meta',
    '    pages are now checked before opening: start exits 1 naming the directory; `verify`',
    '    finds it; `--repair` moves it aside and the forwarder starts an empty index. Safe for',
    '    the log: exactly-once from the log rests on the checkpoint and consumer position, not',
    '    the index; what an empty index forgets is the messageIds of the window, so a client',
    '    resending an event stored before is stored again until the window has passed. Damage',
    '    deeper in its tree is not detected.',
    '  - the forwarder checkpoint (in the store) stops the forwarder with the key named (restore',
    '    it, or delete it: files already stored are written again under the same keys);',
    '    `verify` finds it (it is not rebuilt: the store is the truth).',
    '    `/readyz` answers 503 while the forwarder of `sluice start` is failing.',
    '  - a compaction manifest (`_manifest.json`) ends with the SHA-256 of the rest, so a flipped',
    '    bit in a name or number (which still parses) cannot switch readers to the wrong files:',
    '    readers and compaction refuse it by key, saying to restore it from a backup and not to',
    '    delete it (its outputs would go unread). Not yet checked by `verify`.',
    '- **`sluice log verify [--repair]`** scans every segment, consumer file, dedup index and',
    '  checkpoint,',
    '  prints each damaged range and file, exits 1 if there is any; `--repair` applies the',
    '  recoveries above. `/metrics` counts what readers met: `sluice_log_corrupt_bytes_total`,',
    '  `sluice_log_damaged_ranges_total`.',
    '- Shown by `packages/queue/src/log/log-damage.test.ts`, `repair-segment.test.ts`,',
    '  `consumer-offsets.test.ts` (every single-bit flip refused), `lmdb-file-check.test.ts`, and',
    '  with real processes by `e2e/reliability-damage-property.test.ts` (the property above: see',
    '  its figures; `SLUICE_DAMAGE_RUNS=N` for more cases) and `e2e/reliability-damage.test.ts`:',
    '  600 acknowledged events, SIGKILL, one byte flipped in a sealed segment (1 lost, 599 stored',
    '  once; `--repair` then leaves a clean log), in the active segment (1 lost, 599 once), a',
    '  damaged consumer file (exit 1, `--repair`, 600 once), a consumer file damaged after',
    '  forwarding (rebuilt from the checkpoint, 0 stored twice), a zeroed dedup index (exit 1,',
    '  not SIGSEGV; `--repair`, 600 once).',
  ];
}
