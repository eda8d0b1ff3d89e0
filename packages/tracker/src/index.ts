// The npm entry point. Plugins have their own (`@sluice/tracker/autocapture`, ...), so an app
// that does not import one does not bundle it.
export { createTracker } from './create-tracker.js';
export type {
  AliasEvent,
  BaseEvent,
  Campaign,
  GroupEvent,
  IdentifyEvent,
  PageEvent,
  Properties,
  TrackEvent,
  Tracker,
  TrackerContext,
  TrackerEvent,
  TrackerMethods,
  TrackerOptions,
} from './types.js';
