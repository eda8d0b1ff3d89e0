// Fixtures for this package's tests (not part of its API).

let counter = 0;

/** A valid track event as the tag sends it. */
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
