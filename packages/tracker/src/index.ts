export { createTracker } from './create-tracker.js';
export type {
  BaseEvent,
  IdentifyEvent,
  PageEvent,
  Properties,
  TrackEvent,
  Tracker,
  TrackerContext,
  TrackerEvent,
  TrackerOptions,
} from './types.js';
