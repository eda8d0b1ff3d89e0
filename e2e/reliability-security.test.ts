import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecretKey } from '@sluice/collector';
import { createFsStore } from '@sluice/store';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readStoredEvents } from './read-store.js';
import { recordFigures, secondsSince, testFile } from './reliability-figures.js';
import { requestFrom } from './reliability-http.js';
import {
  type SluiceProcess,
  startSluiceProcess,
  writeCollectorConfig,
} from './reliability-process.js';

// Who gets in: unknown, revoked and malformed keys, foreign and missing origins, CORS answers,
// rate limits under a flood from one IP and from one key, and what reaches the logs and the
// store. Clients are real sockets from distinct loopback addresses (127.x.y.z), so the per-IP
// limit sees them as the distinct clients they are.

const SECRET = 'sk_reliability_0123456789abcdefghijklmnopqrstuvwxyz_ABCDEFG';
const WRONG_SECRETS = ['sk_reliability_0123456789abcdefghijklmnopqrstuvwxyz_ABCDEFH', 'sk_guess'];
const SHOP = 'https://shop.example';
const IP_RATE = { requestsPerSecond: 20, burst: 40 };
const KEY_RATE = { requestsPerSecond: 10, burst: 20 };

let dir: string;
let sluice: SluiceProcess;
const output: string[] = [];
const started = Date.now();
const details: Record<string, string | number | boolean> = {};
let tried = 0;
let serverErrors = 0;
// messageIds of events in requests the collector answered 200, and of refused ones.
const acceptedIds = new Set<string>();
const refusedIds = new Set<string>();
let nextId = 0;

async function configFile(writeKeys: string[]): Promise<string> {
  return writeCollectorConfig(dir, {
    limits: { ipRate: IP_RATE },
    sources: [
      { id: 'shop', writeKeys, allowedOrigins: [SHOP, 'https://*.shop.example'] },
      { id: 'backend', secretKeys: [await hashSecretKey(SECRET)] },
      {
        id: 'limited',
        writeKeys: ['wk_limited'],
        allowedOrigins: ['https://limited.example'],
        limits: { rate: KEY_RATE },
      },
    ],
  });
}

