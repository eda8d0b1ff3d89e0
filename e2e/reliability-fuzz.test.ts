import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hashSecretKey } from '@sluice/collector';
import { createFsStore, type ObjectStore } from '@sluice/store';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readStoredEvents } from './read-store.js';
import { recordFigures, SEED, scaled, secondsSince, testFile } from './reliability-figures.js';
import {
  authorization,
  bodyBytes,
  contentType,
  encode,
  encoding,
  eventCase,
  extremeBody,
  objectText,
  origin,
  path,
  rawHeaderLines,
} from './reliability-fuzz-inputs.js';
import { isErrorBody, rawRequest, request } from './reliability-http.js';
import {
  type SluiceProcess,
  startSluiceProcess,
  writeCollectorConfig,
} from './reliability-process.js';

// fast-check against the running collector over real HTTP (a child process with the collector
// and the forwarder on the embedded log). Whatever the body, headers, content type or
// encoding: never a 5xx, never a crash; invalid events are answered 4xx or quarantined with a
// reason, valid ones are stored once as sent; nothing pollutes a prototype in the collector,
// the forwarder, or a reader of the stored lines.

const RUNS = scaled(300, 20_000);
let dir: string;
let sluice: SluiceProcess;
let firstPid: number | undefined;
const started = Date.now();
const tried: Record<string, number> = {};
let serverErrors = 0;
// Large bodies of requests refused before their body was read, whose connection closed.
let closedEarly = 0;
const LARGE_BODY_BYTES = 64 * 1024;
const count = (property: string, status: number | undefined) => {
  tried[property] = (tried[property] ?? 0) + 1;
  if (status !== undefined && status >= 500) serverErrors++;
};

// What the oracle property sent: valid events by messageId with their properties as text,
// invalid ones with a usable messageId, and how many invalid ones had none.
const validSent = new Map<string, string>();
const invalidSent = new Set<string>();
let invalidWithoutId = 0;
let nextId = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-reliability-fuzz-'));
  const config = {
    limits: { ipRate: null, ipEventRate: null, ipByteRate: null },
    sources: [
      { id: 'fuzz', writeKeys: ['fuzz-key'], allowedOrigins: ['https://shop.example'] },
      { id: 'server', secretKeys: [await hashSecretKey('sk_fuzz_secret')] },
    ],
  };
  sluice = await startSluiceProcess({
    QUEUE_URL: `log:${join(dir, 'queue')}`,
    SLUICE_CONFIG: await writeCollectorConfig(dir, config),
    RELIABILITY_STORE_DIR: join(dir, 'store'),
    RELIABILITY_STATE_DIR: join(dir, 'state'),
    RELIABILITY_FILE_AGE_MS: '300',
  });
  firstPid = sluice.pid;
});
afterAll(async () => {
  await sluice?.kill();
  await rm(dir, { recursive: true, force: true });
});

/** Every line of every stored file, as text. */
async function storedLines(store: ObjectStore): Promise<string[]> {
  const lines: string[] = [];
  for await (const { key } of store.list('')) {
    const body = key.endsWith('.ndjson.gz') ? await store.get(key) : undefined;
    if (body) lines.push(...gunzipSync(body).toString('utf8').split('\n').filter(Boolean));
  }
  return lines;
}

/** The same process, alive and answering: a crash would have changed the pid or the answer. */
async function expectAlive(): Promise<void> {
  expect(sluice.pid).toBe(firstPid);
  expect(sluice.starts).toBe(1);
  const health = await request(`${sluice.url}/healthz`, { method: 'GET' });
  expect(health.status).toBe(200);
}

const options = (offset: number) => ({ numRuns: RUNS, seed: SEED + offset, endOnFailure: true });

it('answers any body, content type, encoding, origin and key below 500, with a JSON error for 4xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({ body: bodyBytes, contentType, encoding, path, origin, authorization }),
      async (input) => {
        const { body, header } = encode(input.body, input.encoding);
        const headers: Record<string, string> = {};
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        if (header !== undefined) headers['content-encoding'] = header;
        if (input.origin !== undefined) headers.origin = input.origin;
        if (input.authorization !== undefined) headers.authorization = input.authorization;
        const answer = await request(`${sluice.url}${input.path}`, { headers, body }).catch(
          async (error: unknown) => {
            // Refused before its body was read (a bad key, type or encoding), a large body may
            // meet a closed connection: fine, if the process lives on.
            if (body.length < LARGE_BODY_BYTES) throw error;
            await expectAlive();
            return undefined;
          },
        );
        count('bodies and headers', answer?.status);
        if (answer === undefined) return void closedEarly++;
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) expect(isErrorBody(answer.text)).toBe(true);
      },
    ),
    options(10),
  );
  await expectAlive();
}, 300_000);

