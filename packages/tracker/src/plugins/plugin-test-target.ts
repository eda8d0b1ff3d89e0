// Test helper (not part of the build): a plugin target that records what plugins send.
import type { PluginTarget } from './plugin-target.js';

export type RecordingTarget = PluginTarget & {
  tracked: [string, Record<string, unknown> | undefined][];
  flushes: number;
};

export const recordingTarget = (): RecordingTarget => {
  const target: RecordingTarget = {
    tracked: [],
    flushes: 0,
    track: (event, properties) => {
      target.tracked.push([event, properties]);
    },
    flush: () => {
      target.flushes++;
    },
  };
  return target;
};
