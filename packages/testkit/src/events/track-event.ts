// Event fixtures shared by the ingest and collector tests: one valid track event as the tag
// sends it, and a queue message's body read back as JSON.

let counter = 0;

/** A valid track event as the tag sends it (each with its own messageId). */
export function trackEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    type: 'track',
    event: 'Signed Up',
    messageId: `msg-${counter}`,
    anonymousId: 'anon-1',
    timestamp: '2026-03-01T10:00:00.000Z',
    properties: { plan: 'pro' },
    ...fields,
  };
}

/** A queue message's body as JSON. */
export function bodyOf(entry: { body: Uint8Array }): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(entry.body)) as Record<string, unknown>;
}
