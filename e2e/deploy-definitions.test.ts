import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './cli-process.js';
import { DEPLOY_DIR, execForm, finalStage, readDockerfile } from './deploy-files.js';
import { PACK_INSTALL_SCRIPT } from './pack-install.js';

// What can be checked here of deploy/ without a Docker engine (only the client is installed)
// or a running systemd: the unit by systemd-analyze, the image's install by being the script
// the packaging test runs, the compose file by parsing it. No image is built here.

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-deploy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the systemd unit', () => {
  const unitFile = join(DEPLOY_DIR, 'sluice.service');
  const settings = async () => {
    const lines = (await readFile(unitFile, 'utf8')).split('\n');
    return lines.filter((line) => /^[A-Za-z]+=/.test(line));
  };

  it('passes systemd-analyze verify (run on a copy whose ExecStart is a real binary)', async () => {
    // verify fails when ExecStart's program does not exist, and /opt/sluice is not installed
    // on this machine: the copy starts this Node instead; every other line is the unit's.
    const original = await readFile(unitFile, 'utf8');
    const copy = original.replace(/^ExecStart=.*$/m, `ExecStart=${process.execPath} start`);
    expect(copy).not.toBe(original);
    const path = join(dir, 'sluice.service');
    await writeFile(path, copy);
    const verified = await run('systemd-analyze', ['verify', path]);
    expect(verified.stderr).toBe('');
    // And the unmodified unit fails only for the missing binary, nothing else.
    const failed = await run('systemd-analyze', ['verify', unitFile]).catch((e) => e);
    expect(failed.stderr.trim()).toBe(
      'sluice.service: Command /opt/sluice/node_modules/.bin/sluice is not executable: No such file or directory',
    );
  });

  it('sandboxes sluice: read-only system, writable data directory only, no privileges', async () => {
    const lines = await settings();
    for (const wanted of [
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'ProtectHome=yes',
      'User=sluice',
    ]) {
      expect(lines).toContain(wanted);
    }
    // The data directory sluice is told to use is the one path it may write.
    const dataDir = lines.find((l) => l.startsWith('Environment=SLUICE_DATA_DIR='))?.split('=')[2];
    expect(dataDir).toBe('/var/lib/sluice');
    expect(lines).toContain(`ReadWritePaths=${dataDir}`);
    expect(lines).toContain('StateDirectory=sluice');
    // systemd's own score of the sandbox (0 best, 10 worst); "OK" is below 2.
    const path = join(dir, 'sluice.service');
    const { stdout } = await run('systemd-analyze', ['security', '--offline=yes', path]);
    const score = Number(/Overall exposure level for sluice\.service: ([\d.]+)/.exec(stdout)?.[1]);
    expect(score).toBeLessThan(2);
  });
});

describe('the Dockerfile', () => {
  it('installs with the script the packaging test runs, into the image it runs from', async () => {
    const instructions = await readDockerfile();
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain(`bash ${PACK_INSTALL_SCRIPT} /opt/sluice`);
    expect(existsSync(join(REPO_ROOT, PACK_INSTALL_SCRIPT))).toBe(true);
    const image = finalStage(instructions);
    expect(image.map((i) => `${i.keyword} ${i.args}`)).toContain(
      'COPY --from=build /opt/sluice/node_modules /opt/sluice/node_modules',
    );
    expect(image.find((i) => i.keyword === 'ENV')?.args).toContain(
      'PATH=/opt/sluice/node_modules/.bin:$PATH',
    );
  });

  it('runs sluice start as a non-root user on a /data volume, checked on /readyz', async () => {
    const image = finalStage(await readDockerfile());
    const one = (keyword: string) => image.filter((i) => i.keyword === keyword).map((i) => i.args);
    expect(one('USER')).toEqual(['sluice']);
    expect(one('VOLUME')).toEqual(['/data']);
    expect(one('ENV')[0]).toContain('SLUICE_DATA_DIR=/data');
    expect(one('ENV')[0]).toContain('HOST=0.0.0.0');
    expect(execForm(one('ENTRYPOINT')[0]!)).toEqual(['tini', '--', 'sluice']);
    expect(execForm(one('CMD')[0]!)).toEqual(['start']);
    const check = execForm(one('HEALTHCHECK')[0]!);
    expect(check).toEqual(['node', '/opt/sluice/healthcheck.mjs']);
    // The script it runs is the one in deploy/ (and it checks /readyz: deploy-signals.test.ts).
    expect(image.map((i) => `${i.keyword} ${i.args}`)).toContain(
      'COPY deploy/healthcheck.mjs /opt/sluice/healthcheck.mjs',
    );
  });
});

/** The parts of a compose service these tests read. */
interface ComposeService {
  profiles?: string[];
  build?: { context: string; dockerfile: string };
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
}

describe('the compose file', () => {
  const readCompose = async () =>
    parse(await readFile(join(DEPLOY_DIR, 'compose.yaml'), 'utf8')) as {
      services: Record<string, ComposeService>;
      volumes: Record<string, unknown>;
    };

  it('runs sluice alone by default, with its data in a named volume and the health check', async () => {
    const { services, volumes } = await readCompose();
    const byDefault = Object.keys(services).filter((name) => !services[name]!.profiles);
    expect(byDefault).toEqual(['sluice']);
    const sluice = services.sluice!;
    expect(sluice.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(existsSync(join(DEPLOY_DIR, '..', sluice.build!.dockerfile))).toBe(true);
    expect(sluice.volumes).toEqual(['sluice-data:/data']);
    expect(volumes).toHaveProperty('sluice-data');
    const image = finalStage(await readDockerfile());
    const healthcheck = image.find((i) => i.keyword === 'HEALTHCHECK')!.args;
    expect(sluice.healthcheck?.test).toEqual(['CMD', ...execForm(healthcheck)]);
  });

  it('adds NATS and an S3-compatible server in the scale-out profile, and a sluice on them', async () => {
    const { services, volumes } = await readCompose();
    const scaleOut = Object.keys(services).filter((name) =>
      services[name]!.profiles?.includes('scale-out'),
    );
    expect(scaleOut.sort()).toEqual(['nats', 's3', 's3-bucket', 'sluice-scale-out']);
    const env = services['sluice-scale-out']!.environment ?? {};
    expect(env.QUEUE_URL).toBe('nats://nats:4222');
    expect(env.SLUICE_S3_ENDPOINT).toBe('http://s3:9000');
    expect(services['sluice-scale-out']!.healthcheck?.test).toEqual(
      services.sluice!.healthcheck?.test,
    );
    // Every volume a service mounts is declared.
    for (const service of Object.values(services)) {
      for (const mount of service.volumes ?? []) {
        expect(volumes).toHaveProperty(mount.split(':')[0]!);
      }
    }
  });
});
