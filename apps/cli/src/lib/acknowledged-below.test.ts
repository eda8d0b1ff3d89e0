import { describe, expect, it } from 'vitest';
import { parseAcknowledgedBelow } from './acknowledged-below.js';

describe('parseAcknowledgedBelow', () => {
  it('reads a bare position as log partition 0 and w<i>=<position> as partition i', () => {
    expect(parseAcknowledgedBelow(['1200', 'w1=800', 'w3=5'])).toEqual({
      acknowledgedBelow: 1200,
      logPartitionsAcknowledgedBelow: { '1': 800, '3': 5 },
    });
  });

  it('refuses what is neither, naming both forms', () => {
    for (const bad of ['w0=5', 'w1=', '-3', 'w1:5', '1.5']) {
      expect(() => parseAcknowledgedBelow([bad]), bad).toThrow(/<position>.*w<i>=<position>/);
    }
  });
});
