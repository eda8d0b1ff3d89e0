import { afterEach, describe, expect, it } from 'vitest';
import { autocapture } from './autocapture.js';
import { recordingTarget } from './plugin-test-target.js';

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  document.body.innerHTML = '';
});
const start = (selector?: string) => {
  const target = recordingTarget();
  stops.push(autocapture(target, selector));
  return target;
};

describe('autocapture', () => {
  it('records clicks on links and buttons, with what identifies them', () => {
    document.body.innerHTML = `
      <a id="home" class="nav main" href="/home"><span>Go  home</span></a>
      <button data-track="Buy">Buy <b>now</b></button>
      <p>not clickable</p>`;
    const target = start();
    document.querySelector('span')!.click(); // inside the link
    document.querySelector('b')!.click(); // inside the button
    document.querySelector('p')!.click();
    expect(target.tracked).toEqual([
      [
        'Element Clicked',
        {
          tag: 'a',
          id: 'home',
          classes: 'nav main',
          href: `${location.origin}/home`,
          name: undefined,
          text: 'Go home',
        },
      ],
      [
        'Element Clicked',
        {
          tag: 'button',
          id: undefined,
          classes: undefined,
          href: undefined,
          name: 'Buy',
          text: 'Buy now',
        },
      ],
    ]);
  });

  it('never records what a user typed: of inputs, only buttons give their label', () => {
    document.body.innerHTML = `
      <input type="submit" value="Send">
      <input type="text" data-track="Email field" value="me@example.com">`;
    const target = start();
    for (const input of document.querySelectorAll('input')) input.click();
    expect(target.tracked.map(([, p]) => [p!.name, p!.text])).toEqual([
      [undefined, 'Send'],
      ['Email field', undefined],
    ]);
  });

  it('still sees clicks the page stops, and stops when told', () => {
    document.body.innerHTML = '<div id="box"><button>Stop me</button></div>';
    document.getElementById('box')!.addEventListener('click', (e) => e.stopPropagation());
    const target = start();
    document.querySelector('button')!.click();
    expect(target.tracked).toHaveLength(1);
    stops.pop()!();
    document.querySelector('button')!.click();
    expect(target.tracked).toHaveLength(1);
  });

  it('takes a selector of its own', () => {
    document.body.innerHTML = '<div class="card">Card</div><button>Not this</button>';
    const target = start('.card');
    document.querySelector('button')!.click();
    document.querySelector('.card')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(target.tracked.map(([, p]) => p!.text)).toEqual(['Card']);
  });
});
