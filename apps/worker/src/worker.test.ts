// The Worker in the real workerd runtime: wrangler bundles it exactly as `wrangler deploy`
// would (--dry-run, no account, no network), and miniflare 4 runs that bundle locally with
// the bindings of wrangler.toml: a local Queue (producer and consumer) and a local R2 bucket.
// A POST goes through the collector app, the queue and the consumer into R2, where the test
// reads the files back through miniflare's R2 API.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { R2Bucket } from '@cloudflare/workers-types';
import { messageIdsFileName } from '@sluice/layout';
import { toWireMessage } from '@sluice/queue/cloudflare';
import type { Miniflare } from 'miniflare';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledWorkers } from './bundled-worker.testkit.js';

const APP_DIR = resolve(import.meta.dirname, '..');
const QUEUE = 'sluice-events';
const SHOP_KEY = 'wk_shop';
const SHOP_ORIGIN = 'https://shop.example';
const CONFIG = {
  sources: [
    { id: 'shop', writeKeys: [SHOP_KEY], allowedOrigins: [SHOP_ORIGIN] },
    { id: 'backend', writeKeys: ['wk_backend'] },
    {
      id: 'planned',
      writeKeys: ['wk_planned'],
      allowedOrigins: [SHOP_ORIGIN],
      plan: {
        onViolation: 'quarantine',
        events: {
          track: {
            'Signed Up': {
              properties: {
                type: 'object',
                properties: { plan: { enum: ['free', 'pro'] } },
                required: ['plan'],
              },
            },
          },
        },
      },
    },
  ],
};

const workers = bundledWorkers('worker');
let mf: Miniflare;
let bucket: R2Bucket;

/** The bundle in workerd with wrangler.toml's bindings and `config` as SLUICE_CONFIG. */
async function startWorker(config: object): Promise<{ mf: Miniflare; bucket: R2Bucket }> {
  // A file is cut after 1 s instead of wrangler.toml's 120 s (the other vars as there).
  const options = await workers.options({
    SLUICE_CONFIG: JSON.stringify(config),
    SLUICE_FILE_AGE_SECONDS: '1',
  });
  const consumer = options.queueConsumers[QUEUE];
  const instance = await workers.start({
    ...options,
    // Deliver batches after 0.1 s instead of wrangler.toml's 30 s, to keep the test fast.
    queueConsumers: { [QUEUE]: { ...consumer, maxBatchTimeout: 0.1 } },
    r2Persist: false,
  });
  return {
    mf: instance,
    bucket: (await instance.getR2Bucket('EVENTS_BUCKET')) as unknown as R2Bucket,
  };
}

beforeAll(async () => {
  ({ mf, bucket } = await startWorker(CONFIG));
}, 60_000);

