// The admin secret's stored form. A generated secret (`adm_` + 256 random bits, from `sluice
// keys create --admin`) may stay `sha256:<hex>`: no guessing gets near 2^256. A secret a person
// chose gets scrypt, so a leaked config cannot be searched fast for it offline:
// `scrypt:ln=<log2 N>,r=<r>,p=<p>:<salt base64url>:<key base64url>`.
//
// scrypt from @noble/hashes (audited, no runtime modules) rather than node:crypto injected by
// the entry point: the same check then runs unchanged on Workers, where node:crypto's scrypt
// needs nodejs_compat, and a KDF only runs on a login, so its pure-JS speed (about 0.4 s for
// the parameters below on this machine, vs ~0.15 s native) costs a person nothing.
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { fromHex, sameBytes, sha256 } from './secret-keys.js';

/** Shortest admin secret accepted: a generated one has 47 characters. */
export const MIN_ADMIN_SECRET_LENGTH = 32;

/**
 * OWASP's scrypt settings at 32 MiB (N=2^15, r=8, p=3: the cost of its 2^17/8/1 with a
 * quarter of the memory), so a few logins at once cannot exhaust the process.
 */
export const ADMIN_SCRYPT = { ln: 15, r: 8, p: 3 } as const;

/** `sha256:<64 hex>` or `scrypt:ln=14..17,r=8..16,p=1..4:<salt>:<key>` (parameters bounded so a config cannot make a login cost seconds or gigabytes). */
export const ADMIN_SECRET_HASH =
  /^(?:sha256:[0-9a-f]{64}|scrypt:ln=1[4-7],r=(?:[89]|1[0-6]),p=[1-4]:[\w-]{22,86}:[\w-]{43})$/;

/** Why `secret` may not be the admin secret, or undefined when it may. */
export function adminSecretProblem(secret: string): string | undefined {
  if (secret.length < MIN_ADMIN_SECRET_LENGTH) {
    return `the admin secret must have at least ${MIN_ADMIN_SECRET_LENGTH} characters (it has ${secret.length}); make one with \`sluice keys create --admin\``;
  }
  return undefined;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function derive(secret: string, salt: Uint8Array, params: { ln: number; r: number; p: number }) {
  const { ln, r, p } = params;
  // asyncTick: yield to the event loop every 10 ms, so events keep flowing during a login.
  return scryptAsync(encoder.encode(secret), salt, { N: 2 ** ln, r, p, dkLen: 32, asyncTick: 10 });
}

/** Hashes a person's admin secret with scrypt and a random salt. */
export async function hashAdminSecret(secret: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const { ln, r, p } = ADMIN_SCRYPT;
  const key = await derive(secret, salt, ADMIN_SCRYPT);
  return `scrypt:ln=${ln},r=${r},p=${p}:${base64url(salt)}:${base64url(key)}`;
}

/**
 * Returns the check of a presented secret against its stored form (`sha256:` or `scrypt:`).
 * Both compare the whole digest in constant time. scrypt runs one at a time, so its memory is
 * held once however many logins arrive together.
 */
export function createAdminSecretCheck(stored: string): (secret: string) => Promise<boolean> {
  if (!ADMIN_SECRET_HASH.test(stored)) throw new Error('not an admin secret hash');
  if (stored.startsWith('sha256:')) {
    const expected = fromHex(stored.slice('sha256:'.length));
    return async (secret) => sameBytes(await sha256(secret), expected);
  }
  const [, settings = '', salt = '', key = ''] = stored.split(':');
  const [ln, r, p] = settings.split(',').map((part) => Number(part.split('=')[1]));
  const params = { ln: ln!, r: r!, p: p! };
  const saltBytes = fromBase64url(salt);
  const expected = fromBase64url(key);
  let running: Promise<unknown> = Promise.resolve();
  return (secret) => {
    const result = running.then(async () =>
      sameBytes(await derive(secret, saltBytes, params), expected),
    );
    running = result.catch(() => {});
    return result;
  };
}
