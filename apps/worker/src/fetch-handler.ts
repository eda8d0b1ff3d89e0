import { createCollectorApp } from '@sluice/collector/web';
import { createCloudflareQueue } from '@sluice/queue/cloudflare';
import type { Hono } from 'hono';
import { cloudflareClientIp, cloudflareClientLocation } from './client-ip.js';
import type { WorkerEnv } from './env.js';
import { parseWorkerConfig } from './worker-config.js';

interface Collector {
  configText: string | undefined;
  app: Hono;
}

/**
 * The collector for this isolate's bindings, built on first use and kept while the config
 * stays the same (an isolate serves many requests; parsing the config on each would be waste).
 */
export function createFetchHandler(tagScript: string | undefined) {
  let collector: Collector | undefined;

  function collectorFor(env: WorkerEnv): Hono {
    if (collector !== undefined && collector.configText === env.SLUICE_CONFIG) return collector.app;
    const app = createCollectorApp({
      queue: createCloudflareQueue(env.EVENTS_QUEUE),
      config: parseWorkerConfig(env.SLUICE_CONFIG),
      tagScript,
      clientIp: cloudflareClientIp,
      clientLocation: cloudflareClientLocation,
    });
    collector = { configText: env.SLUICE_CONFIG, app };
    return app;
  }

  return async function fetch(request: Request, env: WorkerEnv): Promise<Response> {
    let app: Hono;
    try {
      app = collectorFor(env);
    } catch (error) {
      // The details name config paths and keys: they go to the Worker's logs, not to clients.
      console.error(error);
      return Response.json(
        {
          error: {
            code: 'internal_error',
            message: 'the collector is not configured; see the Worker logs',
          },
        },
        { status: 500 },
      );
    }
    return app.fetch(request, env);
  };
}
