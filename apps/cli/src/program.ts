// The `sluice` command: one entry point for running, operating and configuring sluice.
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { addCollectorCommand } from './commands/collector.js';
import { addCompactCommand } from './commands/compact.js';
import { addConfigCommand } from './commands/config.js';
import { addEraseCommand } from './commands/erase.js';
import { addForwarderCommand } from './commands/forwarder.js';
import { addImportCommand } from './commands/import.js';
import { addKeysCommand } from './commands/keys.js';
import { addLogCommand } from './commands/log-verify.js';
import { addMqttBridgeCommand } from './commands/mqtt-bridge.js';
import { addPlanCommand } from './commands/plan.js';
import { addQualityCommand } from './commands/quality.js';
import { addQueryCommand } from './commands/query.js';
import { addReplayCommand } from './commands/replay.js';
import { addSourcesCommand } from './commands/sources.js';
import { addStartCommand } from './commands/start.js';
import { addTagCommand } from './commands/tag.js';
import { addUsageCommand } from './commands/usage.js';

// Read at run time, so the built and the source entry report the same version.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The program with every command; `parseAsync` runs one. */
export function createProgram(): Command {
  const program = new Command('sluice')
    .description(
      'Web events from a browser tag to analysis-ready files in object storage, nothing lost, nothing counted twice.',
    )
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Start here:
  sluice start                      everything in one process; prints the demo page and the live view
  sluice keys create --origin https://shop.example
  sluice config check               every mistake in sluice.config.json, with where and how to fix it

Every command has --help. Docs: README.md`,
    );
  addStartCommand(program);
  addCollectorCommand(program);
  addForwarderCommand(program);
  addMqttBridgeCommand(program);
  addReplayCommand(program);
  addImportCommand(program);
  addEraseCommand(program);
  addCompactCommand(program);
  addLogCommand(program);
  addKeysCommand(program);
  addTagCommand(program);
  addConfigCommand(program);
  addSourcesCommand(program);
  addPlanCommand(program);
  addQueryCommand(program);
  addUsageCommand(program);
  addQualityCommand(program);
  return program;
}

/** Runs the command line `argv` (without node and the script); errors end as exit code 1. */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await createProgram().parseAsync([...argv], { from: 'user' });
  } catch (error) {
    process.stderr.write(`sluice: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
