// `pnpm bench`: starts each server in its own process, loads it from another on 127.0.0.1, and
// writes the results into BENCHMARKS.md (only between this harness's own markers).

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { writeSection } from './benchmarks-file.js';
import { type BuiltServers, buildServers } from './build-servers.js';
import { duration } from './format.js';
import { describeMachine } from './machine.js';
import { oldestSupportedNode } from './oldest-node.js';
import { PROFILE_DIR } from './paths.js';
import { summarizeProfile } from './profile-summary.js';
import { measureRequestCosts } from './request-costs.js';
import { parseSettings, type SuiteName } from './settings.js';
import { collectorReport } from './suites/collector-report.js';
import { type CollectorResults, runCollectorSuite } from './suites/collector-suite.js';
import { workersReport } from './suites/collector-workers-report.js';
import { runWorkersSuite } from './suites/collector-workers-suite.js';
import { edgeFilesReport } from './suites/edge-files-report.js';
import { runEdgeFilesSuite } from './suites/edge-files-suite.js';
import { endToEndReport } from './suites/end-to-end-report.js';
import { runEndToEndSuite } from './suites/end-to-end-suite.js';
import { forwarderReport } from './suites/forwarder-report.js';
import { type ForwarderResults, runForwarderSuite } from './suites/forwarder-suite.js';
import { lakeReport } from './suites/lake-report.js';
import { runLakeSuite } from './suites/lake-suite.js';
import { memoryReport, type OtherPeak } from './suites/memory-report.js';
import { runMemorySuite } from './suites/memory-suite.js';
import { sourcesReport } from './suites/sources-report.js';
import { runSourcesSuite } from './suites/sources-suite.js';
import { runTagSizeSuite } from './suites/tag-size-suite.js';
import { buildTag } from './suites/tracker-build.js';

const settings = parseSettings(process.argv.slice(2));
const startedAt = new Date();
const runId = startedAt.getTime().toString(36);
const profileDir = settings.cpuProfile ? PROFILE_DIR : undefined;
/** Suites that failed: the run goes on, and exits 1 at the end. */
const failures: string[] = [];
/** Things outside this harness that were not ready (the tag's build, `bench:size`). */
const warnings: string[] = [];
const label = settings.quick
  ? `_Quick run (\`pnpm bench --quick\`, ${startedAt.toISOString().slice(0, 10)}): a second or a few per measurement, so the numbers are noisy; the full \`pnpm bench\` replaces them._`
  : `_\`pnpm bench${settings.cpuProfile ? ' --cpu-prof' : ''}\`, ${startedAt.toISOString().slice(0, 10)}, on the machine described above${settings.cpuProfile ? '; profiling slows the servers a little' : ''}._`;

/** Runs one suite; a failure is reported and the run goes on with the next. */
async function suite<T>(name: SuiteName, run: () => Promise<T>): Promise<T | undefined> {
  if (!settings.suites.has(name)) return undefined;
  const began = Date.now();
  console.log(`\n== ${name}`);
  try {
    const result = await run();
    console.log(`== ${name} done in ${duration(Date.now() - began)}`);
    return result;
  } catch (error) {
    console.error(`== ${name} failed:`, error);
    failures.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
    return undefined;
  }
}

/** Summaries of the named profiles written so far, as a Markdown block ('' if none). */
async function profileBlock(names: string[]): Promise<string> {
  if (!profileDir) return '';
  const present = new Set(await readdir(profileDir).catch(() => [] as string[]));
  const parts = names
    .filter((name) => present.has(`${name}.cpuprofile`))
    .map((name) => summarizeProfile(join(profileDir, `${name}.cpuprofile`), 12));
  if (parts.length === 0) return '';
  return `\n### Where the time goes (\`--cpu-prof\`)\n\n\`\`\`\n${parts.join('\n\n')}\n\`\`\`\n`;
}

// Other processes on the machine take cores from the servers and from wrk: the load average
// says how busy it was, to read the figures by.
const loadAtStart = loadavg();
const formatLoad = (load: number[]) => load.map((l) => l.toFixed(2)).join(' / ');

/** The machine section: first in a new BENCHMARKS.md, rewritten with the totals at the end. */
function writeMachineSection(took?: number): Promise<void> {
  const command = `pnpm bench${settings.quick ? ' --quick' : ''}${settings.cpuProfile ? ' --cpu-prof' : ''}`;
  const load =
    took === undefined
      ? `load average (1 / 5 / 15 min) at the start: ${formatLoad(loadAtStart)}`
      : `load average (1 / 5 / 15 min): ${formatLoad(loadAtStart)} at the start, ${formatLoad(loadavg())} at the end (${cpus().length} cores; above that, processes waited for a core)`;
  const notes = [load, ...failures.map((f) => `failed: ${f}`), ...warnings];
  return writeSection(
    'machine',
    `## Machine and run

${describeMachine(startedAt)}
- run: \`${command}\`, suites ${[...settings.suites].join(', ')}${took === undefined ? ' (running)' : `, ${duration(took)}`}${notes.map((n) => `\n- ${n}`).join('')}

Every server under test runs in its own Node process; the load comes from another process on
127.0.0.1 (wrk, written in C, so the client costs little CPU; or Chromium). Client and server
share the cores, so compare only figures from the same run.`,
  );
}

