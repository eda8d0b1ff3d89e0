// The live view's routes: the page (or the login form), its script and style, the login and
// logout forms, and the Server-Sent Events stream, which runs on Node and on Workers alike.
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { CollectorError } from '../errors.js';
import { checkContentEncoding, decodeUtf8, readBody } from '../request-body.js';
import type { AdminAuth } from './admin-auth.js';
import type { AdminGate } from './admin-gate.js';
import { LIVE_SCRIPT, LIVE_STYLE } from './live-assets.js';
import type { LiveFeed, LiveUpdate } from './live-feed.js';
import { LIVE_CSP, livePage, loginPage } from './live-page.js';
import {
  clearSessionCookie,
  readSessionCookie,
  refuseCrossSite,
  setSessionCookie,
} from './session-cookie.js';

function pageHeaders(c: Context): void {
  c.header('Content-Security-Policy', LIVE_CSP);
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
}

/** The login form holds one field: a generated secret is 47 bytes, a passphrase a few more. */
export const LOGIN_MAX_BYTES = 4096;

/**
 * Reads the login form within LOGIN_MAX_BYTES (413 at once by Content-Length, or as soon as a
 * chunked body passes it), form-encoded only (415): parseBody buffered any size of anything.
 */
async function readLoginForm(c: Context): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (
    type !== 'application/x-www-form-urlencoded' ||
    checkContentEncoding(c.req.header('content-encoding'))
  ) {
    throw new CollectorError(
      415,
      'unsupported_media_type',
      'the login form must be application/x-www-form-urlencoded, not compressed',
    );
  }
  const bytes = await readBody(c.req.raw, { maxBytes: LOGIN_MAX_BYTES, gzip: false });
  return new URLSearchParams(decodeUtf8(bytes));
}

/** Adds `/live` and what it needs, behind the admin secret. */
export function addLiveRoutes(
  app: Hono,
  deps: { feed: LiveFeed; auth: AdminAuth; gate: AdminGate },
): void {
  const { feed, auth, gate } = deps;

  app.get('/live', async (c) => {
    pageHeaders(c);
    return c.html((await gate.isAdmin(c)) ? livePage() : loginPage());
  });
  app.get('/live/app.js', (c) =>
    c.body(LIVE_SCRIPT, 200, { 'Content-Type': 'application/javascript; charset=utf-8' }),
  );
  app.get('/live/style.css', (c) =>
    c.body(LIVE_STYLE, 200, { 'Content-Type': 'text/css; charset=utf-8' }),
  );

  app.post('/live/login', async (c) => {
    pageHeaders(c);
    refuseCrossSite(c, gate.isHttps(c));
    const secret = (await readLoginForm(c)).get('secret');
    if (secret === null || !(await gate.secretIsRight(c, secret))) {
      return c.html(loginPage('That is not the admin secret.'), 401);
    }
    setSessionCookie(c, await auth.issueSession(), gate.isHttps(c));
    return c.redirect('/live', 303);
  });
  app.post('/live/logout', async (c) => {
    const https = gate.isHttps(c);
    refuseCrossSite(c, https);
    await auth.revokeSession(readSessionCookie(c, https));
    clearSessionCookie(c, https);
    return c.redirect('/live', 303);
  });

  app.get('/live/events', async (c) => {
    if (!(await gate.isAdmin(c))) {
      throw new CollectorError(
        401,
        'unauthorized',
        'log in at /live or send the admin secret as a Bearer token',
      );
    }
    let finish = () => {};
    const ended = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const queued: LiveUpdate[] = [];
    let wake = () => {};
    const unsubscribe = feed.subscribe({
      send: (update) => {
        queued.push(update);
        wake();
      },
      end: () => finish(),
    });
    if (!unsubscribe) {
      throw new CollectorError(503, 'too_many_viewers', 'too many live views are open; close one', {
        headers: { 'Retry-After': '10' },
      });
    }
    queued.push(feed.snapshot());
    c.header('Cache-Control', 'no-store');
    // The response ends the connection with it, so a shutdown need not wait for keep-alive.
    c.header('Connection', 'close');
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => finish());
      let open = true;
      void ended.then(() => {
        open = false;
        wake();
      });
      try {
        while (open) {
          const update = queued.shift();
          if (update) {
            await stream.writeSSE({ event: 'update', data: JSON.stringify(update) });
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        unsubscribe();
      }
    });
  });
}
