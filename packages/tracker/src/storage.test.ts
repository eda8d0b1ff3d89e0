import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keep, recall } from './storage.js';

const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')!;
beforeEach(() => localStorage.clear());
afterEach(() => Object.defineProperty(globalThis, 'localStorage', original));

describe('keep and recall', () => {
  it('keep a value in localStorage when the device may hold it', () => {
    expect(keep('k', 'v', true)).toBe('v');
    expect(localStorage.getItem('k')).toBe('v');
    expect(recall('k', true)).toBe('v');
  });

  it('leave localStorage alone, and read nothing, when the device may not hold values', () => {
    localStorage.setItem('k', 'old');
    expect(recall('k', false)).toBeUndefined();
    expect(keep('k', 'v', false)).toBe('v');
    expect(keep('k', undefined, false)).toBeUndefined();
    expect(localStorage.getItem('k')).toBe('old');
  });

  it('remove the value when told to keep undefined', () => {
    localStorage.setItem('k', 'old');
    keep('k', undefined, true);
    expect(localStorage.getItem('k')).toBeNull();
    expect(recall('k', true)).toBeUndefined();
  });

  it('throw nothing when localStorage itself throws (sandboxed iframes, privacy modes)', () => {
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
    expect(keep('k', 'v', true)).toBe('v');
    expect(recall('k', true)).toBeUndefined();
  });
});
