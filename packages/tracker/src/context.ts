import type { Campaign, TrackerContext } from './types.js';
import { VERSION } from './version.js';

/** The context fields that do not change while the page lives: read once, they cost nothing per event. */
export const readBrowser = (): Pick<
  TrackerContext,
  'locale' | 'timezone' | 'screen' | 'library'
> => ({
  locale: navigator.language,
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  screen: { width: screen.width, height: screen.height },
  library: { name: 'sluice', version: VERSION },
});

/** The page's facts at the time of an event: URL parts, title, and UTM campaign parameters. */
export const readPage = (): Pick<TrackerContext, 'page' | 'campaign'> => {
  let campaign: Campaign | undefined;
  for (const [key, value] of new URLSearchParams(location.search))
    if (/^utm_/.test(key))
      // biome-ignore lint/suspicious/noAssignInExpressions: the shortest form in the tag
      (campaign ||= {})[key === 'utm_campaign' ? 'name' : key.slice(4)] = value;
  return {
    page: {
      url: location.href,
      path: location.pathname,
      referrer: document.referrer,
      title: document.title,
      search: location.search,
    },
    campaign,
  };
};
