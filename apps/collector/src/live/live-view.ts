// The live event view: what an entry point creates when the config has an `admin` section.
import type { Hono } from 'hono';
import type { AdminConfig } from '../config-admin.js';
import { type AdminAuth, createAdminAuth } from './admin-auth.js';
import { createLiveFeed, type LiveFeed, type LiveFeedOptions } from './live-feed.js';
import { addLiveRoutes } from './live-routes.js';

export interface LiveView {
  feed: LiveFeed;
  auth: AdminAuth;
  /** Adds `/live`, `/live/events`, ... to the app. */
  addRoutes(app: Hono): void;
  /** Ends the open event streams (call before closing the server). */
  close(): void;
}

/** Creates the live view for an admin config section. */
export function createLiveView(
  admin: NonNullable<AdminConfig>,
  options: Omit<LiveFeedOptions, 'maxViewers'> = {},
): LiveView {
  const feed = createLiveFeed({ ...options, maxViewers: admin.maxViewers });
  const auth = createAdminAuth(admin.secretHash, options.now);
  return {
    feed,
    auth,
    addRoutes: (app) => addLiveRoutes(app, { feed, auth }),
    close: () => feed.close(),
  };
}
