// Moved to the CLI package (apps/cli/src/lib/forward-queue.ts); kept for the tests and
// benchmarks that import it from here.
export { isNatsQueue, type QueueForwarding, startQueueForwarding } from '@sluice/cli';
