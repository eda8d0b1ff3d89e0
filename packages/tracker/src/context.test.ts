import { afterEach, describe, expect, it } from 'vitest';
import { readBrowser, readPage } from './context.js';
import { VERSION } from './version.js';

afterEach(() => {
  history.replaceState(null, '', '/');
});

describe('readPage', () => {
  it('reads the URL parts, the referrer and the title at the time of the event', () => {
    history.replaceState(null, '', '/pricing?plan=pro#faq');
    document.title = 'Pricing';
    expect(readPage()).toEqual({
      page: {
        url: `${location.origin}/pricing?plan=pro#faq`,
        path: '/pricing',
        referrer: document.referrer,
        title: 'Pricing',
        search: '?plan=pro',
      },
      campaign: undefined,
    });
  });

  it('reads UTM parameters as Segment names its campaign fields', () => {
    history.replaceState(
      null,
      '',
      '/?utm_source=news%20letter&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=top&utm_id=7&ref=x',
    );
    expect(readPage().campaign).toEqual({
      source: 'news letter',
      medium: 'email',
      name: 'spring',
      term: 'shoes',
      content: 'top',
      id: '7',
    });
  });
});

describe('readBrowser', () => {
  it('reads locale, time zone, screen size and the library', () => {
    expect(readBrowser()).toEqual({
      locale: navigator.language,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      screen: { width: screen.width, height: screen.height },
      library: { name: 'sluice', version: VERSION },
    });
  });
});
