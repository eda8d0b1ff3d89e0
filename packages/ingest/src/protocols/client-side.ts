// Segment fills `context.ip` from the connection, and keeps the 30-day clamp on times, only for
// client-side sources: analytics.js and the mobile libraries. A server SDK's connection is the
// server's, and its old timestamps are imports. Browsers show themselves by their Origin; apps
// have none, so their SDKs are known by the `context.library` they send.

const MOBILE_LIBRARY =
  /^(analytics-(ios|android|kotlin|swift|flutter|react-native)|@segment\/analytics-(react-native|kotlin|swift)|com\.rudderstack\.android|rudder-(ios|android)-library|rudder-sdk-(react-native|flutter|ios|android))/i;

/** True when the event's `context.library.name` names one of Segment's or RudderStack's mobile SDKs. */
export function isMobileLibraryEvent(event: Record<string, unknown> | undefined): boolean {
  const context = event?.context as { library?: { name?: unknown } } | undefined;
  const name = context?.library?.name;
  return typeof name === 'string' && MOBILE_LIBRARY.test(name);
}
