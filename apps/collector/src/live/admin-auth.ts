// Who may open the live view: the holder of the admin secret, presented as
// `Authorization: Bearer <secret>` (scripts, curl) or once in the login form, which answers
// with a session cookie (browsers: EventSource cannot send headers). The secret never goes
// in a URL, so it never lands in access logs.
import { createAdminSecretCheck } from '../admin-secret-hash.js';

/** The session cookie's name (`__Host-` before it under HTTPS). HttpOnly, SameSite=Strict. */
export const SESSION_COOKIE = 'sluice_live';
/** How long a login lasts. */
export const SESSION_SECONDS = 12 * 3600;
/** Most sessions held at once; past it the oldest is logged out (only admins can log in). */
export const MAX_SESSIONS = 1000;

export interface AdminAuth {
  /** True when `secret` is the admin secret (compared by hash, in constant time). */
  checkSecret(secret: string): Promise<boolean>;
  /** A new session token to set as the cookie. */
  issueSession(): Promise<string>;
  /** True when `token` is a session this process issued, not expired and not logged out. */
  checkSession(token: string | undefined): Promise<boolean>;
  /** Logs the session out: its token no longer works, even where it was copied. */
  revokeSession(token: string | undefined): Promise<void>;
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
 * Sessions are `<expiry ms>.<random id>.<HMAC of both>` under a key made at start and kept in
 * memory only, and their ids are held until logout or expiry: a restart (or a leaked config
 * file) cannot revive a session, and a logged-out one is dead even if its cookie was copied.
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

  // Session id -> expiry (ms); Map order is issue order, so the first is the oldest.
  const sessions = new Map<string, number>();

  async function sessionId(token: string | undefined): Promise<string | undefined> {
    const [expiry, id, mac, extra] = token?.split('.') ?? [];
    if (!expiry || !id || !mac || extra !== undefined || !/^\d{1,16}$/.test(expiry)) return;
    if (Number(expiry) <= now() || !sessions.has(id)) return;
    const signature = fromBase64url(mac);
    if (!signature) return;
    // verify() compares in constant time.
    const signed = encoder.encode(`${expiry}.${id}`);
    return (await crypto.subtle.verify('HMAC', await sessionKey(), signature, signed))
      ? id
      : undefined;
  }

  function makeRoom(): void {
    for (const [id, expiry] of sessions) if (expiry <= now()) sessions.delete(id);
    for (const id of sessions.keys()) {
      if (sessions.size < MAX_SESSIONS) break;
      sessions.delete(id);
    }
  }

  return {
    checkSecret,
    async issueSession() {
      const expiryMs = now() + SESSION_SECONDS * 1000;
      const id = base64url(crypto.getRandomValues(new Uint8Array(16)).buffer as ArrayBuffer);
      if (sessions.size >= MAX_SESSIONS) makeRoom();
      sessions.set(id, expiryMs);
      const signed = encoder.encode(`${expiryMs}.${id}`);
      const mac = await crypto.subtle.sign('HMAC', await sessionKey(), signed);
      return `${expiryMs}.${id}.${base64url(mac)}`;
    },
    checkSession: async (token) => (await sessionId(token)) !== undefined,
    async revokeSession(token) {
      const id = await sessionId(token);
      if (id !== undefined) sessions.delete(id);
    },
  };
}
