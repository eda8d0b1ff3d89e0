// `sluice erase`: removes every stored event of one person (a data subject request).
import { eraseSubject, listPartitionFolders, nodeFileCodecs } from '@sluice/forwarder';
import { type Command, Option } from 'commander';
import { collect, withOptions } from '../lib/options.js';
import { count, progressBar } from '../lib/progress.js';
import { addStoreOptions, openStore, type StoreOptions } from '../lib/store-options.js';

interface EraseOptions extends StoreOptions {
  userId?: string;
  anonymousId?: string;
  prefix?: string[];
}

export function addEraseCommand(program: Command): void {
  const command = withOptions(
    program
      .command('erase')
      .description('remove every stored event of a user (userId) or device (anonymousId)'),
    new Option('--user-id <id>', 'erase the events whose userId (or alias previousId) is this'),
    new Option(
      '--anonymous-id <id>',
      'erase the events whose anonymousId is this (both may be given)',
    ),
    new Option(
      '--prefix <prefix>',
      'where to look (repeatable; default events/ and quarantine/)',
    ).argParser(collect),
  );
  addStoreOptions(command)
    .addHelpText(
      'after',
      `
Rewrites each affected file under its own key, keeping every other line's bytes; a second run
finds nothing. Events still in the queue are not covered: run it after the forwarder caught up.
Exit code 1 when some files could not be read (listed in the JSON report on stdout).`,
    )
    .action(async (options: EraseOptions) => {
      if (options.userId === undefined && options.anonymousId === undefined) {
        command.error('error: give --user-id or --anonymous-id (or both)');
      }
      const { store } = openStore(options);
      const prefixes = options.prefix ?? ['events/', 'quarantine/'];
      let total = 0;
      for (const prefix of prefixes) total += (await listPartitionFolders(store, prefix)).length;
      const bar = progressBar('erase', 'partitions', total);
      let done = 0;
      let removed = 0;
      const report = await eraseSubject(
        { store, codecs: nodeFileCodecs },
        {
          subject: { userId: options.userId, anonymousId: options.anonymousId },
          prefixes,
          onProgress: (step) => {
            if (step.type !== 'partition') return;
            done++;
            removed += step.removed;
            bar.update(done, `${count(removed)} lines removed`);
          },
        },
      );
      bar.stop();
      process.stdout.write(`${JSON.stringify(report)}\n`);
      if (report.unreadableFiles.length > 0) process.exitCode = 1;
    });
}
