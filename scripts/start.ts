// `pnpm start`: `sluice start` (apps/cli): the collector and the forwarder in one process on
// embedded defaults. Options and environment variables: `pnpm sluice start --help`.
import { runCli } from '@sluice/cli';

await runCli(['start', ...process.argv.slice(2)]);
