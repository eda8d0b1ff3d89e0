// Bytes to a JSON object, with the problem as a value: the collector answers it with a 400,
// the MQTT bridge keeps the message in quarantine with it.
import { MAX_JSON_DEPTH } from '@sluice/schema';
import { nestsDeeperThan, valueNestsDeeperThan } from './json-depth.js';

/** Why a body is not a JSON object: `invalid_json` for its text, `invalid_batch` for its shape. */
export interface JsonProblem {
  code: 'invalid_json' | 'invalid_batch';
  message: string;
}

/** A parsed object, or the problem. */
export type ParsedObject =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; problem: JsonProblem };

const utf8 = new TextDecoder('utf-8', { fatal: true });

const problem = (code: JsonProblem['code'], message: string): ParsedObject => ({
  ok: false,
  problem: { code, message },
});

const tooDeep = (subject: string) =>
  problem(
    'invalid_json',
    `${subject} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
  );

/**
 * Decodes UTF-8 (a byte-order mark is skipped) and parses a JSON object at most
 * MAX_JSON_DEPTH levels deep. `subject` names the input in the messages ("the body").
 */
export function parseJsonObject(bytes: Uint8Array, subject = 'the body'): ParsedObject {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return problem('invalid_json', `${subject} is not valid UTF-8`);
  }
  // Parsed first: V8's JSON.parse takes any depth without recursing, and the parsed value is
  // quicker to measure than its text. Where parsing fails (a parser that does recurse, or text
  // that is not JSON) the text is measured, so a too deep body is named as such either way.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return tooDeep(subject);
    const detail = error instanceof Error ? `: ${error.message}` : '';
    return problem('invalid_json', `${subject} is not valid JSON${detail}`);
  }
  if (valueNestsDeeperThan(value, MAX_JSON_DEPTH)) return tooDeep(subject);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return problem('invalid_batch', `${subject} must be a JSON object`);
  }
  return { ok: true, value: value as Record<string, unknown> };
}
