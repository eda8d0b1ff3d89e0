import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTrackingPlan, type TrackingPlan } from '@sluice/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTypes } from './plan-types.js';

// The generated declarations are type-checked by the real compiler, run as a process on
// files that use them: what a developer's build does with them.
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function tsc(dir: string, file: string): Promise<{ code: number | null; output: string }> {
  const args = [
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--target',
    'ES2022',
    '--module',
    'NodeNext',
  ];
  const child = spawn(process.execPath, [TSC, ...args, '--moduleResolution', 'NodeNext', file], {
    cwd: dir,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

const check = checkTrackingPlan({
  events: {
    track: {
      'Order Completed': {
        properties: {
          type: 'object',
          properties: {
            price: { type: 'number' },
            currency: { enum: ['EUR', 'USD'] },
          },
          required: ['price'],
        },
      },
      'Signed Up': {},
    },
    identify: {
      '*': { traits: { type: 'object', properties: { email: { type: 'string' } } } },
    },
  },
});
if (!check.ok) throw new Error('the test plan is invalid');
const plan: TrackingPlan = check.plan;

// The real tracker's types (@sluice/tracker, built): the wrapper must take what users have.
const PRELUDE = `import { createTracker } from '@sluice/tracker';
import { typedTracker } from './tracking-plan.js';
const analytics = typedTracker(createTracker({ writeKey: 'wk_shop', endpoint: 'https://c.example' }));
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-plan-types-'));
  await writeFile(join(dir, 'tracking-plan.ts'), await planTypes(plan));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  // The CLI's dependencies, so `@sluice/tracker` resolves as in an app that has it.
  await symlink(
    fileURLToPath(new URL('../../node_modules', import.meta.url)),
    join(dir, 'node_modules'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sluice plan types', () => {
  it('compiles calls that follow the plan', async () => {
    await writeFile(
      join(dir, 'right.ts'),
      `${PRELUDE}analytics.track('Order Completed', { price: 12.5, currency: 'EUR' });
analytics.track('Signed Up');
analytics.identify('user-1', { email: 'a@shop.example' });
`,
    );
    const result = await tsc(dir, 'right.ts');
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('fails to compile a wrong property type or value, a missing property, an unplanned name or type', async () => {
    await writeFile(
      join(dir, 'wrong.ts'),
      `${PRELUDE}analytics.track('Order Completed', { price: '12.50' });
analytics.track('Order Completed', { currency: 'EUR' });
analytics.track('Cart Abandoned', {});
analytics.track('Order Completed', { price: 1, currency: 'GBP' });
analytics.group('g-1');
`,
    );
    const result = await tsc(dir, 'wrong.ts');
    expect(result.code).not.toBe(0);
    // One error on each of the five calls (lines 4 to 8), none elsewhere.
    const lines = [...result.output.matchAll(/^wrong\.ts\((\d+),\d+\): error/gm)].map((m) =>
      Number(m[1]),
    );
    expect([...new Set(lines)]).toEqual([4, 5, 6, 7, 8]);
    expect(result.output).toMatch(
      /wrong\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });
});
