// The session cookie and the checks around it (issue 15, finding 7): under HTTPS it is
// `__Host-sluice_live` (Secure, Path=/, no Domain: no subdomain or plain-HTTP page can plant
// or read it); whether a request came over HTTPS is believed from X-Forwarded-Proto only when
// the config says proxies stand in front (`trustProxy`), as for X-Forwarded-For.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { CollectorError } from '../errors.js';
import { SESSION_COOKIE, SESSION_SECONDS } from './admin-auth.js';

/** True when the client reached the collector (or its first trusted proxy) over HTTPS. */
export function requestIsHttps(c: Context, trustProxy: number): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (trustProxy < 1) return false;
  // Each trusted proxy may append what it saw; the client's entry is that many from the right.
  const hops = (c.req.header('x-forwarded-proto') ?? '').split(',');
  return hops[Math.max(0, hops.length - trustProxy)]?.trim().toLowerCase() === 'https';
}

function cookieName(https: boolean): string {
  return https ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}

function cookiePlace(https: boolean) {
  return https ? { secure: true, path: '/' } : { path: '/live' };
}

export function setSessionCookie(c: Context, token: string, https: boolean): void {
  setCookie(c, cookieName(https), token, {
    ...cookiePlace(https),
    httpOnly: true,
    sameSite: 'Strict',
    maxAge: SESSION_SECONDS,
  });
}

export function readSessionCookie(c: Context, https: boolean): string | undefined {
  return getCookie(c, cookieName(https));
}

export function clearSessionCookie(c: Context, https: boolean): void {
  deleteCookie(c, cookieName(https), cookiePlace(https));
}

/**
 * Refuses (403) a state-changing request another site's page sent. `Sec-Fetch-Site` decides
 * where the browser sends it (HTTPS and localhost); else `Origin` must be our own (the live
 * page's referrer policy is same-origin so that its forms send it; "null" is refused).
 * Without either (curl, scripts) it is no browser's cross-site form.
 */
export function refuseCrossSite(c: Context, https: boolean): void {
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  const own = `${https ? 'https' : 'http'}://${new URL(c.req.url).host}`;
  const allowed =
    site !== undefined
      ? site === 'same-origin' || site === 'none'
      : origin === undefined || origin === own;
  if (!allowed) {
    throw new CollectorError(
      403,
      'origin_not_allowed',
      'the live view takes logins and logouts only from its own page',
    );
  }
}
