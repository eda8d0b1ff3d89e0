/**
 * A random id of 128 bits from `crypto.getRandomValues`, which every browser with fetch
 * keepalive has: four 32-bit numbers in decimal, e.g. `3807912243120548317229645813802518062`.
 * Longer than nanoid's 21 characters, but far smaller in the tag than an alphabet table.
 */
export const randomId = (): string => crypto.getRandomValues(new Uint32Array(4)).join('');
