// Messages between the harness and a server it runs in a child process (over Node's IPC
// channel), so every server under test has a process of its own and the load comes from another.

/** Counters a child reports; every child adds its peak RSS and CPU time. */
export type ChildValues = Record<string, number>;

/** Harness -> child. */
export type ParentMessage = { type: 'values' } | { type: 'stop' };

/** Child -> harness. */
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'values'; values: ChildValues }
  | { type: 'stopped'; values: ChildValues }
  | { type: 'failed'; message: string };

/** The values every child reports besides its own. */
export interface ProcessValues {
  /** Peak resident set size of the process so far (getrusage maxrss). */
  maxRssBytes: number;
  /** CPU time used by the process so far, user + system. */
  cpuMs: number;
}
