import { describe, expect, it } from 'vitest';
import { escapeControls, terminalSafeJson } from './terminal-text.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202e]/;

const ATTACKS = [
  '\u001b]0;owned\u0007', // set the window title
  '\u001b[2K\u001b[1A', // erase the line, move up
  '\u009b31m', // one-byte CSI
  'safe\rforged', // carriage return overwrites the start of the line
  'abc\u202edcba', // right-to-left override
];

describe('escapeControls', () => {
  it('leaves no control character for the terminal to act on', () => {
    for (const text of ATTACKS) {
      expect(escapeControls(text)).not.toMatch(CONTROL);
    }
    expect(escapeControls('\u001b]0;owned\u0007')).toBe('\\x1b]0;owned\\x07');
    expect(escapeControls('abc\u202edcba')).toBe('abc\\u202edcba');
  });

  it('keeps ordinary text, accents and emoji as they are', () => {
    expect(escapeControls('Order Completed — café 🎉')).toBe('Order Completed — café 🎉');
  });
});

describe('terminalSafeJson', () => {
  it('is valid JSON with the same value and no raw control character', () => {
    for (const text of ATTACKS) {
      const line = terminalSafeJson({ event: text });
      expect(line).not.toMatch(CONTROL);
      expect(JSON.parse(line)).toEqual({ event: text });
    }
  });
});
