// Ceiling 2: a Hono app on @hono/node-server that answers 204 without reading the body.
import { Hono } from 'hono';
import { runChild } from './child-runtime.js';
import { serveHono } from './hono-server.js';

runChild(async () => {
  let requests = 0;
  const app = new Hono();
  app.post('/v1/batch', (c) => {
    requests++;
    return c.body(null, 204);
  });
  const { url, close } = await serveHono(app);
  return { url, values: () => ({ requests }), stop: close };
});
