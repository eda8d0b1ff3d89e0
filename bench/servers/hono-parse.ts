// Ceiling 3: a Hono app that only parses the JSON body and answers 204 — what the collector
// must beat, since it also validates, enriches and durably enqueues.
import { Hono } from 'hono';
import { runChild } from './child-runtime.js';
import { serveHono } from './hono-server.js';

runChild(async () => {
  let requests = 0;
  let events = 0;
  const app = new Hono();
  app.post('/v1/batch', async (c) => {
    const body = (await c.req.json()) as { batch?: unknown[] };
    requests++;
    events += body.batch?.length ?? 0;
    return c.body(null, 204);
  });
  const { url, close } = await serveHono(app);
  return { url, values: () => ({ requests, events }), stop: close };
});
