// Secret keys authenticate servers. The config holds only their SHA-256 hashes, so a leaked
// config file does not leak a key. A fast hash suffices because the keys are random (256
// bits from `generateSecretKey`), not passwords a person chose.

const encoder = new TextEncoder();
const PREFIX = 'sha256:';

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** The form a secret key is stored in: `sha256:<64 hex digits>`. */
export async function hashSecretKey(secret: string): Promise<string> {
  return PREFIX + toHex(await sha256(secret));
}

/** A new random secret key, `sk_` and 43 base64url characters (256 bits). */
export function generateSecretKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return `sk_${base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** Compares two byte arrays in time independent of where they differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/** Longest key looked up at all: generated keys have 46 characters; longer ones are never hashed. */
export const MAX_SECRET_KEY_LENGTH = 256;

export interface SecretKeyMatcherOptions {
  /** The final constant-time comparison (tests count its calls). */
  compare?: (a: Uint8Array, b: Uint8Array) => boolean;
  /** SHA-256 of a key (default Web Crypto's, which is async; Node passes its faster sync one). */
  digest?: (text: string) => Uint8Array | Promise<Uint8Array>;
}

/**
 * Returns a function that finds the owner of a presented secret key: one SHA-256 of the key,
 * one map lookup by that hash, and one constant-time comparison with the stored digest found.
 * The work does not grow with the number of sources. Looking a hash up in a map is no timing
 * leak: the keys are 256 random bits, so learning which hash prefixes exist tells an attacker
 * nothing about a key that hashes to them (they would have to invert SHA-256).
 * `stored` maps each stored hash (`sha256:<hex>`) to its owner; the caller builds it once
 * (no copy per source: 100,000 of them at start-up).
 */
export function createSecretKeyMatcher<T>(
  stored: ReadonlyMap<string, T>,
  options: SecretKeyMatcherOptions = {},
): (secret: string) => Promise<T | undefined> {
  const compare = options.compare ?? sameBytes;
  const hash = options.digest ?? sha256;
  return async (secret) => {
    // Bounds what an unknown key can cost: no hashing of megabytes, no lookup without keys.
    if (stored.size === 0 || secret.length === 0 || secret.length > MAX_SECRET_KEY_LENGTH) {
      return undefined;
    }
    const digest = await hash(secret);
    const key = PREFIX + toHex(digest);
    const owner = stored.get(key);
    if (owner === undefined) return undefined;
    // The map's key is the stored hash; its digest bytes are decoded for this one entry.
    return compare(digest, fromHex(key.slice(PREFIX.length))) ? owner : undefined;
  };
}
