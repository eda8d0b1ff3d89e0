import { describe, expect, it } from 'vitest';
import { acknowledgedByLogPartition, unsettledFilesOf } from './settled-files.js';

// With `--workers N` each log partition counts its own positions: a position of partition 0
// says nothing about partition 1's files, and the reverse.
const names = [
  '00000000000000000000.ndjson.gz',
  '00000000000000000100.ndjson.gz',
  'w1-00000000000000000000.ndjson.gz',
  'w1-00000000000000000007.ndjson.gz',
];

describe('unsettledFilesOf with log partitions', () => {
  it('keeps the newest file of each log partition when nothing says it is final', () => {
    expect(unsettledFilesOf({ names }).sort()).toEqual([
      '00000000000000000100.ndjson.gz',
      'w1-00000000000000000007.ndjson.gz',
    ]);
  });

  it("settles a log partition's newest file by its own watermark or acknowledged position only", () => {
    // Partition 0's position 1000 is past w1's 7, but it is not w1's: w1's file stays held.
    const zeroOnly = acknowledgedByLogPartition({ acknowledgedBelow: 1000 });
    expect(unsettledFilesOf({ names, acknowledgedBelow: zeroOnly })).toEqual([
      'w1-00000000000000000007.ndjson.gz',
    ]);
    const both = acknowledgedByLogPartition({
      acknowledgedBelow: 1000,
      logPartitionsAcknowledgedBelow: { '1': 8 },
    });
    expect(unsettledFilesOf({ names, acknowledgedBelow: both })).toEqual([]);
    expect(unsettledFilesOf({ names, watermarks: new Map([[1, 7]]) })).toEqual([
      '00000000000000000100.ndjson.gz',
    ]);
  });
});
