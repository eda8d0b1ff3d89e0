// Who can read what `sluice start` keeps (issue 15, finding 10): the events, the log's
// segments and consumer files, the checkpoints and the dedup index are personal data, so by
// default nothing under the data directory grants the group or others any access; with
// --shared-read the group may read (files 0640, folders 0750), others still nothing.

import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postDemoBatch, startSluice } from './cli-process.js';

let dir: string;
let umask: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-modes-'));
  // The usual umask, under which the review saw 0644 files in 0755 folders.
  umask = process.umask(0o022);
});
afterAll(async () => {
  process.umask(umask);
  await rm(dir, { recursive: true, force: true });
});

/** Runs `sluice start`, stores one event, stops it; returns the mode of every entry written. */
async function modesAfterStart(dataDir: string, extra: string[] = []) {
  const sluice = await startSluice(
    ['start', '--data-dir', dataDir, '--port', '0', ...extra],
    /Press Ctrl\+C to stop/,
  );
  const answer = await postDemoBatch(sluice.stdout(), [
    { type: 'track', event: 'Modes Checked', messageId: 'mode-1', anonymousId: 'a' },
  ]);
  expect(await answer.json()).toMatchObject({ accepted: 1 });
  const stopped = await sluice.stop('SIGINT');
  expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
  const modes = new Map<string, { dir: boolean; mode: number }>();
  const top = await stat(dataDir);
  modes.set('.', { dir: true, mode: top.mode & 0o777 });
  for (const entry of await readdir(dataDir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    modes.set(path.slice(dataDir.length + 1), { dir: info.isDirectory(), mode: info.mode & 0o777 });
  }
  return modes;
}

/** The kinds of data that must be there for the check to mean anything. */
function expectEveryKind(paths: string[]): void {
  for (const pattern of [
    /^store\/events\/.*\.ndjson\.gz$/,
    /^store\/_sluice\/checkpoints\/.*\.json$/,
    /^queue\/segments\/\d{20}\.log$/,
    /^queue\/consumers\/forwarder\.json$/,
    /^forwarder\/dedup\/forwarder\/data\.mdb$/,
    /^forwarder\/dedup\/forwarder\/lock\.mdb$/,
    /^admin-secret$/,
  ]) {
    expect(
      paths.some((path) => pattern.test(path)),
      String(pattern),
    ).toBe(true);
  }
}

describe('sluice start on a fresh data directory', () => {
  it('gives no group or other access to anything it writes', async () => {
    const modes = await modesAfterStart(join(dir, 'private'));
    expectEveryKind([...modes.keys()]);
    const open = [...modes].filter(([, { mode }]) => (mode & 0o077) !== 0);
    expect(open.map(([path, { mode }]) => `${path} ${mode.toString(8)}`)).toEqual([]);
    for (const [path, { dir: isDir, mode }] of modes) {
      expect(mode, path).toBe(isDir ? 0o700 : 0o600);
    }
  }, 120_000);

  it('with --shared-read lets the group read (0640 files, 0750 folders), others nothing', async () => {
    const modes = await modesAfterStart(join(dir, 'shared'), ['--shared-read']);
    expectEveryKind([...modes.keys()]);
    for (const [path, { dir: isDir, mode }] of modes) {
      // The admin secret is a credential, not data: it stays the owner's alone.
      const expected = path === 'admin-secret' ? 0o600 : isDir ? 0o750 : 0o640;
      expect(mode.toString(8), path).toBe(expected.toString(8));
    }
  }, 120_000);
});
