// Real Caddy (Debian's package) for tests: a Caddyfile of its own in a temp dir (no admin
// endpoint, no automatic HTTPS, its state in the temp dir) whose site block imports the lines
// under test (a documented recipe) and serves the site's static files on 127.0.0.1.
import { access, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../mosquitto/mosquitto.js';
import { type ProxyOptions, writeSite } from './nginx.js';
import { type RunningProxy, runProxy } from './proxy-process.js';

/** Where Debian's caddy package installs it (scripts/ensure-system-deps.sh). */
export const CADDY_BIN = process.env.CADDY_BIN ?? '/usr/bin/caddy';

/** Starts Caddy serving `files` with `siteConfig` imported in its site block. */
export async function startCaddy(options: ProxyOptions): Promise<RunningProxy> {
  await access(CADDY_BIN).catch(() => {
    throw new Error(`${CADDY_BIN} is missing: run scripts/ensure-system-deps.sh`);
  });
  const dir = await mkdtemp(join(tmpdir(), 'sluice-caddy-'));
  const site = await writeSite(dir, options.files);
  const port = options.port ?? (await freePort());
  await writeFile(join(dir, 'site.caddy'), options.siteConfig);
  const caddyfile = join(dir, 'Caddyfile');
  await writeFile(
    caddyfile,
    `{
	admin off
	auto_https off
	storage file_system ${join(dir, 'data')}
}
http://127.0.0.1:${port} {
	bind 127.0.0.1
	import ${join(dir, 'site.caddy')}
	handle {
		root * ${site}
		file_server
	}
}
`,
  );
  return runProxy({
    name: 'caddy',
    bin: CADDY_BIN,
    args: ['run', '--config', caddyfile, '--adapter', 'caddyfile'],
    port,
    dir,
    // Caddy keeps state under HOME and XDG folders: the temp dir, not the user's.
    env: { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') },
  });
}
