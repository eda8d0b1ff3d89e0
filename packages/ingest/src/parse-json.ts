// Bytes to a JSON object, with the problem as a value: the collector answers it with a 400,
// the MQTT bridge keeps the message in quarantine with it.
import { MAX_JSON_DEPTH } from '@sluice/schema';
import { nestsDeeperThan } from './json-depth.js';

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
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    const message = `${subject} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`;
    return problem('invalid_json', message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    return problem('invalid_json', `${subject} is not valid JSON${detail}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return problem('invalid_batch', `${subject} must be a JSON object`);
  }
  return { ok: true, value: value as Record<string, unknown> };
}
