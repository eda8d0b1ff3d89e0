// The CLI as a library: the program, to embed or test. Forwarding from code: `startForwarding`
// of @sluice/forwarder, which the commands call too.
export { type ConfigCheck, type ConfigProblem, checkConfig } from './config-check/check-config.js';
export { createProgram, runCli } from './program.js';