it('answers bodies at the edges (deep nesting, huge strings and numbers, dangerous keys) below 500', async () => {
  await fc.assert(
    fc.asyncProperty(extremeBody, fc.boolean(), fc.boolean(), async (body, gzip, browser) => {
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (gzip) headers['content-encoding'] = 'gzip';
      if (browser) headers.origin = 'https://shop.example';
      const answer = await request(`${sluice.url}/v1/batch`, {
        headers,
        body: gzip ? gzipSync(body) : body,
      });
      count('bodies at the edges', answer.status);
      expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
      if (answer.status >= 400) expect(isErrorBody(answer.text)).toBe(true);
    }),
    { ...options(15), numRuns: Math.ceil(RUNS / 3) },
  );
  await expectAlive();
}, 300_000);

it('keeps valid events as sent and answers or quarantines every invalid one with a reason', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        cases: fc.array(eventCase, { minLength: 1, maxLength: 8 }),
        contentType: fc.constantFrom('text/plain', 'application/json', 'text/plain;charset=UTF-8'),
        gzip: fc.boolean(),
        browser: fc.boolean(),
        keyDecoy: fc.boolean(),
      }),
      async (input) => {
        const ids = input.cases.map(() => `fz-${nextId++}`);
        const body = objectText([
          ...(input.keyDecoy ? [['writeKey', '"wrong-key"'] as [string, string]] : []),
          ['writeKey', '"fuzz-key"'],
          ['batch', `[${input.cases.map((c, i) => c.text(ids[i]!)).join(',')}]`],
        ]);
        const headers: Record<string, string> = { 'content-type': input.contentType };
        if (input.browser) headers.origin = 'https://shop.example';
        if (input.gzip) headers['content-encoding'] = 'gzip';
        const answer = await request(`${sluice.url}/v1/batch`, {
          headers,
          body: input.gzip ? gzipSync(body) : body,
        });
        count('events against the schema', answer.status);
        expect(answer.status, answer.text).toBe(200);
        const result = JSON.parse(answer.text) as {
          accepted: number;
          rejected: { index: number; messageId?: string; errors: unknown[] }[];
        };
        const invalid = input.cases.flatMap((c, i) => (c.valid ? [] : [i]));
        expect(result.rejected.map((r) => r.index)).toEqual(invalid);
        expect(result.accepted).toBe(input.cases.length - invalid.length);
        for (const rejected of result.rejected) {
          const sent = input.cases[rejected.index]!;
          expect(rejected.errors.length).toBeGreaterThan(0);
          expect(rejected.messageId).toBe(sent.keepsId ? ids[rejected.index] : undefined);
        }
        input.cases.forEach((c, i) => {
          if (c.valid) validSent.set(ids[i]!, c.properties!);
          else if (c.keepsId) invalidSent.add(ids[i]!);
          else invalidWithoutId++;
        });
      },
    ),
    options(20),
  );
  await expectAlive();
}, 300_000);

it('answers raw requests with hostile header names and values below 500', async () => {
  const { port } = new URL(sluice.url);
  await fc.assert(
    fc.asyncProperty(rawHeaderLines, fc.boolean(), async (lines, valid) => {
      const body = valid
        ? '{"writeKey":"fuzz-key","batch":[{"type":"track","event":"e","messageId":"raw","anonymousId":"a"}]}'
        : '{"writeKey":';
      const head = [
        'POST /v1/batch HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        ...lines.map(([name, value]) => `${name}: ${value}`),
        'Content-Type: text/plain',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
      ];
      const answer = await rawRequest(
        sluice.url,
        Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'latin1'),
      );
      count('raw header lines', answer.status);
      // Node's parser refuses a malformed request with 400 or closes the connection.
      expect(answer.closedByServer).toBe(true);
      if (answer.status !== undefined) expect(answer.status).toBeLessThan(500);
    }),
    options(30),
  );
  await expectAlive();
}, 300_000);

