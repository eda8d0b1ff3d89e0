import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkTrackingPlan, parsePlanText } from '@sluice/ingest';
import { orderPlanYaml } from '@sluice/testkit/plans';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runSluice } from './cli-process.js';

// `sluice plan` run as the real command, on plan files in a scratch directory.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-plan-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const GOOD = `# the shop's tracking plan
${orderPlanYaml({ onViolation: 'flag' })}`;

async function planFile(name: string, text: string) {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('sluice plan check', () => {
  it('accepts a valid plan with exit code 0', async () => {
    const file = await planFile('good.yaml', GOOD);
    const result = await runSluice(['plan', 'check', file]);
    expect(result.stdout).toBe(`${file}: the plan is valid\n`);
    expect(result.code).toBe(0);
  });

  it('names the place of each mistake in a schema and exits 1', async () => {
    const text = `${GOOD.replace('type: number', 'type: numbr')}    Signed Up:
      properties: { properties: { email: { type: string, format: e-mail } } }
`;
    const file = await planFile('broken.yaml', text);
    const result = await runSluice(['plan', 'check', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: 2 problems`);
    expect(result.stderr).toContain(
      '  events.track.Order Completed.properties.properties.price.type: must be equal to one of the allowed values: array, boolean, integer, null, number, object, string',
    );
    expect(result.stderr).toMatch(/events\.track\.Signed Up\.properties: unknown format "e-mail"/);
  });

  it('names a wrong setting and a file that is not YAML, and exits 1', async () => {
    const setting = await planFile('setting.json', '{"onViolation":"drop","events":{}}');
    const wrong = await runSluice(['plan', 'check', setting]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('  onViolation: onViolation must be "quarantine" or "flag"');
    const garbled = await planFile('garbled.yaml', 'events: [unclosed');
    const unreadable = await runSluice(['plan', 'check', garbled]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain(`is not valid YAML`);
  });
});

describe('sluice config check', () => {
  it("reads the sources' plan files too: a broken one fails the check with its place", async () => {
    await planFile('shop-plan.yaml', GOOD.replace('type: number', 'type: numbr'));
    const sources = [{ id: 'shop', writeKeys: ['wk_shop'], plan: 'shop-plan.yaml' }];
    const config = await planFile('sluice.config.json', JSON.stringify({ sources }));
    const result = await runSluice(['config', 'check', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `error: ${join(dir, 'shop-plan.yaml')}  sources[0].plan: events.track.Order Completed.properties.properties.price.type`,
    );
  });
});

describe("the README's tracking plan", () => {
  it('passes sluice plan check as written', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Tracking plans\n');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 4));
    const yaml = /^```yaml\n([\s\S]*?)^```$/m.exec(section)?.[1];
    expect(yaml, 'a yaml block in "## Tracking plans"').toContain('onViolation');
    const file = await planFile('readme.yaml', yaml ?? '');
    const result = await runSluice(['plan', 'check', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('sluice plan types', () => {
  it('prints the typed tracker wrapper of a valid plan', async () => {
    const file = await planFile('types.yaml', GOOD);
    const result = await runSluice(['plan', 'types', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"Order Completed": TrackOrderCompletedProperties;');
    expect(result.stdout).toContain('export function typedTracker(tracker: UntypedTracker)');
  });
});

describe('sluice plan infer', () => {
  // Stored as the forwarder stores them: gzip NDJSON in source and hour folders.
  const shop = [
    { type: 'track', event: 'Order Completed', properties: { price: 12.5, currency: 'EUR' } },
    {
      type: 'track',
      event: 'Order Completed',
      properties: { price: 12, currency: 'EUR', coupon: 'X' },
    },
    { type: 'track', event: 'Signed Up', properties: { plan: 'pro', trial: true } },
    { type: 'page', name: 'Home', properties: { path: '/' } },
    { type: 'identify', userId: 'u-1', traits: { email: 'a@shop.example' } },
  ].map((event, i) => ({ messageId: `m-${i}`, anonymousId: 'a-1', ...event }));
  const blog = [{ type: 'track', event: 'Post Read', properties: { slug: 'a' }, messageId: 'b-1' }];

  async function store(source: string, events: object[]) {
    const folder = join(dir, 'store', 'events', `source=${source}`, 'dt=2026-03-01', 'hh=10');
    await mkdir(folder, { recursive: true });
    const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    await writeFile(join(folder, '0-0.ndjson.gz'), gzipSync(lines));
  }

  it("drafts a plan that accepts every stored event of the source, and only that source's names", async () => {
    await store('shop', shop);
    await store('blog', blog);
    const args = ['plan', 'infer', '--source', 'shop', '--store-dir', join(dir, 'store')];
    const result = await runSluice(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const check = checkTrackingPlan(parsePlanText(result.stdout, 'draft.yaml'));
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    expect(check.plan.onViolation).toBe('flag');
    expect(Object.keys(check.plan.events.track ?? {}).sort()).toEqual([
      'Order Completed',
      'Signed Up',
    ]);
    expect(check.plan.events.track?.['Order Completed']?.properties).toEqual({
      type: 'object',
      properties: {
        coupon: { type: 'string' },
        currency: { type: 'string' },
        price: { type: 'number' },
      },
      required: ['currency', 'price'],
    });
    for (const event of shop) expect(check.compiled.check(event), event.messageId).toBeUndefined();
    expect(check.compiled.check(blog[0]!)).toMatchObject({ label: '_unplanned' });
    // A wrong type is caught by the draft as it is.
    const wrong = { ...shop[0]!, properties: { price: '12.50', currency: 'EUR' } };
    expect(check.compiled.check(wrong)?.issues[0]?.path).toBe('properties/price');
  });
});
