// Preloaded (--require) into the s3rver child. The process that started it holds the
// other end of an IPC channel; when that process goes away, even by SIGTERM or SIGKILL
// (vitest stops its workers with SIGTERM, which runs no exit handlers), the channel
// closes and the server exits too, so no orphan outlives a test run.
process.on('disconnect', () => process.exit(0));
