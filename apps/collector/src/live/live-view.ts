// The live event view: what an entry point creates when the config has an `admin` section.
import type { Context, Hono } from 'hono';
import type { ClientAddress } from '../client-ip.js';
import type { AdminConfig } from '../config-admin.js';
import { type AdminAuth, createAdminAuth } from './admin-auth.js';
import { createAdminGate } from './admin-gate.js';
import { createFailureThrottle, type FailureRules } from './auth-failures.js';
import { createLiveFeed, type LiveFeed, type LiveFeedOptions } from './live-feed.js';
import { addLiveRoutes } from './live-routes.js';

export interface LiveView {
  feed: LiveFeed;
  auth: AdminAuth;
  /** Adds `/live`, `/live/events`, ... to the app; wrong secrets are throttled per client. */
  addRoutes(
    app: Hono,
    client: { clientAddress: (c: Context) => ClientAddress | undefined; trustProxy: number },
  ): void;
  /** Ends the open event streams (call before closing the server). */
  close(): void;
}

/** Creates the live view for an admin config section. */
export function createLiveView(
  admin: NonNullable<AdminConfig>,
  options: Omit<LiveFeedOptions, 'maxViewers'> & { failureRules?: FailureRules } = {},
): LiveView {
  const { failureRules, ...feedOptions } = options;
  const now = options.now ?? Date.now;
  const feed = createLiveFeed({ ...feedOptions, maxViewers: admin.maxViewers });
  const auth = createAdminAuth(admin.secretHash, now);
  const throttle = createFailureThrottle(failureRules);
  return {
    feed,
    auth,
    addRoutes(app, client) {
      const clientKey = (c: Context) => client.clientAddress(c)?.rateKey;
      const gate = createAdminGate({
        auth,
        throttle,
        clientKey,
        now,
        trustProxy: client.trustProxy,
      });
      addLiveRoutes(app, { feed, auth, gate });
    },
    close: () => feed.close(),
  };
}