async function startWith(writeKeys: string[]): Promise<SluiceProcess> {
  return startSluiceProcess({
    QUEUE_URL: `log:${join(dir, 'queue')}`,
    SLUICE_CONFIG: await configFile(writeKeys),
    RELIABILITY_STORE_DIR: join(dir, 'store'),
    RELIABILITY_STATE_DIR: join(dir, 'state'),
    RELIABILITY_FILE_AGE_MS: '300',
    // Refused requests are logged at debug: the logs must hold no key and no raw address.
    RELIABILITY_LOG_LEVEL: 'debug',
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-security-'));
  sluice = await startWith(['wk_shop', 'wk_old']);
});
afterAll(async () => {
  await sluice?.kill();
  await rm(dir, { recursive: true, force: true });
});

interface Attempt {
  from?: string;
  writeKey?: string;
  origin?: string;
  authorization?: string;
  path?: string;
}

/** Sends one event; its messageId lands in acceptedIds or refusedIds by the answer. */
async function send(attempt: Attempt) {
  const messageId = `sec-${nextId++}`;
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (attempt.origin !== undefined) headers.origin = attempt.origin;
  if (attempt.authorization !== undefined) headers.authorization = attempt.authorization;
  const body: Record<string, unknown> = {
    batch: [{ type: 'track', event: 'Security', messageId, anonymousId: 'a' }],
  };
  if (attempt.writeKey !== undefined) body.writeKey = attempt.writeKey;
  const answer = await requestFrom(
    attempt.from ?? '127.0.0.1',
    `${sluice.url}${attempt.path ?? '/v1/batch'}`,
    {
      headers,
      body: JSON.stringify(body),
    },
  );
  tried++;
  if (answer.status >= 500) serverErrors++;
  (answer.status === 200 ? acceptedIds : refusedIds).add(messageId);
  return answer;
}

const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;
const errorCode = (text: string) => (JSON.parse(text) as { error?: { code?: string } }).error?.code;

it('refuses unknown, malformed and misused keys with 401, and takes the right ones', async () => {
  const refused: Attempt[] = [
    { writeKey: 'wk_unknown' },
    {},
    { writeKey: '' },
    { authorization: basic('wk_unknown') },
    { authorization: `Bearer ${WRONG_SECRETS[0]}` },
    { authorization: `Bearer ${WRONG_SECRETS[1]}` },
    { authorization: basic(WRONG_SECRETS[0]!) },
    // The config's hash is not a credential; a secret key is not a write key.
    { authorization: `Bearer ${await hashSecretKey(SECRET)}` },
    { writeKey: SECRET },
    { authorization: 'Basic !!!' },
    { authorization: 'Bearer' },
    { authorization: 'Digest username="wk_shop"' },
    // A write key and a header naming another source.
    { writeKey: 'wk_limited', authorization: `Bearer ${SECRET}` },
  ];
  const answers = [];
  for (const attempt of refused) answers.push(await send({ from: '127.0.3.1', ...attempt }));
  details['unknown, malformed or misused keys: answered 401'] =
    `${answers.filter((a) => a.status === 401).length} of ${refused.length}`;
  expect(answers.map((a) => a.status)).toEqual(refused.map(() => 401));
  expect(answers.map((a) => errorCode(a.text))).toEqual(refused.map(() => 'unauthorized'));

  const accepted: Attempt[] = [
    { writeKey: 'wk_shop' },
    { authorization: basic('wk_shop') },
    { authorization: `Bearer ${SECRET}` },
    { authorization: basic(SECRET) },
    // A secret key skips the origin check: it never sits in a page.
    { authorization: `Bearer ${SECRET}`, origin: 'https://elsewhere.example' },
  ];
  for (const attempt of accepted) {
    expect((await send({ from: '127.0.3.1', ...attempt })).status).toBe(200);
  }
});

it('refuses write keys from origins their source does not allow with 403', async () => {
  const foreign = [
    'https://evil.example',
    'https://shop.example.evil.example',
    'https://evilshop.example',
    'http://shop.example',
    'https://shop.example:8443',
    'null',
    'https://limited.example',
    'https://a.b.evil.example/.shop.example',
  ];
  const answers = [];
  for (const origin of foreign) {
    answers.push(await send({ from: '127.0.3.2', writeKey: 'wk_shop', origin }));
  }
  details['write key from a foreign origin: answered 403'] =
    `${answers.filter((a) => a.status === 403).length} of ${foreign.length}`;
  expect(answers.map((a) => a.status)).toEqual(foreign.map(() => 403));
  expect(answers.map((a) => errorCode(a.text))).toEqual(foreign.map(() => 'origin_not_allowed'));

  for (const origin of [SHOP, 'https://eu.shop.example', 'https://a.b.shop.example']) {
    const answer = await send({ from: '127.0.3.2', writeKey: 'wk_shop', origin });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(origin);
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
  }
  // No Origin: a server or an app, not a browser. The key alone admits it (keys are public).
  const noOrigin = await send({ from: '127.0.3.2', writeKey: 'wk_shop' });
  expect(noOrigin.status).toBe(200);
  expect(noOrigin.headers['access-control-allow-origin']).toBeUndefined();
});

it('answers CORS exactly: the origin reflected, never *, nothing for foreign origins', async () => {
  const preflight = (origin: string) =>
    requestFrom('127.0.0.1', `${sluice.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
  const allowed = await preflight('https://eu.shop.example');
  tried++;
  expect(allowed.status).toBe(204);
  expect(allowed.headers['access-control-allow-origin']).toBe('https://eu.shop.example');
  expect(allowed.headers['access-control-allow-credentials']).toBe('true');
  expect(allowed.headers['access-control-allow-methods']).toMatch(/POST/);
  expect(allowed.headers.vary).toMatch(/Origin/);
  let foreignAllowed = 0;
  for (const origin of ['https://evil.example', 'null', 'https://shop.example.evil.example']) {
    const answer = await preflight(origin);
    tried++;
    if (answer.headers['access-control-allow-origin'] !== undefined) foreignAllowed++;
    const post = await send({ from: '127.0.3.3', writeKey: 'wk_shop', origin });
    if (post.headers['access-control-allow-origin'] !== undefined) foreignAllowed++;
  }
  details['CORS allowance given to a foreign origin (preflight or POST)'] = foreignAllowed;
  expect(foreignAllowed).toBe(0);
});

/** Sends `count` requests `concurrency` at a time; the statuses and the seconds it took. */
async function flood(count: number, concurrency: number, attempt: (i: number) => Attempt) {
  const statuses: number[] = [];
  const retryAfter: string[] = [];
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const answer = await send(attempt(next++));
        statuses.push(answer.status);
        if (answer.status === 429) retryAfter.push(String(answer.headers['retry-after']));
      }
    }),
  );
  return { statuses, retryAfter, seconds: (Date.now() - start) / 1000 };
}

/**
 * A flood held to `rate`: at least its burst and at most what it allows over the flood's
 * time answered 200, the rest 429 with a Retry-After of 1 s or more; noted in `details`.
 */
function expectRateHeld(
  result: { statuses: number[]; retryAfter: (string | null)[]; seconds: number },
  rate: { burst: number; requestsPerSecond: number },
  label: string,
) {
  const passed = result.statuses.filter((s) => s === 200).length;
  const allowed = rate.burst + rate.requestsPerSecond * result.seconds;
  details[`${label}: requests / answered 200 / allowed by the limit`] =
    `${result.statuses.length} / ${passed} / ${Math.floor(allowed)}`;
  expect(passed).toBeGreaterThanOrEqual(rate.burst);
  expect(passed).toBeLessThanOrEqual(allowed + 1);
  expect(result.statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  expect(result.retryAfter.every((value) => Number(value) >= 1)).toBe(true);
}

it('holds the per-IP rate under a flood from one address, and serves other addresses', async () => {
  const result = await flood(400, 16, () => ({ from: '127.0.0.2', writeKey: 'wk_shop' }));
  const bystander = await send({ from: '127.0.0.3', writeKey: 'wk_shop' });
  expectRateHeld(result, IP_RATE, 'flood from one IP');
  expect(bystander.status).toBe(200);
});

it('holds a source rate under a flood with one key from many addresses', async () => {
  const result = await flood(300, 16, (i) => ({
    from: `127.0.1.${(i % 10) + 1}`,
    writeKey: 'wk_limited',
    origin: 'https://limited.example',
  }));
  expectRateHeld(result, KEY_RATE, 'flood with one key from 10 IPs');
  // Another source is not held back by it.
  expect((await send({ from: '127.0.1.20', writeKey: 'wk_shop' })).status).toBe(200);
});

it('refuses a revoked write key once the config drops it, and keeps the others working', async () => {
  expect((await send({ writeKey: 'wk_old', origin: SHOP, from: '127.0.2.1' })).status).toBe(200);
  output.push(...sluice.output);
  await sluice.stop();
  sluice = await startWith(['wk_shop']);
  const revoked = await send({ writeKey: 'wk_old', origin: SHOP, from: '127.0.2.1' });
  const revokedBasic = await send({ authorization: basic('wk_old'), from: '127.0.2.1' });
  details['revoked write key after a config reload: answered'] =
    `${revoked.status} ${revokedBasic.status}`;
  expect(revoked.status).toBe(401);
  expect(revokedBasic.status).toBe(401);
  expect((await send({ writeKey: 'wk_shop', origin: SHOP, from: '127.0.2.1' })).status).toBe(200);
});

it('stores no event of a refused request, every accepted one once, and logs no key or raw IP', async () => {
  const probe = await sluice.probe();
  await sluice.stop();
  output.push(...sluice.output);
  const store = createFsStore({ root: join(dir, 'store') });
  const stored = [
    ...(await readStoredEvents(store, 'events/')),
    ...(await readStoredEvents(store, 'quarantine/')),
  ].map((line) =>
    String(line.event.messageId ?? (line.event.event as { messageId?: string })?.messageId),
  );
  const fromRefused = stored.filter((id) => refusedIds.has(id)).length;
  const counts = new Map<string, number>();
  for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
  const lost = [...acceptedIds].filter((id) => !counts.has(id)).length;
  const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  const secrets = [SECRET, ...WRONG_SECRETS, 'wk_shop', 'wk_old', 'wk_limited', 'wk_unknown'];
  const rawAddresses = ['127.0.0.2', '127.0.0.3', '127.0.1.1', '127.0.2.1', '127.0.3.1'];
  const leaking = output.filter(
    (line) =>
      secrets.some((s) => line.includes(s)) ||
      rawAddresses.some((a) => new RegExp(`${a.replace(/\./g, '\\.')}(?!\\d)`).test(line)),
  );
  const refusalsLogged = output.filter((line) =>
    /"statusCode":4\d\d|"status":4\d\d/.test(line),
  ).length;

  await recordFigures('security', {
    title: 'Security: keys, origins, CORS, rate limits, logs',
    file: testFile(import.meta.url),
    what:
      'Against one collector + forwarder process configured with three sources (write keys ' +
      'with allowed origins, a hashed secret key, a rate-limited key): unknown, malformed, ' +
      'misused and revoked keys; foreign and missing origins; CORS preflights; a flood of 400 ' +
      'requests from one IP and of 300 with one key from 10 IPs; its logs at debug level read ' +
      'for keys and raw addresses; the store read for events of refused requests.',
    inputs: { tried, serverErrors, crashes: 0 },
    events: {
      sent: acceptedIds.size + refusedIds.size,
      acknowledged: acceptedIds.size,
      stored: stored.length,
      lost,
      duplicated,
    },
    details: {
      ...details,
      'events stored from refused requests': fromRefused,
      'log lines read / refusals among them': `${output.length} / ${refusalsLogged}`,
      'log lines with a key or a raw client IP': leaking.length,
    },
    seconds: secondsSince(started),
  });
  expect(fromRefused).toBe(0);
  expect(lost).toBe(0);
  expect(duplicated).toBe(0);
  expect(serverErrors).toBe(0);
  expect(refusalsLogged).toBeGreaterThan(0);
  // The logs do name clients, anonymized: 127.0.0.2 as 127.0.0.0.
  expect(output.some((line) => line.includes('127.0.0.0'))).toBe(true);
  expect(leaking).toEqual([]);
  expect(probe.poisoning).toBeNull();
});
