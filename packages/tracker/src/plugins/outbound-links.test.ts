import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outboundLinks } from './outbound-links.js';
import { recordingTarget } from './plugin-test-target.js';

const stops: (() => void)[] = [];
// The page follows no link here (happy-dom would navigate). The plugin listens on window, in
// the capture phase, so it still sees the click first.
const stay = (event: Event) => event.preventDefault();
beforeEach(() => {
  document.addEventListener('click', stay, true);
  document.addEventListener('auxclick', stay, true);
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  document.removeEventListener('click', stay, true);
  document.removeEventListener('auxclick', stay, true);
  document.body.innerHTML = '';
});
const click = (selector: string, type = 'click') =>
  document.querySelector(selector)!.dispatchEvent(
    new MouseEvent(type, {
      bubbles: true,
      cancelable: true,
      button: type === 'auxclick' ? 1 : 0,
    }),
  );

describe('outboundLinks', () => {
  it('records links to other hosts and downloads, not other links', () => {
    expect(location.origin).toBe('http://localhost:3000');
    document.body.innerHTML = `
      <a id="out" href="https://other.example/page?x=1"><img alt="logo"></a>
      <a id="pdf" href="/files/report.PDF">report</a>
      <a id="dl" href="/export?id=7" download>export</a>
      <a id="in" href="/about">about</a>
      <a id="mail" href="mailto:a@example.com">mail</a>`;
    const target = recordingTarget();
    stops.push(outboundLinks(target));
    click('#out img');
    click('#pdf');
    click('#dl');
    click('#in');
    click('#mail');
    expect(target.tracked).toEqual([
      ['Outbound Link Clicked', { url: 'https://other.example/page?x=1' }],
      ['File Downloaded', { url: `${location.origin}/files/report.PDF` }],
      ['File Downloaded', { url: `${location.origin}/export?id=7` }],
    ]);
  });

  it('counts middle clicks (new tab), and takes its own file types', () => {
    document.body.innerHTML = `
      <a id="out" href="https://other.example/">other</a>
      <a id="pdf" href="/report.pdf">report</a>
      <a id="sketch" href="/design.sketch">design</a>`;
    const target = recordingTarget();
    stops.push(outboundLinks(target, /\.sketch$/));
    click('#out', 'auxclick');
    click('#pdf');
    click('#sketch');
    expect(target.tracked.map(([name]) => name)).toEqual([
      'Outbound Link Clicked',
      'File Downloaded',
    ]);
    expect(target.tracked[1]![1]).toEqual({ url: `${location.origin}/design.sketch` });
  });
});
