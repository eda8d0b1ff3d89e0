// The crash tests' kill schedule, shared so that every shape is killed the same way: at
// random moments of the load, one kill at a time, the sender that reached a moment waiting.
import { type LoadResult, sendLoad } from './scale-support.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` moments between 5 % and 95 % of `total` events acknowledged, in order. */
export function killMoments(count: number, total: number, random: () => number): number[] {
  const moments = Array.from({ length: count }, () => Math.floor(total * (0.05 + 0.9 * random())));
  moments.sort((a, b) => a - b);
  return moments;
}

/**
 * Runs `kill` as the acknowledged count of the returned `sendLoad` passes each of `moments`;
 * `acknowledged` is the latest count, for the kill to record.
 */
export function killsDuringLoad(moments: number[], kill: () => Promise<void>) {
  let killing: Promise<void> | undefined;
  async function onProgress(acknowledged: number): Promise<void> {
    schedule.acknowledged = acknowledged;
    if (killing || moments.length === 0 || acknowledged < moments[0]!) return;
    moments.shift();
    killing = kill().finally(() => {
      killing = undefined;
    });
    await killing;
  }
  const schedule = {
    acknowledged: 0,
    /**
     * The crash tests' load: batches of 50 from 4 senders, a failing batch resent for up to
     * 2 minutes; the kills run along the way, and those it did not reach once it is done.
     */
    async sendLoad(options: {
      urls: () => readonly string[];
      total: number;
      idPrefix: string;
    }): Promise<LoadResult> {
      const load = await sendLoad({
        ...options,
        batchSize: 50,
        concurrency: 4,
        giveUpMs: 120_000,
        onProgress,
      });
      await killing;
      while (moments.shift() !== undefined) await kill();
      return load;
    },
  };
  return schedule;
}
