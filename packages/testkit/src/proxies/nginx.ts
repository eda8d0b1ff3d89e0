// Real nginx (Debian's package) for tests: a main config of its own in a temp dir that serves
// a site's static files on 127.0.0.1 and includes the server-block lines under test (a
// documented recipe), unprivileged on a loopback port.
import { access, chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../mosquitto/mosquitto.js';
import { type RunningProxy, runProxy } from './proxy-process.js';

/** Where Debian's nginx package installs it (scripts/ensure-system-deps.sh). */
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

export interface ProxyOptions {
  /** Lines for the site's server block (nginx) or site block (Caddy): the recipe under test. */
  siteConfig: string;
  /** The site's static files: path (like `/index.html`) -> content. */
  files: Record<string, string>;
  /** The port to listen on, when the caller must know it first (default: a free one). */
  port?: number;
}

/** Starts nginx serving `files` with `siteConfig` included in its server block. */
export async function startNginx(options: ProxyOptions): Promise<RunningProxy> {
  await access(NGINX_BIN).catch(() => {
    throw new Error(`${NGINX_BIN} is missing: run scripts/ensure-system-deps.sh`);
  });
  const dir = await mkdtemp(join(tmpdir(), 'sluice-nginx-'));
  // Started as root, nginx's workers run as nobody: they must read the site's files.
  await chmod(dir, 0o755);
  const site = await writeSite(dir, options.files);
  const port = options.port ?? (await freePort());
  await writeFile(join(dir, 'site.conf'), options.siteConfig);
  const temp = (name: string) => `${name}_temp_path ${join(dir, `${name}-temp`)};`;
  await writeFile(
    join(dir, 'nginx.conf'),
    `pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  types { text/html html; application/javascript js; }
  server {
    listen 127.0.0.1:${port};
    root ${site};
    include ${join(dir, 'site.conf')};
  }
}
`,
  );
  return runProxy({
    name: 'nginx',
    bin: NGINX_BIN,
    args: ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    port,
    dir,
  });
}

/** Writes the site's files under `dir/site`, readable by any user; returns that folder. */
export async function writeSite(dir: string, files: Record<string, string>): Promise<string> {
  const site = join(dir, 'site');
  await mkdir(site, { mode: 0o755 });
  for (const [path, content] of Object.entries(files)) {
    await writeFile(join(site, path), content, { mode: 0o644 });
  }
  return site;
}
