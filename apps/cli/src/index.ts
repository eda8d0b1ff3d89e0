// The CLI as a library: the program (to embed or test) and the forwarding helper the scripts
// and benchmarks share.
export { type ConfigCheck, type ConfigProblem, checkConfig } from './config-check/check-config.js';
export { isNatsQueue, type QueueForwarding, startQueueForwarding } from './lib/forward-queue.js';
export { createProgram, runCli } from './program.js';
