import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSluice, startSluice } from './cli-process.js';

// Issue 24: sources change while `sluice collector` runs, without a restart and without a
// request dropped. Everything here is a real process; waits poll for the outcome.

const hash = (secret: string) => `sha256:${createHash('sha256').update(secret).digest('hex')}`;
const SECRET = 'sk_reload_backend_secret';

let dir: string;
let file: string;
let collector: Awaited<ReturnType<typeof startSluice>>;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reload-'));
  file = join(dir, 'sluice.config.json');
  const config = {
    // Two clients send as fast as they can from one address: the per-IP limits would answer 429.
    limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
    sources: [
      { id: 'backend', writeKeys: ['wk_backend'], secretKeys: [hash(SECRET)] },
      { id: 'shop', writeKeys: ['wk_shop'], allowedOrigins: ['https://shop.example'] },
    ],
  };
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  collector = await startSluice(
    ['collector', '--port', '0', '--queue', 'memory:', '--config', file],
    /"collector":\d+/,
    { cwd: dir },
  );
  url = JSON.parse(
    collector
      .stdout()
      .split('\n')
      .find((l) => l.includes('"collector"'))!,
  ).url;
}, 60_000);
afterAll(async () => {
  await collector?.stop();
  await rm(dir, { recursive: true, force: true });
});

const event = () => ({
  type: 'track',
  event: 'Reloaded',
  anonymousId: 'a-1',
  messageId: crypto.randomUUID(),
});

async function send(headers: Record<string, string>, body: object = { batch: [event()] }) {
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}
const bearer = { Authorization: `Bearer ${SECRET}` };
const withWriteKey = (key: string) => ({ Authorization: `Basic ${btoa(`${key}:`)}` });

/** Polls `check` until it is true, at most `ms`; returns whether it became true. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('sluice collector with a changing config file', () => {
  it('refuses a secret key revoked while requests flow, with no request failing otherwise', async () => {
    expect(await send(bearer)).toBe(200);
    const statuses: number[] = [];
    let flowing = true;
    // Two clients send without pause during the revocation: every answer is 200 or, once the
    // new config is in, 401; never a dropped connection or a 5xx.
    const flow = Promise.all(
      [0, 1].map(async () => {
        while (flowing) statuses.push(await send(bearer));
      }),
    );
    const revoke = await runSluice(['sources', 'revoke-key', SECRET, '--config', file]);
    expect(revoke.stderr).toBe('');
    expect(revoke.stdout).toContain('revoked a secret key of source backend');
    const refused = await eventually(
      () => statuses.slice(-4).every((s) => s === 401) && statuses.length > 4,
    );
    flowing = false;
    await flow;
    expect(refused).toBe(true);
    expect(new Set(statuses)).toEqual(new Set([200, 401]));
    // Once refused, never accepted again.
    expect(statuses.slice(statuses.indexOf(401))).not.toContain(200);
    // The source itself stays: its write key still works.
    expect(await send(withWriteKey('wk_backend'))).toBe(200);
    expect(collector.stdout()).toMatch(
      /config reloaded: 0 added, 1 changed, 0 removed sources; 1 keys revoked/,
    );
  }, 60_000);

  it('takes a source added by `sluice sources add` and a rotated write key', async () => {
    const added = await runSluice([
      'sources',
      'add',
      'blog',
      '--origin',
      'https://blog.example',
      '--config',
      file,
    ]);
    expect(added.stderr).toBe('');
    const key = /write key {3}(\S+)/.exec(added.stdout)![1]!;
    expect(await eventually(async () => (await send(withWriteKey(key))) === 200)).toBe(true);
    const rotated = await runSluice(['sources', 'rotate-key', 'blog', '--config', file]);
    const next = /write key of blog: (\S+)/.exec(rotated.stdout)![1]!;
    expect(await eventually(async () => (await send(withWriteKey(key))) === 401)).toBe(true);
    expect(await send(withWriteKey(next))).toBe(200);
    const list = await runSluice(['sources', 'list', '--config', file]);
    expect(list.stdout).toContain(
      'blog  write keys: 1  secret keys: 0  origins: https://blog.example',
    );
  }, 60_000);

  it('keeps serving the running config when a bad one is saved, and says where it is wrong', async () => {
    const good = await readFile(file, 'utf8');
    const bad = good.replace('"https://shop.example"', '"shop.example"');
    expect(bad).not.toBe(good);
    await writeFile(file, bad);
    expect(
      await eventually(() =>
        /config reload refused, the running config stays/.test(collector.stdout()),
      ),
    ).toBe(true);
    const refusal = collector
      .stdout()
      .split('\n')
      .find((l) => l.includes('config reload refused'))!;
    // The place (file:line:column) and the reason, as `sluice config check` gives them.
    expect(refusal).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
    expect(refusal).toContain('allowedOrigins');
    expect(await send(withWriteKey('wk_shop'))).toBe(200);
    // Saving the good file again is taken; then SIGHUP alone (no change to the file)
    // reloads too, and does not stop the process.
    const reloads = () => collector.stdout().match(/config reloaded/g)?.length ?? 0;
    const beforeSave = reloads();
    await writeFile(file, good);
    expect(await eventually(() => reloads() > beforeSave)).toBe(true);
    const beforeSignal = reloads();
    collector.signal('SIGHUP');
    expect(await eventually(() => reloads() > beforeSignal)).toBe(true);
    expect(await send(withWriteKey('wk_shop'))).toBe(200);
  }, 60_000);
});
