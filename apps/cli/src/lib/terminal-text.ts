// What the CLI prints of stored data goes to an operator's terminal: an event name with an
// escape sequence could set the window title, move the cursor or rewrite earlier lines
// (security review 2026-12, finding 8). Every such character is shown as a visible escape.

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), and the bidirectional overrides
// and isolates that reorder how a line reads ("Trojan Source").
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** `text` with every control character replaced by a visible `\xNN` / `\uNNNN` escape. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * One JSON line that is safe on a terminal and still valid JSON: JSON.stringify escapes C0
 * controls but leaves C1 and bidi controls raw, so those are written as \u escapes too.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
