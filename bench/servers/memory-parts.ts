// What a process's resident memory is made of at its peak, from inside it: V8's spaces
// (young / old), memory outside the heap (ArrayBuffers), and /proc/self/smaps mapping by
// mapping, anonymous against file-backed, with LMDB's map and the node binary apart (their
// pages are file pages, counted in the RSS while they stay mapped and touched).
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

/** Bytes at the sampled peak, by part. */
export type MemoryParts = Record<string, number>;

/** A new peak is read in full only this far above the last (smaps costs a few ms). */
const STEP_BYTES = 4 * 1024 * 1024;

/** Rss and anonymous bytes of each kind of mapping, from /proc/self/smaps. */
function smapsParts(): MemoryParts {
  const parts: MemoryParts = {
    lmdbMap: 0,
    nodeBinary: 0,
    otherFiles: 0,
    anonymous: 0,
    fileMappingsAnon: 0,
  };
  let kind: keyof typeof parts = 'anonymous';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (header) {
      const path = header[2] ?? '';
      if (header[1] === '0' || path === '' || path.startsWith('[')) kind = 'anonymous';
      else if (path.endsWith('.mdb')) kind = 'lmdbMap';
      else if (path === process.execPath) kind = 'nodeBinary';
      else kind = 'otherFiles';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) parts[kind]! += Number(rss[1]) * 1024;
    // Private pages written in a file mapping (.data, relocations): anonymous though file-backed.
    const anon = /^Anonymous:\s+(\d+) kB/.exec(line);
    if (anon && kind !== 'anonymous') parts.fileMappingsAnon! += Number(anon[1]) * 1024;
  }
  return parts;
}

/** V8's spaces (used / committed) and the heap's view of outside memory. */
function heapParts(): MemoryParts {
  const usage = process.memoryUsage();
  const parts: MemoryParts = {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
  for (const space of getHeapSpaceStatistics()) {
    parts[`${space.space_name}Size`] = space.space_size;
    parts[`${space.space_name}Used`] = space.space_used_size;
  }
  return parts;
}

/** Samples every `everyMs` and keeps the parts at the highest RSS seen. */
export function sampleMemoryParts(everyMs: number): { peak(): MemoryParts; stop(): void } {
  let peak: MemoryParts = { rss: 0 };
  let lastFullRead = 0;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss <= (peak.rss ?? 0)) return;
    if (rss < lastFullRead + STEP_BYTES) {
      peak = { ...peak, rss };
      return;
    }
    lastFullRead = rss;
    peak = { ...heapParts(), ...smapsParts() };
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    peak: () => peak,
    stop: () => clearInterval(timer),
  };
}
