import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORWARDER_NODE_FLAGS } from '@sluice/forwarder';
import { openLogQueue } from '@sluice/queue';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runSluice, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

// Every command of `sluice`, run as real processes in a scratch directory.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const COMMANDS = [
  [],
  ['start'],
  ['collector'],
  ['forwarder'],
  ['mqtt-bridge'],
  ['replay'],
  ['import'],
  ['erase'],
  ['compact'],
  ['keys'],
  ['keys', 'create'],
  ['config'],
  ['config', 'check'],
  ['sources'],
  ['log'],
  ['query'],
  ['usage'],
];

describe('sluice query', () => {
  it('prints an event name with terminal escape sequences inert, in the table and as JSON', async () => {
    // Security review 2026-12, finding 8: such a name set the window title and rewrote lines.
    const sql = "SELECT chr(27) || ']0;owned' || chr(7) || chr(155) || '2J' AS event, 1 AS n";
    const table = await runSluice(['query', sql]);
    expect(table.code, table.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal.
    expect(table.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(table.stdout).toContain('\\x1b]0;owned\\x07\\x9b2J');
    const json = await runSluice(['query', '--json', sql]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal.
    expect(json.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(JSON.parse(json.stdout)).toEqual({ event: '\u001b]0;owned\u0007\u009b2J', n: 1 });
  }, 60_000);
});

describe('sluice replay and import, given what they cannot do', () => {
  it('explain bad options, a range the log does not hold and unreadable inputs, and exit 1', async () => {
    const queueDir = join(dir, 'mistakes-queue');
    await (await openLogQueue({ dir: queueDir, durability: 'none' })).close();
    const store = ['--store-dir', join(dir, 'mistakes-store')];
    const results = await Promise.all([
      runSluice(['replay', '--from', 'ten', '--queue-dir', queueDir, ...store]),
      // This one once hung after its error: the progress bar kept the process alive.
      runSluice(['replay', '--to', '5', '--queue-dir', queueDir, ...store]),
      runSluice(['import', ...store, join(dir, 'x.ndjson')]),
      runSluice(['import', '--source', 'Shop!', ...store, join(dir, 'x.ndjson')]),
      runSluice(['import', '--source', 's', ...store, join(dir, 'missing.ndjson')]),
      writeFile(join(dir, 'x.xml'), '<x/>').then(() =>
        runSluice(['import', '--source', 's', ...store, join(dir, 'x.xml')]),
      ),
    ]);
    expect(results.map((r) => r.code)).toEqual([1, 1, 1, 1, 1, 1]);
    const [badFrom, pastEnd, noSource, badSlug, missing, xml] = results.map((r) => r.stderr);
    expect(badFrom).toContain("option '--from <position>' argument 'ten' is invalid");
    expect(pastEnd).toContain('sluice: to 5 is past the end of the log (0)');
    expect(noSource).toContain("required option '--source <id>' not specified");
    expect(badSlug).toMatch(/invalid import options:\n✖ must be a slug.*\n {2}→ at source/);
    expect(missing).toMatch(/sluice: ENOENT: .*missing\.ndjson/);
    expect(xml).toContain('cannot tell the format from the name');
  }, 60_000);
});

describe('sluice --help', () => {
  it('explains every command', async () => {
    const helps = await Promise.all(COMMANDS.map((command) => runSluice([...command, '--help'])));
    helps.forEach((help, i) => {
      const command = COMMANDS[i]!;
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stdout).toContain(`Usage: sluice ${command.join(' ')}`.trimEnd());
    });
    const top = helps[0]!.stdout;
    for (const name of [
      'start',
      'collector',
      'forwarder',
      'mqtt-bridge',
      'replay',
      'import',
      'erase',
      'compact',
      'keys',
      'config',
      'sources',
      'log',
      'query',
      'usage',
    ]) {
      expect(top).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    // Options name the environment variables the earlier scripts read.
    expect(helps[COMMANDS.findIndex((c) => c[0] === 'forwarder')]!.stdout).toContain(
      'env: QUEUE_URL',
    );
    expect(helps[COMMANDS.findIndex((c) => c[0] === 'forwarder')]!.stdout).toContain(
      'SLUICE_STORE_DIR',
    );
  }, 120_000);

  it('refuses a mistyped option with a pointer to the help', async () => {
    const wrong = await runSluice(['start', '--prot', '1']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("unknown option '--prot'");
    expect(wrong.stderr).toContain('(Did you mean --port?)');
  }, 60_000);
});

describe('sluice keys create and config check', () => {
  it('makes keys whose config lines pass the check and work in a running collector', async () => {
    const keys = await runSluice([
      'keys',
      'create',
      '--source',
      'shop',
      '--origin',
      'https://shop.example',
      '--json',
    ]);
    const admin = await runSluice(['keys', 'create', '--admin', '--json']);
    const made = JSON.parse(keys.stdout) as { writeKey: string; secretKey: string; source: object };
    const { adminSecret, admin: adminSection } = JSON.parse(admin.stdout) as {
      adminSecret: string;
      admin: object;
    };
    const file = join(dir, 'sluice.config.json');
    await writeFile(file, JSON.stringify({ sources: [made.source], admin: adminSection }, null, 2));
    const check = await runSluice(['config', 'check', file]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(
      'ok: 1 source (shop), 1 write key, 1 secret key; live view on at /live',
    );

    // The text form says where each piece goes.
    const text = await runSluice(['keys', 'create']);
    expect(text.stdout).toMatch(/^write key {3}wk_[\w-]{22}$/m);
    expect(text.stdout).toMatch(/^secret key {2}sk_[\w-]{43}$/m);
    expect(text.stdout).toContain('"secretKeys": ["sha256:');

    const collector = await startSluice(
      ['collector', '--config', file, '--port', '0', '--queue', 'memory:', '--log-level', 'silent'],
      /"url"/,
    );
    try {
      const { url } = JSON.parse(collector.stdout()) as { url: string };
      const send = (headers: Record<string, string>, body: object) =>
        fetch(`${url}/v1/track`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            type: 'track',
            event: 'Keyed',
            messageId: crypto.randomUUID(),
            anonymousId: 'a',
            ...body,
          }),
        });
      expect(
        (await send({ origin: 'https://shop.example' }, { writeKey: made.writeKey })).status,
      ).toBe(200);
      expect(
        (await send({ origin: 'https://evil.example' }, { writeKey: made.writeKey })).status,
      ).toBe(403);
      expect((await send({ authorization: `Bearer ${made.secretKey}` }, {})).status).toBe(200);
      const live = await fetch(`${url}/live/events`, {
        headers: { authorization: `Bearer ${adminSecret}` },
      });
      expect(live.status).toBe(200);
      await live.body?.cancel();
    } finally {
      expect((await collector.stop('SIGTERM')).code).toBe(0);
    }
  }, 120_000);

  it('reports every mistake with its place and how to fix it, and fails', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(
      file,
      `{
  "limits": { "maxRequestByte": 1000000 },
  "sources": [
    { "id": "shop", "writeKeys": ["wk 1"], "allowedOrigins": ["shop.example"] }
  ]
}
`,
    );
    const check = await runSluice(['config', 'check', file], {
      env: { SLUICE__sources__shop__enrich__ip: 'keep' },
    });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`checking ${file} with SLUICE__* overrides`);
    expect(check.stdout).toContain(`error: ${file}:2:15  limits.maxRequestByte`);
    expect(check.stdout).toContain('fix: did you mean "maxRequestBytes"?');
    expect(check.stdout).toContain(`error: ${file}:4:35  sources[0].writeKeys[0]`);
    expect(check.stdout).toContain(`error: ${file}:4:63  sources[0].allowedOrigins[0]`);
    expect(check.stdout).toContain(
      'error: SLUICE__sources__shop__enrich__ip  sources[0].enrich.ip',
    );
    expect(check.stdout).toContain('4 errors: the collector would not start with this config.');

    // The collector refuses the same file at start, and says where to look.
    const start = await runSluice(['collector', '--config', file, '--port', '0']);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain('Run `sluice config check`');
  }, 60_000);
});

describe('the bulk commands', () => {
  const DAY = '2026-11-01';
  function line(n: number, fields: Record<string, unknown> = {}): string {
    const timestamp = `${DAY}T10:0${n % 10}:00.000Z`;
    return JSON.stringify({
      type: 'track',
      event: n % 2 ? 'Order Completed' : 'Signed Up',
      messageId: `imp-${n}`,
      anonymousId: `a-${n % 3}`,
      userId: n % 3 === 0 ? 'user-erase-me' : `user-${n}`,
      timestamp,
      receivedAt: timestamp,
      ...fields,
    });
  }

  it('import, query, compact, erase and replay, each with a progress bar and a JSON result', async () => {
    const storeDir = join(dir, 'bulk-store');
    const store = createFsStore({ root: storeDir });
    // Three inputs with events of the same hour: three small files in one partition.
    const inputs: string[] = [];
    for (let file = 0; file < 3; file++) {
      const path = join(dir, `history-${file}.ndjson`);
      const lines = Array.from({ length: 10 }, (_, i) => line(file * 10 + i));
      if (file === 0) lines.push(JSON.stringify({ type: 'track', messageId: 'no-name' }));
      await writeFile(path, `${lines.join('\n')}\n`);
      inputs.push(path);
    }
    const imported = await runSluice([
      'import',
      '--source',
      'shop',
      '--store-dir',
      storeDir,
      ...inputs,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const results = jsonLines<Record<string, number>>(imported.stdout);
    expect(results.map((r) => [r.events, r.quarantined])).toEqual([
      [10, 1],
      [10, 0],
      [10, 0],
    ]);
    expect(imported.stderr).toMatch(/import .*history-0\.ndjson \[[█░]+\] 100% \|/);

    const partition = `events/source=shop/dt=${DAY}/hh=10/`;
    expect(await readdir(join(storeDir, partition))).toHaveLength(3);
    const queried = await runSluice(['query', '--store-dir', storeDir, '--json']);
    expect(queried.code, queried.stderr).toBe(0);
    expect(jsonLines(queried.stdout)).toEqual([
      { dt: DAY, type: 'track', event: 'Order Completed', events: '15' },
      { dt: DAY, type: 'track', event: 'Signed Up', events: '15' },
    ]);

    const compacted = await runSluice(['compact', '--store-dir', storeDir, '--target-mib', '1']);
    expect(compacted.code, compacted.stderr).toBe(0);
    expect(JSON.parse(compacted.stdout)).toMatchObject({ compacted: 1, failed: [] });
    expect(compacted.stderr).toMatch(/compact \[[█░]+\] 100% \| 2\/2 partitions/);
    const data = (await readdir(join(storeDir, partition))).filter((f) => !f.startsWith('_'));
    expect(data).toHaveLength(1);
    expect(await readStoredEvents(store, 'events/')).toHaveLength(30);

    // Erasing from the store alone (no queue), as after the queue was emptied.
    const eraseUser = () =>
      runSluice([
        'erase',
        '--store-dir',
        storeDir,
        '--user-id',
        'user-erase-me',
        '--queue',
        'none',
      ]);
    const erased = await eraseUser();
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ store: { eventsRemoved: 10 } });
    expect(erased.stderr).toMatch(
      /: 10 events and 0 quarantined records removed from 1 of 2 files/,
    );
    const left = await readStoredEvents(store, 'events/');
    expect(left).toHaveLength(20);
    expect(left.some((l) => l.event.userId === 'user-erase-me')).toBe(false);
    const again = await eraseUser();
    expect(JSON.parse(again.stdout)).toMatchObject({ recordsRemoved: 0 });

    // Replay reads a durable log (here one written directly) into its own folder.
    const queueDir = join(dir, 'queue');
    const queue = await openLogQueue({ dir: queueDir });
    const encoder = new TextEncoder();
    await queue.append(
      Array.from({ length: 25 }, (_, n) => ({
        id: `q-${n}`,
        source: 'shop',
        time: Date.parse(`${DAY}T12:00:00Z`),
        kind: 'event' as const,
        body: encoder.encode(line(100 + n)),
      })),
    );
    await queue.close();
    const replayed = await runSluice(['replay', '--queue-dir', queueDir, '--store-dir', storeDir]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({
      from: 0,
      to: 25,
      lines: 25,
      prefix: 'replay/0-25/',
    });
    expect(replayed.stderr).toMatch(/replay \[[█░]+\] 100% \| 25\/25 positions/);
    expect(await readStoredEvents(store, 'replay/0-25/events/')).toHaveLength(25);
  }, 180_000);
});

describe('sluice forwarder', () => {
  /** The running process's command line as the kernel has it (after any relaunch). */
  const commandLineOf = async (pid: number | undefined) =>
    (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');

  // `sluice start` runs a forwarder too, beside the collector: it takes the same flags.
  const commands: Array<[string, (name: string) => string[], RegExp]> = [
    [
      'forwarder',
      (name) => [
        'forwarder',
        '--queue',
        `log:${join(dir, `flags-queue-${name}`)}`,
        '--store-dir',
        join(dir, `flags-store-${name}`),
      ],
      /"ready":true/,
    ],
    [
      'start',
      (name) => ['start', '--data-dir', join(dir, `flags-start-${name}`), '--port', '0'],
      /Press Ctrl\+C to stop/,
    ],
  ];
  it.each(commands)(
    'sluice %s runs with the forwarder V8 flags (same pid), unless the user set them',
    async (command, args, ready) => {
      const plain = await startSluice(args('plain'), ready);
      try {
        const line = await commandLineOf(plain.pid);
        for (const flag of FORWARDER_NODE_FLAGS) {
          expect(line.filter((arg) => arg === flag)).toHaveLength(1);
        }
        expect(line).toContain(command);
      } finally {
        expect((await plain.stop()).code).toBe(0);
      }
      const own = await startSluice(args('own'), ready, {
        env: { NODE_OPTIONS: '--max-semi-space-size=8' },
      });
      try {
        const line = await commandLineOf(own.pid);
        expect(line.some((arg) => arg.startsWith('--max-semi-space-size'))).toBe(false);
      } finally {
        expect((await own.stop()).code).toBe(0);
      }
    },
    60_000,
  );

  it('exits 1 with the reason when forwarding cannot go on, instead of only looking alive', async () => {
    const storeDir = join(dir, 'broken-store');
    const store = createFsStore({ root: storeDir });
    await store.put('_sluice/checkpoints/forwarder.json', new TextEncoder().encode('{"version":'));
    const ended = await runSluice([
      'forwarder',
      '--queue',
      `log:${join(dir, 'broken-queue')}`,
      '--store-dir',
      storeDir,
    ]);
    expect(ended.code, ended.stderr).toBe(1);
    expect(ended.stderr).toMatch(/forwarding stopped: .*checkpoint.*; exiting/);
  }, 60_000);
});
