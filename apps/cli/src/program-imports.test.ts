// The CLI loads what a command needs when the command runs: `sluice start`, `sluice collector`
// and `sluice forwarder` on their defaults (embedded log, local directory) never load the MQTT
// client, the progress bars, the AWS SDK or the NATS client (~10, ~4, ~37 and ~20 MB of RSS:
// BENCHMARKS.md, issue 18).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runWatchingPackages } from '@sluice/testkit/modules';
import { expect, it } from 'vitest';

const ON_DEMAND = ['mqtt', 'cli-progress', '@aws-sdk/client-s3', '@nats-io/transport-node'];

it('builds every command without loading the packages only some commands need', async () => {
  const program = pathToFileURL(join(import.meta.dirname, 'program.ts')).href;
  const loaded = (await runWatchingPackages(`
    const { createProgram } = await import(${JSON.stringify(program)});
    const names = createProgram().commands.map((command) => command.name());
    console.log(JSON.stringify({ names, packages: loadedPackages() }));
  `)) as { names: string[]; packages: string[] };
  expect(loaded.names).toEqual(expect.arrayContaining(['start', 'mqtt-bridge', 'replay']));
  expect(loaded.packages).toEqual(expect.arrayContaining(['commander', 'lmdb']));
  expect(loaded.packages.filter((name) => ON_DEMAND.includes(name))).toEqual([]);
});
