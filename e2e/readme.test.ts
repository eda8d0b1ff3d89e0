import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withConfigReference } from '../apps/collector/src/config-reference.js';
import { launchChromium } from './browser.js';
import { collectOutput, REPO_ROOT } from './cli-process.js';

// The README, followed as written: its quick start, its config reference, and a newcomer's
// path from `pnpm start` to their own events in the live view and in DuckDB.

const README = join(REPO_ROOT, 'README.md');
let readme: string;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  readme = await readFile(README, 'utf8');
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'sluice-readme-'));
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The text of a `## heading` section, up to the next `## `. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README has "## ${heading}"`).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The code blocks of `text` in `language`. */
function codeBlocks(text: string, language: string): string[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)]
    .filter((match) => match[1] === language)
    .map((match) => match[2]!);
}

describe('the README', () => {
  it('starts with the two quick-start commands, and they run what it says', async () => {
    expect(codeBlocks(section('Quick start'), 'sh')[0]).toBe(
      'npm i -g pnpm && pnpm install && pnpm start\npnpm test\n',
    );
    const scripts = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
    // node with tsx's loader, not the tsx command: tsx relays Ctrl+C to its child and kills it
    // when it does not answer within 60 ms, before pending events are written.
    expect(scripts.start).toBe(
      'pnpm --filter @sluice/tracker build && node --import tsx scripts/start.ts',
    );
    expect(scripts.test).toBe('bash scripts/test.sh');
    expect(await readFile(join(REPO_ROOT, 'scripts/start.ts'), 'utf8')).toContain(
      "runCli(['start', ...process.argv.slice(2)])",
    );
  });

  it('holds the configuration reference the schema generates', () => {
    expect(withConfigReference(readme)).toBe(readme);
    expect(section('Configuration')).toContain('| `admin.secretHash` | string |');
  });
});

/** Runs a command of the README in the repository, like a person in a terminal. */
function shell(command: string, args: string[], env: NodeJS.ProcessEnv = {}, stdin = '') {
  // Its own process group, so Ctrl+C (SIGINT to the group) reaches pnpm and what it started.
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(stdin);
  const output = collectOutput(child);
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, closed, out: () => output().stdout, err: () => output().stderr };
}

function interrupt(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
}

it('takes a newcomer from `pnpm start` to their events in the live view and in DuckDB', async () => {
  const start = shell('pnpm', ['start'], { SLUICE_DATA_DIR: dir, PORT: '0' });
  try {
    await new Promise<void>((resolve, reject) => {
      start.child.stdout.on('data', () => {
        if (start.out().includes('Press Ctrl+C')) resolve();
      });
      void start.closed.then(() => reject(new Error(`pnpm start ended:\n${start.err()}`)));
    });
    const out = start.out();
    const demo = /demo page\s+(\S+)/.exec(out)?.[1];
    const live = /live view\s+(\S+)/.exec(out)?.[1];
    // Not a terminal: the banner names the secret's file rather than printing it.
    const secretFile = /admin secret: in (\S+)/.exec(out)?.[1];
    const secret = secretFile && (await readFile(secretFile, 'utf8')).trim();
    expect([demo, live, secret].every(Boolean), out).toBe(true);
    expect(out).toContain(`query        pnpm sluice query --store-dir ${dir}/store`);

    // 1. The demo page: press a button, then flush.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo!);
    await page.waitForFunction(
      () => typeof (window as { sluice?: { track?: unknown } }).sluice?.track === 'function',
    );
    await page.click("text=track('Signed Up')");
    await page.click('text=flush()');

    // 2. The live view: log in with the printed secret; the events are there.
    const view = await context.newPage();
    await view.goto(live!);
    await view.fill('#secret', secret!);
    await view.click('button[type=submit]');
    await view.locator('#status', { hasText: 'live' }).waitFor();
    // A new viewer sees what arrives from now on: send another one.
    await page.click("text=track('Signed Up')");
    await page.click('text=flush()');
    const row = view.locator('#events tr', { hasText: 'Signed Up' });
    await row.first().waitFor({ timeout: 20_000 });
    expect(await row.first().locator('td.result').textContent()).toBe('accepted');
    await context.close();
  } finally {
    // 3. Ctrl+C: pending events are written to files first.
    interrupt(start.child);
  }
  // pnpm itself may end by the signal (null) or with sluice's exit code 0; the files tell the rest.
  expect([0, null]).toContain(await start.closed);

  // 4. The README's DuckDB query, saved to a file and run with `pnpm sluice query - < file`.
  const [sql] = codeBlocks(section('Querying with DuckDB'), 'sql');
  expect(sql).toContain("read_ndjson('data/store/events/**/*.ndjson.gz'");
  const ours = sql!.replaceAll('data/store/', `${dir}/store/`);
  const query = shell('pnpm', ['sluice', 'query', '--json', '-'], {}, ours);
  expect(await query.closed, query.err()).toBe(0);
  const rows = query
    .out()
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const today = new Date().toISOString().slice(0, 10);
  expect(rows).toContainEqual({ dt: today, event: 'Signed Up', n: '2' });

  // And the default query the banner prints.
  const summary = shell('pnpm', ['sluice', 'query', '--store-dir', `${dir}/store`]);
  expect(await summary.closed, summary.err()).toBe(0);
  expect(summary.out()).toMatch(/│ \d{4}-\d\d-\d\d │ page +│ NULL +│ [1-9]/);
  expect(summary.out()).toMatch(/│ track +│ Signed Up +│ 2 /);
}, 180_000);
