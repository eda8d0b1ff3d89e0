// The collector app on Bun and on Deno (both from npm, as devDependencies): each runtime
// serves it with its own HTTP server (serve-on-runtime.ts), and this suite, under Node,
// checks over HTTP on 127.0.0.1 the behaviours a client relies on.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP_DIR = resolve(import.meta.dirname, '../..');
const SCRIPT = resolve(import.meta.dirname, 'serve-on-runtime.ts');
const SHOP_ORIGIN = 'https://shop.example';
const bin = (name: string) => resolve(APP_DIR, 'node_modules/.bin', name);

const RUNTIMES = {
  bun: [bin('bun'), 'run', SCRIPT],
  // --sloppy-imports: our sources import './x.js' for './x.ts', as TypeScript's NodeNext wants.
  deno: [
    bin('deno'),
    'run',
    '--sloppy-imports',
    '--allow-net=127.0.0.1',
    '--allow-read',
    '--allow-env',
    SCRIPT,
  ],
} as const;

/** Starts the app under a runtime; resolves with its URL once it listens. */
function serve(
  command: readonly string[],
): Promise<{ child: ChildProcess; url: string; runtime: string }> {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: APP_DIR,
    stdio: ['pipe', 'pipe', 'inherit'],
    // No update checks or crash reports: nothing leaves the machine.
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' },
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start in 20 s`)), 20_000);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolvePromise({ child, ...(JSON.parse(line) as { url: string; runtime: string }) });
    });
  });
}

function track(messageId: string): Record<string, unknown> {
  return { type: 'track', event: 'Signed Up', messageId, anonymousId: 'anon-1' };
}

describe.each(Object.entries(RUNTIMES))('the collector app on %s', (name, command) => {
  let child: ChildProcess | undefined;
  let url = '';
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: SHOP_ORIGIN, ...headers },
      body,
    });

  beforeAll(async () => {
    const started = await serve(command);
    child = started.child;
    url = started.url;
    expect(started.runtime).toMatch(new RegExp(`^${name} \\d+\\.\\d+`));
  });
  afterAll(() => {
    child?.stdin?.end();
    child?.kill();
  });

  it('answers 200 for a batch only once its events are queued, invalid ones as quarantine', async () => {
    const batch = [
      track(`${name}-1`),
      track(`${name}-2`),
      { type: 'track', messageId: `${name}-bad` },
    ];
    const res = await post(JSON.stringify({ writeKey: 'wk_shop', batch }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(await res.json()).toMatchObject({
      success: true,
      accepted: 2,
      rejected: [{ index: 2 }],
    });

    const queued = (await (await fetch(`${url}/__test/queue`)).json()) as Array<{
      id: string;
      source: string;
      kind: string;
      body: Record<string, unknown>;
    }>;
    expect(queued.map((m) => [m.id, m.source, m.kind])).toEqual([
      [`${name}-1`, 'shop', 'event'],
      [`${name}-2`, 'shop', 'event'],
      [`${name}-bad`, 'shop', 'quarantine'],
    ]);
    expect(queued[0]!.body).toMatchObject({ messageId: `${name}-1`, event: 'Signed Up' });
    expect(typeof queued[0]!.body.receivedAt).toBe('string');
  });

  it('refuses what it must: 401, 403, 400, 413 and 415, with JSON errors', async () => {
    const batch = JSON.stringify({ writeKey: 'wk_shop', batch: [track(`${name}-x`)] });
    const cases: Array<[Promise<Response>, number, string]> = [
      [post(JSON.stringify({ writeKey: 'wk_nobody', batch: [track('y')] })), 401, 'unauthorized'],
      [post(batch, { Origin: 'https://evil.example' }), 403, 'origin_not_allowed'],
      [post('{"writeKey":'), 400, 'invalid_json'],
      [post(`{"pad":"${'x'.repeat(600 * 1024)}"}`), 413, 'payload_too_large'],
      [post(batch, { 'Content-Type': 'application/xml' }), 415, 'unsupported_media_type'],
    ];
    for (const [response, status, code] of cases) {
      const res = await response;
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
        status,
        code,
      ]);
    }
  });

  it('answers a CORS preflight for an allowed origin and serves /healthz and the tag', async () => {
    const preflight = await fetch(`${url}/v1/batch`, {
      method: 'OPTIONS',
      headers: { Origin: SHOP_ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const tag = await fetch(`${url}/s.js`);
    expect(await tag.text()).toBe('/*tag*/');
  });

  it('limits requests per client address from the runtime: 429 with Retry-After beyond the burst, context.ip anonymized', async () => {
    const send = (id: string) =>
      post(JSON.stringify({ writeKey: 'wk_shop', batch: [track(id)] }), {
        'X-Test-App': 'limited',
      });
    expect((await send(`${name}-l1`)).status).toBe(200);
    expect((await send(`${name}-l2`)).status).toBe(200);
    const refused = await send(`${name}-l3`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const queued = (await (await fetch(`${url}/__test/queue?app=limited`)).json()) as Array<{
      id: string;
      body: { context?: { ip?: string } };
    }>;
    expect(queued.map((m) => [m.id, m.body.context?.ip])).toEqual([
      [`${name}-l1`, '127.0.0.0'],
      [`${name}-l2`, '127.0.0.0'],
    ]);
  });
});
