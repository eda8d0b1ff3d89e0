// Fixtures for this package's tests (not part of its API).

export { bodyOf, trackEvent } from '@sluice/testkit/events';
