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

/**
 * Returns a function that finds the owner of a presented secret key. It hashes the key and
 * compares the hash with every stored one in constant time, without stopping at a match,
 * so the answer's timing tells nothing about the stored hashes.
 */
export function createSecretKeyMatcher<T>(
  entries: readonly { hash: string; owner: T }[],
): (secret: string) => Promise<T | undefined> {
  const stored = entries.map((entry) => ({
    digest: fromHex(entry.hash.slice(PREFIX.length)),
    owner: entry.owner,
  }));
  return async (secret) => {
    if (stored.length === 0) return undefined;
    const digest = await sha256(secret);
    let found: T | undefined;
    for (const entry of stored) {
      if (sameBytes(digest, entry.digest)) found = entry.owner;
    }
    return found;
  };
}
