// What the `--workers` e2e tests share: requests on connections of their own (the kernel hands
// each new connection to either collector thread, SO_REUSEPORT) and the bytes a log partition
// holds on disk.
import { readdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';

/** One request on a connection of its own; resolves with the status and the body's text. */
export function requestOnNewConnection(
  url: string,
  method: string,
  body?: string,
  headers: Record<string, string> = { 'content-type': 'text/plain' },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts one batch (the JSON text) to the collector at `url` on a connection of its own. */
export function postBatchOnNewConnection(
  url: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return requestOnNewConnection(`${url}/v1/batch`, 'POST', body);
}

/** The bytes of the segments of the log partition in `logDir` (0 before it has any). */
export async function segmentBytes(logDir: string): Promise<number> {
  const segments = join(logDir, 'segments');
  let total = 0;
  for (const name of await readdir(segments).catch(() => [])) {
    total += (await stat(join(segments, name))).size;
  }
  return total;
}
