import { describe, expect, it } from 'vitest';
import { createUserAgentCache, describeUserAgent } from './user-agent.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('describeUserAgent', () => {
  it('names the browser, OS and device of a phone', () => {
    expect(describeUserAgent(IPHONE)).toEqual({
      browser: { name: 'Mobile Safari', version: '17.2' },
      os: { name: 'iOS', version: '17.2' },
      device: { type: 'mobile', manufacturer: 'Apple', model: 'iPhone' },
      bot: false,
    });
  });

  it('leaves out what the string does not say (a desktop has no device type)', () => {
    const facts = describeUserAgent(CHROME_LINUX);
    expect(facts.browser).toEqual({ name: 'Chrome', version: '126.0.0.0' });
    expect(facts.os?.name).toBe('Linux');
    expect(facts.device).toBeUndefined();
    expect(facts.bot).toBe(false);
  });

  it('flags crawlers and scripts as bots', () => {
    expect(describeUserAgent(GOOGLEBOT).bot).toBe(true);
    expect(describeUserAgent('curl/8.5.0').bot).toBe(true);
  });
});

describe('createUserAgentCache', () => {
  it('answers like describeUserAgent and reuses the answer for a repeated string', () => {
    const describe = createUserAgentCache(2);
    const first = describe(IPHONE);
    expect(first).toEqual(describeUserAgent(IPHONE));
    expect(describe(IPHONE)).toBe(first);
    describe(CHROME_LINUX);
    describe(GOOGLEBOT);
    // The oldest entry was dropped to stay within 2: a fresh (equal) answer.
    const again = describe(IPHONE);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