it('stores each valid event once as sent, quarantines each invalid one with its reason, and nothing pollutes a prototype', async () => {
  const objectKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  const probe = await sluice.probe();
  await sluice.stop();
  const store = createFsStore({ root: join(dir, 'store') });
  const events = await readStoredEvents(store, 'events/');
  const quarantine = await readStoredEvents(store, 'quarantine/');

  const storedValid = new Map<string, number>();
  let propertiesDiffer = 0;
  for (const { event } of events) {
    const id = String(event.messageId);
    storedValid.set(id, (storedValid.get(id) ?? 0) + 1);
    const sent = validSent.get(id);
    // Kept as sent: the same properties once parsed (dangerous keys stay plain own keys).
    if (sent !== undefined && JSON.stringify(event.properties) !== JSON.stringify(JSON.parse(sent)))
      propertiesDiffer++;
  }
  let lost = 0;
  let duplicated = 0;
  for (const id of validSent.keys()) {
    const copies = storedValid.get(id) ?? 0;
    if (copies === 0) lost++;
    if (copies > 1) duplicated += copies - 1;
  }
  const quarantinedIds = new Set<string>();
  let withoutReason = 0;
  for (const { event: record } of quarantine) {
    const reason = record.reason as unknown[] | undefined;
    if (!Array.isArray(reason) || reason.length === 0) withoutReason++;
    const id = (record.event as Record<string, unknown> | undefined)?.messageId;
    if (typeof id === 'string') quarantinedIds.add(id);
  }
  const invalidLost = [...invalidSent].filter((id) => !quarantinedIds.has(id)).length;
  const validStored = [...validSent.keys()].filter((id) => storedValid.has(id)).length;

  await recordFigures('fuzz', {
    title: 'Bad input: property-based fuzzing over HTTP',
    file: testFile(import.meta.url),
    what:
      `fast-check, ${RUNS.toLocaleString('en')} runs per property, against one collector + ` +
      'forwarder process: random and hostile bodies (bytes, JSON with `__proto__`/`constructor` ' +
      'keys, duplicate keys, numbers beyond double range, nesting up to 150,000 deep, invalid ' +
      'UTF-8), content types, encodings (gzip, broken gzip, double gzip, br, ...), origins, keys, ' +
      'routes; Segment events valid by construction or broken in one field; raw header lines ' +
      'with control bytes.',
    inputs: {
      tried: Object.values(tried).reduce((a, b) => a + b, 0),
      serverErrors,
      crashes: sluice.starts - 1,
    },
    events: {
      sent: validSent.size + invalidSent.size + invalidWithoutId,
      acknowledged: validSent.size,
      stored: events.filter((e) => validSent.has(String(e.event.messageId))).length,
      lost,
      duplicated,
    },
    details: {
      ...Object.fromEntries(Object.entries(tried).map(([name, n]) => [`inputs: ${name}`, n])),
      'large refused bodies whose connection the server closed early': closedEarly,
      'valid events stored as sent': validStored - propertiesDiffer,
      'invalid events sent': invalidSent.size + invalidWithoutId,
      'invalid events (with a messageId) found in quarantine': `${invalidSent.size - invalidLost} of ${invalidSent.size}`,
      'quarantine records, all properties (each with a reason)': `${quarantine.length} (${quarantine.length - withoutReason})`,
      'prototype pollution found (collector + forwarder process, reader)':
        probe.poisoning === null ? 'none' : probe.poisoning,
      seed: SEED,
    },
    seconds: secondsSince(started),
  });
  expect(serverErrors).toBe(0);
  expect(lost).toBe(0);
  expect(duplicated).toBe(0);
  expect(propertiesDiffer).toBe(0);
  expect(invalidLost).toBe(0);
  expect(withoutReason).toBe(0);
  expect(quarantine.length).toBeGreaterThanOrEqual(invalidSent.size + invalidWithoutId);
  // Every stored line is canonical JSON: no duplicate keys survive to confuse another reader.
  const lines = await storedLines(store);
  expect(lines.length).toBe(events.length + quarantine.length);
  expect(lines.filter((line) => JSON.stringify(JSON.parse(line)) !== line)).toEqual([]);
  expect(probe.poisoning).toBeNull();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}, 300_000);
