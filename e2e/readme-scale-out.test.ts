import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { accepts, freePorts, NATS_SERVER_BIN } from '@sluice/testkit/nats';
import { afterEach, expect, it } from 'vitest';
import { REPO_ROOT } from './cli-process.js';
import { readStoredEvents } from './read-store.js';
import { waitUntil } from './scale-support.js';

// The scale-out commands of docs/scale-out.md and of the README, run as written in a shell:
// nats-server, collectors and forwarders as separate `pnpm sluice` processes. Only ports and
// directories are swapped for free ones; `apt-get install` is left out (the test setup installs
// the same Debian package).

interface Background {
  command: string;
  child: ChildProcess;
  output: () => string;
}

const started: Background[] = [];
let scratch: string | undefined;
afterEach(async () => {
  for (const { child } of started.splice(0)) signalGroup(child, 'SIGKILL');
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid, signal);
  }
}

/** The `sh` code block of a markdown section, with `\` continuations joined. */
async function commandsOf(file: string, heading: string): Promise<string[]> {
  const text = await readFile(join(REPO_ROOT, file), 'utf8');
  const start = text.indexOf(`${heading}\n`);
  expect(start, `${file} has "${heading}"`).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(start))?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Runs `line` in bash in the repository, in its own process group (so it can be signalled). */
function shell(line: string): Background {
  const child = spawn('bash', ['-c', line], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Files cut after 1 s instead of 120 s (the docs name SLUICE_FILE_AGE_MS for this).
    env: {
      ...process.env,
      npm_lifecycle_event: undefined,
      SLUICE_LOG_LEVEL: 'silent',
      SLUICE_FILE_AGE_MS: '1000',
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { command: line, child, output: () => output };
}

/** The exit code once the process ended and its output was read (null: ended by a signal). */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.stdout?.closed !== false && (child.exitCode !== null || child.signalCode !== null)) {
    return Promise.resolve(child.exitCode);
  }
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

/** Runs the commands like a person in a terminal: `&` lines in the background, in order. */
async function runAsWritten(commands: string[], swap: (line: string) => string) {
  const foreground: Background[] = [];
  for (const written of commands) {
    let line = swap(written.replace(/^apt-get install -y nats-server( &&)?/, '').trim());
    if (line === '' || line.startsWith('#')) continue;
    line = line.replace(/^nats-server /, `${NATS_SERVER_BIN} `);
    if (line.endsWith('&')) {
      const job = shell(line.slice(0, -1));
      started.push(job);
      await waitReady(job);
    } else {
      const job = shell(line);
      foreground.push(job);
      expect(await exited(job.child), `${line}\n${job.output()}`).toBe(0);
    }
  }
  return foreground;
}

/** Waits until a background command is ready, as a person would before typing the next line. */
async function waitReady(job: Background): Promise<void> {
  const port = /(?:-p|--port) (\d+)/.exec(job.command)?.[1];
  const ready = job.command.includes('sluice forwarder')
    ? async () => job.output().includes('"ready":true')
    : async () => port !== undefined && (await accepts(Number(port)));
  await waitUntil(async () => {
    if (job.child.exitCode !== null) throw new Error(`${job.command} ended:\n${job.output()}`);
    return ready();
  }, 60_000);
}

/** Waits for the event's file, then checks it is the only line stored. */
async function storedOnce(storeDir: string, messageId: string) {
  const store = createFsStore({ root: storeDir });
  await waitUntil(async () => (await readStoredEvents(store, 'events/')).length > 0, 60_000);
  const stored = await readStoredEvents(store, 'events/');
  expect(stored.map((line) => line.event.messageId)).toEqual([messageId]);
  return stored;
}

/** SIGTERM to both forwarders, as a service manager stops them. */
async function stopForwarders(): Promise<void> {
  const forwarders = started.filter((job) => job.command.includes('sluice forwarder'));
  expect(forwarders).toHaveLength(2);
  for (const job of forwarders) signalGroup(job.child, 'SIGTERM');
  // pnpm itself may end by the signal (null) or with sluice's exit code 0.
  for (const job of forwarders) expect([0, null], job.output()).toContain(await exited(job.child));
}

it('docs/scale-out.md "Try it on one machine": two collectors, two forwarders, the curl stored once', async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sluice-scale-docs-'));
  const [nats, first, second] = await freePorts(3);
  const storeDir = join(scratch, 'store');
  const commands = await commandsOf('docs/scale-out.md', '## Try it on one machine');
  expect(commands.filter((line) => line.includes('sluice collector'))).toHaveLength(2);
  expect(commands.filter((line) => line.includes('sluice forwarder'))).toHaveLength(2);

  const [curl] = await runAsWritten(commands, (line) =>
    line
      .replaceAll('4222', String(nats))
      .replaceAll('/tmp/nats', join(scratch!, 'nats'))
      .replaceAll('8081', String(first))
      .replaceAll('8082', String(second))
      .replaceAll('./data/store', storeDir),
  );
  expect(JSON.parse(curl!.output())).toMatchObject({ accepted: 1 });

  const stored = await storedOnce(storeDir, 'm-1');
  expect(stored[0]?.key).toMatch(/^events\/source=demo\/dt=\d{4}-\d\d-\d\d\/hh=\d\d\//);
  await stopForwarders();
}, 180_000);

it('README "At scale with JetStream and S3": its collector and forwarders carry an event to files', async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sluice-scale-readme-'));
  const [nats, port] = await freePorts(2);
  const storeDir = join(scratch, 'store');
  const commands = await commandsOf('README.md', '### At scale with JetStream and S3');
  await runAsWritten(commands, (line) =>
    line
      .replaceAll('4222', String(nats))
      .replaceAll('/tmp/nats', join(scratch!, 'nats'))
      .replaceAll('8081', String(port))
      .replaceAll('./data/store', storeDir),
  );
  const answer = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({
      writeKey: 'demo-key',
      batch: [{ type: 'track', event: 'Scaled', messageId: 'readme-m-1', anonymousId: 'a' }],
    }),
  });
  expect(await answer.json()).toMatchObject({ accepted: 1 });
  await storedOnce(storeDir, 'readme-m-1');
  await stopForwarders();
}, 180_000);
