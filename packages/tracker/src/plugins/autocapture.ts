import type { PluginTarget, StopPlugin } from './plugin-target.js';

/** Elements whose clicks `autocapture` records by default. */
export const CLICKABLE =
  'a,button,[role=button],input[type=submit],input[type=button],[data-track]';

/**
 * Records `Element Clicked` for clicks on links, buttons and elements with `data-track`
 * (or whatever `selector` matches): tag, id, classes, href, `data-track` value as `name`, and
 * up to 100 characters of visible text (never what a user typed: of inputs, only buttons
 * give their label). Listens in the capture phase, so clicks the page stops
 * still count.
 */
export const autocapture = (tracker: PluginTarget, selector: string = CLICKABLE): StopPlugin => {
  const onClick = (event: Event): void => {
    try {
      const element = (event.target as Element).closest(selector) as HTMLInputElement | null;
      if (!element) return;
      // An input's value is what the user typed, unless it is a button's label.
      const text =
        element.tagName !== 'INPUT'
          ? element.textContent
          : /^(submit|button|reset)$/.test(element.type) && element.value;
      tracker.track('Element Clicked', {
        tag: element.tagName.toLowerCase(),
        id: element.id || undefined,
        classes: element.getAttribute('class') || undefined,
        href: (element as unknown as HTMLAnchorElement).href || undefined,
        name: element.dataset.track || undefined,
        text: (text || '').replace(/\s+/g, ' ').trim().slice(0, 100) || undefined,
      });
    } catch {} // a target that is not an Element (a text node in old browsers): nothing to do
  };
  addEventListener('click', onClick, true);
  return () => removeEventListener('click', onClick, true);
};