const otherNode = oldestSupportedNode();
console.log(
  `Node ${process.version}` +
    (otherNode
      ? `; the collector also on Node ${otherNode.version} (${otherNode.execPath})`
      : '; no tools/node22 (Linux x64 only): the collector on this Node alone'),
);
await writeMachineSection();
if (profileDir) {
  await rm(profileDir, { recursive: true, force: true });
  await mkdir(profileDir, { recursive: true });
}

await suite('size', async () => {
  const problem = await runTagSizeSuite();
  if (problem) {
    console.error(problem);
    warnings.push(`size: ${problem}`);
  }
});

// Without the bundles (another engineer's code may not compile right now) only `size` can run.
const bundled = await buildServers().catch((error: unknown) => {
  console.error('bundling the servers failed:', error);
  failures.push(
    `bundling the servers: ${error instanceof Error ? error.message.split('\n')[0] : error}`,
  );
  return undefined;
});
function servers(): BuiltServers {
  if (!bundled) throw new Error('the servers were not bundled (see above)');
  return bundled;
}

const collector: CollectorResults | undefined = await suite('collector', async () => {
  const results = await runCollectorSuite(settings, servers(), runId, profileDir, otherNode);
  const costs = measureRequestCosts(settings.collector.batchSizes, settings.quick ? 300 : 1_000);
  const profiles = await profileBlock(['collector-fsync-b10', 'collector-fsync-b50']);
  await writeSection('collector', collectorReport(results, label, costs) + profiles);
  return results;
});

await suite('workers', async () => {
  const results = await runWorkersSuite(settings, servers(), runId, profileDir);
  const profiles = await profileBlock([
    'workers-one-process-b10',
    'workers-threads-2-b10-thread1',
    'workers-threads-2-main-b10',
  ]);
  await writeSection('workers', workersReport(results, label) + profiles);
});

const forwarder: ForwarderResults | undefined = await suite('forwarder', async () => {
  const results = await runForwarderSuite(settings, servers(), profileDir);
  const profiles = await profileBlock(['forwarder-fs']);
  await writeSection('forwarder', forwarderReport(results, label) + profiles);
  return results;
});

await suite('end-to-end', async () => {
  const warning = await buildTag();
  if (warning) warnings.push(`end-to-end: ${warning}`);
  const results = await runEndToEndSuite(settings, servers(), profileDir);
  await writeSection('end-to-end', endToEndReport(results, label));
});

await suite('memory', async () => {
  const results = await runMemorySuite(settings, servers(), runId, profileDir);
  const others: OtherPeak[] = [];
  for (const m of collector?.measurements ?? []) {
    if (m.server.key === 'collector-fsync') {
      others.push({
        what: `collector alone (log + fdatasync), loaded with ${m.batch}-event batches`,
        bytes: m.maxRssBytes,
      });
    }
  }
  for (const d of forwarder?.drains ?? []) {
    others.push({ what: `forwarder alone, draining to the ${d.target}`, bytes: d.maxRssBytes });
  }
  const profiles = await profileBlock(['pipeline-memory']);
  await writeSection('memory', memoryReport(results, others, label) + profiles);
});

await suite('sources', async () => {
  const results = await runSourcesSuite(settings, servers());
  await writeSection('sources', sourcesReport(results, label));
});

await suite('lake', async () => {
  const loadBefore = loadavg();
  const results = await runLakeSuite(settings, servers(), profileDir);
  const profiles = await profileBlock(['lake-forwarder-parquet', 'lake-forwarder-ndjson-gzip']);
  // Its own machine lines: a run of this suite alone is read without the machine section.
  const machine = `${describeMachine(startedAt)}\n- load average (1 / 5 / 15 min): ${formatLoad(loadBefore)} at the start of the suite, ${formatLoad(loadavg())} at its end (${cpus().length} cores)`;
  await writeSection('lake', lakeReport(results, label, profiles, machine));
});

await suite('edge-files', async () => {
  // The Worker's bundle serves the built tag.
  const warning = await buildTag();
  if (warning) warnings.push(`edge-files: ${warning}`);
  const results = await runEdgeFilesSuite(settings, servers(), profileDir);
  await writeSection(
    'edge-files',
    edgeFilesReport(results, settings.quick ? label : undefined, process.version),
  );
});

if (profileDir) {
  // A summary beside every profile, so `cat bench/profiles/*.txt` shows them all.
  for (const name of await readdir(profileDir)) {
    if (!name.endsWith('.cpuprofile')) continue;
    const path = join(profileDir, name);
    await writeFile(path.replace(/\.cpuprofile$/, '.txt'), `${summarizeProfile(path, 25)}\n`);
  }
  console.log(`\nCPU profiles and their summaries: ${profileDir}`);
}

const took = Date.now() - startedAt.getTime();
await writeMachineSection(took);
console.log(`\nBENCHMARKS.md written (${duration(took)}).`);
if (warnings.length > 0) console.error(`warnings:\n  ${warnings.join('\n  ')}`);
if (failures.length > 0) {
  console.error(`failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
