import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsStore } from '@sluice/store';
import { orderPlanYaml } from '@sluice/testkit/plans';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoUrl, jsonLines, runSluice, startSluice } from './cli-process.js';
import { readStoredEvents } from './read-store.js';

// The whole repair loop as a user runs it: a plan with a mistake quarantines a good event
// through a running `sluice start`; the plan is fixed; `sluice replay --quarantine` (a real
// process) puts the event into its own hour, once, and a second run changes nothing.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-requarantine-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const plan = (priceType: string) => orderPlanYaml({ priceType, priceRequired: false });

const HOUR = 3_600_000;
// Two days back at 07:30 UTC: recent enough not to be clamped, in another day than arrival.
const eventTime = new Date(
  Math.floor((Date.now() - 2 * 24 * HOUR) / (24 * HOUR)) * 24 * HOUR + 7.5 * HOUR,
);
const day = eventTime.toISOString().slice(0, 10);

const order = (messageId: string, price: unknown) => ({
  type: 'track',
  event: 'Order Completed',
  messageId,
  anonymousId: 'a-1',
  timestamp: eventTime.toISOString(),
  properties: { price },
});

async function post(url: string, batch: unknown[]) {
  const answer = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ writeKey: 'wk_shop', batch }),
  });
  return (await answer.json()) as { accepted: number; rejected: { errors: { path: string }[] }[] };
}

async function digestsOf(store: ReturnType<typeof createFsStore>, prefix: string) {
  const out: Record<string, string> = {};
  for await (const { key } of store.list(prefix)) {
    out[key] = createHash('sha256')
      .update((await store.get(key))!)
      .digest('hex');
  }
  return out;
}

interface Result {
  events: number;
  stillInvalid: number;
  repeatsInQuarantine: number;
  invalid: { messageId?: string; reason: { path: string }[] }[];
}

it('replays an event a wrong plan quarantined into its own hour once, and again changes nothing', async () => {
  await mkdir(join(dir, 'plans'));
  // The mistake: price is a number, the plan says string.
  await writeFile(join(dir, 'plans', 'shop.yaml'), plan('string'));
  const config = join(dir, 'sluice.config.json');
  const sources = [{ id: 'shop', writeKeys: ['wk_shop'], plan: 'plans/shop.yaml' }];
  await writeFile(config, JSON.stringify({ sources }));
  const data = join(dir, 'data');
  const sluice = await startSluice(
    ['start', '--config', config, '--data-dir', data, '--port', '0'],
    /Press Ctrl\+C to stop/,
  );
  const url = demoUrl(sluice.stdout())!;
  const answer = await post(url, [order('fix-me', 12.5), order('still-bad', true)]);
  expect(answer.accepted).toBe(0);
  expect(answer.rejected.map((r) => r.errors[0]?.path)).toEqual([
    'properties/price',
    'properties/price',
  ]);
  const stopped = await sluice.stop('SIGINT');
  expect(stopped, stopped.stderr).toMatchObject({ code: 0, signal: null });

  const store = createFsStore({ root: join(data, 'store') });
  const quarantined = await readStoredEvents(store, 'quarantine/');
  expect(quarantined.map((q) => (q.event.event as { messageId: string }).messageId)).toEqual([
    'fix-me',
    'still-bad',
  ]);
  expect(await readStoredEvents(store, 'events/')).toEqual([]);

  await writeFile(join(dir, 'plans', 'shop.yaml'), plan('number'));
  const replay = ['replay', '--quarantine', '--config', config, '--store-dir', join(data, 'store')];
  const first = await runSluice(replay);
  expect(first.code, first.stderr).toBe(0);
  const [result] = jsonLines<Result>(first.stdout);
  expect(result).toMatchObject({ events: 1, stillInvalid: 1 });
  expect(result?.invalid).toEqual([
    expect.objectContaining({
      messageId: 'still-bad',
      reason: [expect.objectContaining({ path: 'properties/price' })],
    }),
  ]);
  const stored = await readStoredEvents(store, 'events/');
  expect(stored.map((s) => s.event.messageId)).toEqual(['fix-me']);
  expect(stored[0]?.key).toMatch(new RegExp(`^events/source=shop/dt=${day}/hh=07/[0-9a-f]{32}-`));
  expect(stored[0]?.event.properties).toEqual({ price: 12.5 });

  // Again: the same keys with the same bytes, the event still once.
  const before = await digestsOf(store, 'events/');
  const second = await runSluice(replay);
  expect(second.code, second.stderr).toBe(0);
  expect(jsonLines<Result>(second.stdout)[0]).toEqual(result);
  expect(await digestsOf(store, 'events/')).toEqual(before);

  // A second refused copy (a resend after the dedup window) is a repeat: still stored once.
  const [file] = Object.keys(await digestsOf(store, 'quarantine/'));
  await store.put(
    file!.replace(/\/[^/]+$/, '/99999999999999999999.ndjson.gz'),
    (await store.get(file!))!,
  );
  const third = await runSluice(replay);
  expect(third.code, third.stderr).toBe(0);
  expect(jsonLines<Result>(third.stdout)[0]).toMatchObject({
    events: 1,
    repeatsInQuarantine: 1,
    stillInvalid: 2,
  });
  expect(await digestsOf(store, 'events/')).toEqual(before);
}, 120_000);