function post(
  body: unknown,
  headers: Record<string, string> = {},
  worker: Miniflare = mf,
): Promise<Response> {
  return worker.dispatchFetch('http://collector.test/v1/batch', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', Origin: SHOP_ORIGIN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }) as unknown as Promise<Response>;
}

function track(messageId: string, timestamp: string): Record<string, unknown> {
  return { type: 'track', event: 'Signed Up', messageId, anonymousId: 'anon-1', timestamp };
}

/** The gunzipped lines of every object under `prefix`, once `count` objects are there. */
async function waitForFiles(
  prefix: string,
  count: number,
  from: R2Bucket = bucket,
): Promise<Map<string, string[]>> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    const listed = await from.list({ prefix });
    if (listed.objects.length >= count) {
      const files = new Map<string, string[]>();
      for (const { key } of listed.objects) {
        const object = await from.get(key);
        expect(object?.httpMetadata?.contentType).toBe('application/gzip');
        const text = gunzipSync(new Uint8Array(await object!.arrayBuffer())).toString('utf8');
        files.set(key, text.split('\n').slice(0, -1));
      }
      return files;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${count} files under ${prefix}`);
}

describe('the collector Worker in workerd', () => {
  it('takes a batch and, through the queue and its consumer, writes gzip NDJSON files to R2 in the forwarder’s layout', async () => {
    // Two whole hours a few hours ago: recent enough not to be clamped to receivedAt.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
    const at = (minutes: number) => new Date(hour + minutes * 60_000).toISOString();
    const partition = (minutes: number) => {
      const iso = at(minutes);
      return `events/source=shop/dt=${iso.slice(0, 10)}/hh=${iso.slice(11, 13)}`;
    };
    const batch = [
      track('w-1', at(0)),
      track('w-2', at(59)),
      track('w-3', at(90)),
      { type: 'track', messageId: 'w-bad' }, // no event name: quarantined
    ];
    // No sentAt: the collector keeps the timestamps as they are (no clock-skew correction).
    const res = await post({ writeKey: SHOP_KEY, batch });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      success: true,
      accepted: 3,
      rejected: [{ index: 3 }],
    });

    const events = await waitForFiles('events/source=shop/', 2);
    const hh10 = `${partition(0)}/${await messageIdsFileName(['w-1', 'w-2'])}.ndjson.gz`;
    const hh11 = `${partition(90)}/${await messageIdsFileName(['w-3'])}.ndjson.gz`;
    expect([...events.keys()]).toEqual([hh10, hh11]);
    const lines = events.get(hh10)!.map((line) => JSON.parse(line));
    expect(lines.map((event) => event.messageId)).toEqual(['w-1', 'w-2']);
    expect(lines[0]).toMatchObject({ type: 'track', event: 'Signed Up', anonymousId: 'anon-1' });
    expect(typeof lines[0].receivedAt).toBe('string');

    const quarantine = await waitForFiles('quarantine/source=shop/', 1);
    const [key, [line]] = [...quarantine][0] as [string, string[]];
    expect(key).toMatch(/^quarantine\/source=shop\/dt=\d{4}-\d\d-\d\d\/[0-9a-f]{32}\.ndjson\.gz$/);
    const record = JSON.parse(line!);
    expect(record.event).toEqual(batch[3]);
    expect(record.reason.length).toBeGreaterThan(0);
  });

  it('overwrites its own file when the consumer gets the same batch again, and acks every message', async () => {
    const worker = await mf.getWorker();
    const messages = ['r-1', 'r-2'].map((id, i) => ({
      id: `cf-${id}`,
      timestamp: new Date(),
      attempts: 1,
      body: toWireMessage({
        id,
        source: 'backend',
        time: Date.UTC(2026, 2, 2, 8, i),
        kind: 'event',
        body: new TextEncoder().encode(JSON.stringify({ messageId: id })),
      }),
    }));
    const first = await worker.queue(QUEUE, messages);
    const again = await worker.queue(QUEUE, [...messages].reverse());

    for (const outcome of [first, again]) {
      expect(outcome.outcome).toBe('ok');
      expect([...outcome.explicitAcks].sort()).toEqual(['cf-r-1', 'cf-r-2']);
      expect(outcome.retryMessages).toEqual([]);
    }
    const files = await waitForFiles('events/source=backend/dt=2026-03-02/', 1);
    expect([...files.keys()]).toEqual([
      `events/source=backend/dt=2026-03-02/hh=08/${await messageIdsFileName(['r-1', 'r-2'])}.ndjson.gz`,
    ]);
  });

  it('answers 401 for an unknown write key, 403 for a foreign origin and 400 for broken JSON', async () => {
    const batch = [track('x-1', '2026-03-01T10:00:00.000Z')];
    const unknown = await post({ writeKey: 'wk_nobody', batch });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unauthorized' } });

    const foreign = await post({ writeKey: SHOP_KEY, batch }, { Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });

    const broken = await post('{"writeKey":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('serves the built tag at /s.js', async () => {
    const res = await mf.dispatchFetch('http://collector.test/s.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    const built = await readFile(resolve(APP_DIR, '../../packages/tracker/dist/sluice.js'), 'utf8');
    expect(await res.text()).toBe(built);
  });
});

describe('tracking plans in the Worker', () => {
  // ajv compiles schemas into code, which workerd forbids: the plan's interpreter runs here.
  it('quarantines an event that breaks its source’s plan with the error’s path, and stores the one that keeps it', async () => {
    const at = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
    const response = await post({
      writeKey: 'wk_planned',
      batch: [
        { ...track('plan-ok', at), properties: { plan: 'pro' } },
        { ...track('plan-bad', at), properties: { plan: 'gold' } },
      ],
    });
    expect(response.status).toBe(200);
    const stored = [...(await waitForFiles('events/source=planned/', 1)).values()]
      .flat()
      .map((line) => JSON.parse(line).messageId);
    expect(stored).toEqual(['plan-ok']);
    const quarantined = [...(await waitForFiles('quarantine/source=planned/', 1)).values()]
      .flat()
      .map((line) => JSON.parse(line));
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0].event.messageId).toBe('plan-bad');
    expect(quarantined[0].reason).toEqual([expect.objectContaining({ path: 'properties/plan' })]);
  });
});

describe('the per-IP rate limit of the Worker in workerd', () => {
  const LIMITED = { ...CONFIG, limits: { ipRate: { requestsPerSecond: 0.01, burst: 2 } } };

  /** The stored events under `prefix`, by messageId, once all of `ids` are there. */
  async function waitForEvents(from: R2Bucket, prefix: string, ids: string[]) {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      const files = await waitForFiles(prefix, 1, from);
      const events = new Map<string, { context?: { ip?: string; location?: unknown } }>();
      for (const line of [...files.values()].flat()) {
        const event = JSON.parse(line);
        events.set(event.messageId, event);
      }
      if (ids.every((id) => events.has(id))) return events;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not all of ${ids.join(', ')} under ${prefix}`);
  }

  it('answers 429 with Retry-After beyond the burst of one CF-Connecting-IP, lets another address through, and stores context.ip anonymized', async () => {
    const limited = await startWorker(LIMITED);
    const at = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
    const from = (ip: string, messageId: string) =>
      post(
        { writeKey: SHOP_KEY, batch: [track(messageId, at)] },
        { 'CF-Connecting-IP': ip },
        limited.mf,
      );

    expect((await from('203.0.113.77', 'ip-1')).status).toBe(200);
    expect((await from('203.0.113.77', 'ip-2')).status).toBe(200);
    const refused = await from('203.0.113.77', 'ip-3');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await from('2001:db8:abcd:12::9', 'ip-4')).status).toBe(200);

    const events = await waitForEvents(limited.bucket, 'events/source=shop/', [
      'ip-1',
      'ip-2',
      'ip-4',
    ]);
    expect(events.has('ip-3')).toBe(false);
    expect(events.get('ip-1')?.context?.ip).toBe('203.0.113.0');
    expect(events.get('ip-4')?.context?.ip).toBe('2001:db8:abcd::');
  });

  it('stores the country, region and city of request.cf as context.location, and none for a source with geo off', async () => {
    const geo = await startWorker({
      sources: [
        ...CONFIG.sources,
        {
          id: 'nogeo',
          writeKeys: ['wk_nogeo'],
          allowedOrigins: [SHOP_ORIGIN],
          enrich: { geo: false },
        },
      ],
    });
    const cf = {
      country: 'NZ' as const,
      region: 'Wellington',
      city: 'Wellington',
      regionCode: 'WGN',
    };
    const at = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
    const from = (writeKey: string, messageId: string) =>
      geo.mf.dispatchFetch('http://collector.test/v1/batch', {
        method: 'POST',
        headers: {
          'Content-Type': 'text/plain',
          Origin: SHOP_ORIGIN,
          'CF-Connecting-IP': '203.0.113.9',
        },
        body: JSON.stringify({ writeKey, batch: [track(messageId, at)] }),
        cf,
      });

    expect((await from(SHOP_KEY, 'geo-on')).status).toBe(200);
    expect((await from('wk_nogeo', 'geo-off')).status).toBe(200);
    const on = await waitForEvents(geo.bucket, 'events/source=shop/', ['geo-on']);
    expect(on.get('geo-on')?.context?.location).toEqual({
      country: 'NZ',
      region: 'Wellington',
      city: 'Wellington',
      source: 'cloudflare',
    });
    const off = await waitForEvents(geo.bucket, 'events/source=nogeo/', ['geo-off']);
    expect(off.get('geo-off')?.context).not.toHaveProperty('location');
    expect(off.get('geo-off')?.context?.ip).toBe('203.0.113.0');
    // The raw address is in neither stored event.
    expect(JSON.stringify([...on.values(), ...off.values()])).not.toContain('203.0.113.9');
  });
});
