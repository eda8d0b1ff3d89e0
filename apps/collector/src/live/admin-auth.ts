// Who may open the live view: the holder of the admin secret, presented as
// `Authorization: Bearer <secret>` (scripts, curl) or once in the login form, which answers
// with a session cookie (browsers: EventSource cannot send headers). The secret never goes
// in a URL, so it never lands in access logs.
import { createAdminSecretCheck } from '../admin-secret-hash.js';

/** The session cookie's name. HttpOnly, SameSite=Strict, scoped to /live. */
export const SESSION_COOKIE = 'sluice_live';
/** How long a login lasts. */
export const SESSION_SECONDS = 12 * 3600;

export interface AdminAuth {
  /** True when `secret` is the admin secret (compared by hash, in constant time). */
  checkSecret(secret: string): Promise<boolean>;
  /** A new session token to set as the cookie. */
  issueSession(): Promise<string>;
  /** True when `token` is a session this process issued and that has not expired. */
  checkSession(token: string | undefined): Promise<boolean>;
}

const encoder = new TextEncoder();

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * Sessions are `<expiry ms>.<HMAC of it>` under a key made at start and kept in memory only:
 * nothing to store, and a restart (or a leaked config file) cannot revive a session.
 */
export function createAdminAuth(secretHash: string, now: () => number = Date.now): AdminAuth {
  const checkSecret = createAdminSecretCheck(secretHash);
  let key: Promise<CryptoKey> | undefined;
  const sessionKey = () => {
    key ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]) as Promise<CryptoKey>;
    return key;
  };

  async function checkSession(token: string | undefined): Promise<boolean> {
    const [expiry, mac, extra] = token?.split('.') ?? [];
    if (!expiry || !mac || extra !== undefined || !/^\d{1,16}$/.test(expiry)) return false;
    if (Number(expiry) <= now()) return false;
    const signature = fromBase64url(mac);
    if (!signature) return false;
    // verify() compares in constant time.
    return crypto.subtle.verify('HMAC', await sessionKey(), signature, encoder.encode(expiry));
  }

  return {
    checkSecret,
    async issueSession() {
      const expiry = String(now() + SESSION_SECONDS * 1000);
      const mac = await crypto.subtle.sign('HMAC', await sessionKey(), encoder.encode(expiry));
      return `${expiry}.${base64url(mac)}`;
    },
    checkSession,
  };
}
