// The JSON inside Snowplow's tracker parameters: contexts (`co` as JSON, `cx` as base64) and
// self-describing events (`ue_pr` / `ue_px`), each a self-describing JSON
// `{ schema: "iglu:vendor/name/format/version", data }`. The trackers encode base64 URL-safe
// without padding (tracker-core's `base64urlencode`); standard base64 is accepted as well.
import type { FieldIssue } from '@sluice/schema';

type Fields = Record<string, unknown>;

/** A self-describing JSON: an Iglu schema URI and its data. */
export interface SelfDescribing {
  schema: string;
  data: unknown;
}

/** Decoded, or the issue that sends the event to quarantine. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; issue: FieldIssue };

const IGLU_URI = /^iglu:([^/]+)\/([^/]+)\/([^/]+)\/(\d+-\d+-\d+)$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The `name` part of an Iglu URI (`iglu:com.acme/checkout/jsonschema/1-0-0` → `checkout`). */
export function igluName(uri: string): string | undefined {
  return IGLU_URI.exec(uri)?.[2];
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSelfDescribing(value: unknown): value is SelfDescribing {
  return isPlainObject(value) && typeof value.schema === 'string' && 'data' in value;
}

function fromBase64(text: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) =>
      c.charCodeAt(0),
    );
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The JSON of parameter `name`: as sent (`co`, `ue_pr`) or base64 (`cx`, `ue_px`). */
function parseParameter(name: string, value: unknown, base64: boolean): Decoded<unknown> {
  if (typeof value !== 'string') {
    return { ok: false, issue: { path: name, message: `${name} must be a string` } };
  }
  const text = base64 ? fromBase64(value) : value;
  if (text === undefined) {
    return { ok: false, issue: { path: name, message: `${name} is not base64 of UTF-8 text` } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, issue: { path: name, message: `${name} is not valid JSON` } };
  }
}

/** The context entities of `co` or `cx`: `{ schema: ".../contexts/...", data: [entity, ...] }`. */
export function decodeEntities(params: Fields): Decoded<SelfDescribing[]> | undefined {
  const name = params.cx !== undefined ? 'cx' : params.co !== undefined ? 'co' : undefined;
  if (name === undefined) return undefined;
  const parsed = parseParameter(name, params[name], name === 'cx');
  if (!parsed.ok) return parsed;
  const envelope = parsed.value;
  if (!isSelfDescribing(envelope) || !Array.isArray(envelope.data)) {
    return {
      ok: false,
      issue: { path: name, message: `${name} must be {"schema": ..., "data": [entities]}` },
    };
  }
  if (!envelope.data.every(isSelfDescribing)) {
    return {
      ok: false,
      issue: { path: name, message: `each entity in ${name} must be {"schema", "data"}` },
    };
  }
  return { ok: true, value: envelope.data };
}

/** The event inside `ue_pr` or `ue_px`: `{ schema: ".../unstruct_event/...", data: {schema, data} }`. */
export function decodeSelfDescribingEvent(params: Fields): Decoded<SelfDescribing> {
  const name = params.ue_px !== undefined ? 'ue_px' : 'ue_pr';
  if (params[name] === undefined) {
    return {
      ok: false,
      issue: { path: 'ue_pr', message: 'a self-describing event (e=ue) needs ue_pr or ue_px' },
    };
  }
  const parsed = parseParameter(name, params[name], name === 'ue_px');
  if (!parsed.ok) return parsed;
  const inner = isSelfDescribing(parsed.value) ? parsed.value.data : undefined;
  if (!isSelfDescribing(inner) || igluName(inner.schema) === undefined) {
    return {
      ok: false,
      issue: {
        path: name,
        message: `${name} must be {"schema": ..., "data": {"schema": "iglu:vendor/name/jsonschema/1-0-0", "data": ...}}`,
      },
    };
  }
  return { ok: true, value: inner };
}
