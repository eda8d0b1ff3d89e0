import { describe, expect, it } from 'vitest';
import { createFailureThrottle, type FailureRules } from './auth-failures.js';

const RULES: FailureRules = {
  freeFailures: 3,
  firstLockoutMs: 1_000,
  maxLockoutMs: 60_000,
  forgetAfterMs: 600_000,
  maxClients: 100,
};

describe('the admin failure throttle', () => {
  it('locks a client out after its free failures, doubling each time up to the cap', () => {
    const throttle = createFailureThrottle(RULES);
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 12; i++) {
      const wait = throttle.wait('a', now);
      waits.push(wait);
      now += wait * 1000;
      throttle.attempt('a', now);
    }
    expect(waits).toEqual([0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]);
    // Another client is not affected.
    expect(throttle.wait('b', now)).toBe(0);
  });

  it('forgets failures after a right secret, and after a long quiet time', () => {
    const throttle = createFailureThrottle(RULES);
    for (let i = 0; i < 4; i++) throttle.attempt('a', 0);
    expect(throttle.wait('a', 0)).toBe(1);
    throttle.succeeded('a');
    expect(throttle.wait('a', 0)).toBe(0);
    for (let i = 0; i < 10; i++) throttle.attempt('b', 0);
    expect(throttle.wait('b', 59_000)).toBe(1);
    expect(throttle.wait('b', RULES.forgetAfterMs)).toBe(0);
  });

  it('keeps at most maxClients in memory, dropping the least recently failed first', () => {
    const throttle = createFailureThrottle(RULES);
    for (let i = 0; i < 10; i++) throttle.attempt('locked', 0);
    for (let i = 0; i < 1_000; i++) throttle.attempt(`client-${i}`, 1);
    expect(throttle.size).toBeLessThanOrEqual(RULES.maxClients);
    // The newest clients are still counted.
    for (let i = 0; i < 3; i++) throttle.attempt('client-999', 1);
    expect(throttle.wait('client-999', 1)).toBe(1);
  });
});
