// The V8 settings a forwarder process should start with (`sluice forwarder` relaunches node
// with them). While a file is open its events' ids outlive young-generation collections, so V8
// grows the young generation to its maximum (64 MB on Node 26). A 16 MB semi-space holds the
// drain of 150,000 events (BENCHMARKS.md, issue 18) at 246 MB peak RSS instead of 285–297 MB,
// and it spent no more CPU. V8 only takes this at process start: v8.setFlagsFromString later
// leaves the heap as it is.
export const FORWARDER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];
