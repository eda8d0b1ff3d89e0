// Ceiling 1: bare node:http. Reads the body to its end (discarding it) and answers 204.
import { createServer } from 'node:http';
import { runChild } from './child-runtime.js';
import { listenOnLoopback } from './listen-node.js';

runChild(async () => {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(204).end();
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, values: () => ({ requests }), stop: close };
});
