// Where a process spent its CPU: the top self-time functions and modules of a V8 .cpuprofile
// (as `node --cpu-prof` writes it). Functions in a bundle from build-servers.ts are named by
// their TypeScript file and line (through the bundle's source map); npm dependencies are
// loaded from node_modules and named by their own path.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_DIR } from './paths.js';
import { loadSourceMap } from './source-map.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time of each profile node, µs: a sample lasts until the next one. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const lasted = deltas[i + 1] ?? 0;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + lasted);
  }
  return self;
}

/** Names the source behind a bundle position via the bundle's source map (else the bundle). */
function bundleSources(url: string): (line: number, column: number) => string {
  const path = fileURLToPath(url);
  try {
    const lookup = loadSourceMap(path, REPO_DIR);
    return (line, column) => {
      const found = lookup(line, column);
      return found ? `${shortModule(found.source)}:${found.line}` : `${basename(path)}:${line + 1}`;
    };
  } catch {
    // No map (an older bundle): name the bundle line.
    return (line) => `${basename(path)}:${line + 1}`;
  }
}

/** "node_modules/.pnpm/zod@4.1/node_modules/zod/v4/core/x.js" -> "zod/v4/core/x.js". */
function shortModule(path: string): string {
  return path.replace(/^(?:.*\/)?node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '');
}

/** The package (or our own app/package folder) a module belongs to. */
function moduleGroup(module: string, functionName: string): string {
  if (module.startsWith('node:')) return 'node internals';
  if (module === '(wasm)') return module;
  if (module === '(native)') return functionName.startsWith('(') ? functionName : '(native)';
  const own = /^(apps|packages)\/([^/]+)\//.exec(module);
  if (own) return `@sluice/${own[2]}`;
  const pkg = /^(@[^/]+\/[^/]+|[^/]+)\//.exec(module);
  return pkg ? pkg[1]! : module;
}

/** Where a frame's code lives, with its 1-based line: a source file, a package file, a builtin. */
function where(
  frame: ProfileNode['callFrame'],
  sourceAt: (frame: ProfileNode['callFrame']) => string,
) {
  if (!frame.url) return '(native)';
  if (frame.url.startsWith('node:')) return `${frame.url}:${frame.lineNumber + 1}`;
  // WebAssembly (undici's HTTP parser in a worker thread): no file, no source map.
  if (frame.url.startsWith('wasm:')) return '(wasm)';
  if (frame.url.includes('/node_modules/')) {
    return `${shortModule(fileURLToPath(frame.url))}:${frame.lineNumber + 1}`;
  }
  return sourceAt(frame);
}

/** A text summary: profiled time, idle share, top modules and functions by self time. */
export function summarizeProfile(path: string, top = 15): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const self = selfTimes(profile);
  const bundles = new Map<string, (line: number, column: number) => string>();
  const sourceAt = (frame: ProfileNode['callFrame']) => {
    if (!bundles.has(frame.url)) bundles.set(frame.url, bundleSources(frame.url));
    return bundles.get(frame.url)!(frame.lineNumber, frame.columnNumber);
  };
  const total = profile.endTime - profile.startTime;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byGroup = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const module = where(frame, sourceAt);
    const name = `${frame.functionName || '(anonymous)'}  ${module}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const group = moduleGroup(module, frame.functionName);
    byGroup.set(group, (byGroup.get(group) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  const list = (entries: Map<string, number>, n: number) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([what, us]) => `  ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${what}`)
      .join('\n');
  return [
    `${basename(path)}: ${(total / 1e6).toFixed(1)} s profiled, ${((idle / Math.max(1, total)) * 100).toFixed(0)} % idle; shares of busy time`,
    'self time by package:',
    list(byGroup, 8),
    'top functions by self time:',
    list(byFunction, top),
  ].join('\n');
}
