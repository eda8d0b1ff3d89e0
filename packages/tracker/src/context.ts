import type { TrackerContext } from './types.js';
import { VERSION } from './version.js';

/** The page and browser facts sent with each event, read at the time of the event. */
export function readContext(): TrackerContext {
  return {
    page: {
      url: location.href,
      path: location.pathname,
      referrer: document.referrer,
      title: document.title,
      search: location.search,
    },
    locale: navigator.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: { width: screen.width, height: screen.height },
    library: { name: 'sluice', version: VERSION },
  };
}
