import { describe, expect, it } from 'vitest';
import { checkTrackingPlan } from './check-plan.js';
import { type CompiledPlan, compilePlan, UNPLANNED_LABEL } from './compile-plan.js';
import {
  ajvValidators,
  interpretedValidators,
  type SchemaValidators,
} from './schema-validators.js';

function compiled(plan: unknown): CompiledPlan {
  const check = checkTrackingPlan(plan);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return check.compiled;
}

const track = (event: string, properties?: unknown, context?: unknown) => ({
  type: 'track',
  event,
  messageId: 'm-1',
  ...(properties === undefined ? {} : { properties }),
  ...(context === undefined ? {} : { context }),
});

describe('a compiled tracking plan', () => {
  const plan = compiled({
    context: { required: ['library.name'] },
    events: {
      track: {
        'Order Completed': {
          properties: { type: 'object', required: ['price'] },
          context: { required: ['page.url'] },
        },
      },
      page: { '*': { properties: { properties: { path: { type: 'string' } } } } },
    },
  });
  const library = { library: { name: 'sluice' } };

  it('keeps an event that follows the plan', () => {
    const event = track('Order Completed', { price: 1 }, { ...library, page: { url: 'u' } });
    expect(plan.check(event)).toBeUndefined();
  });

  it('names each missing required field and context field, under the planned name', () => {
    expect(plan.check(track('Order Completed'))).toEqual({
      label: 'Order Completed',
      issues: [
        { path: 'context/library/name', message: 'is required by the tracking plan' },
        {
          path: 'properties',
          message: `must have required property 'price' (plan of track "Order Completed")`,
        },
        { path: 'context/page/url', message: 'is required by the tracking plan' },
      ],
    });
  });

  it('judges names the plan does not list by their type\'s "*" rule', () => {
    const page = { type: 'page', name: 'Home', context: library, properties: { path: 3 } };
    expect(plan.check(page)).toMatchObject({
      label: 'page:*',
      issues: [{ path: 'properties/path', message: 'must be string (plan of page "Home")' }],
    });
  });

  it('counts an unlisted name or type as unplanned, never under a name a client chose', () => {
    expect(plan.check(track('__proto__', {}, library))).toEqual({
      label: UNPLANNED_LABEL,
      issues: [{ path: 'event', message: 'track "__proto__" is not in the tracking plan' }],
    });
    expect(plan.check({ type: 'identify', userId: 'u', context: library })).toEqual({
      label: UNPLANNED_LABEL,
      issues: [{ path: 'type', message: 'type "identify" is not in the tracking plan' }],
    });
  });

  it('lets unplanned events through when the plan says so', () => {
    const open = compiled({ unplanned: 'allow', events: { track: { A: {} } } });
    expect(open.check(track('B'))).toBeUndefined();
  });

  it('is compiled once per plan object', () => {
    const check = checkTrackingPlan({ events: {} });
    if (!check.ok) throw new Error('invalid');
    expect(compilePlan(check.plan)).toBe(check.compiled);
  });
});

describe('a plan compiled where code generation is forbidden (Cloudflare Workers)', () => {
  // workerd picks the interpreter by itself (apps/worker/src/worker.test.ts); here it is asked for.
  const compiledWith = (validators: () => SchemaValidators) => {
    const check = checkTrackingPlan({
      events: {
        track: {
          'Order Completed': {
            properties: {
              type: 'object',
              properties: { price: { type: 'number' }, items: { type: 'array', minItems: 1 } },
              required: ['price'],
            },
          },
        },
      },
    });
    if (!check.ok) throw new Error(JSON.stringify(check.issues));
    return compilePlan(check.plan, validators);
  };
  const plan = compiledWith(interpretedValidators);

  it('keeps an event that follows the plan', () => {
    expect(plan.check(track('Order Completed', { price: 3, items: [1] }))).toBeUndefined();
  });

  it('names the paths ajv names, one issue per wrong value', () => {
    const event = track('Order Completed', { price: 'free', items: [] });
    const paths = (p: CompiledPlan, e: Record<string, unknown>) =>
      p.check(e)?.issues.map((i) => i.path);
    expect(paths(plan, event)).toEqual(['properties/price', 'properties/items']);
    expect(paths(compiledWith(ajvValidators), event)).toEqual(paths(plan, event));
    expect(paths(plan, track('Order Completed', {}))).toEqual(['properties']);
  });
});
