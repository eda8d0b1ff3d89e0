import { describe, expect, it, vi } from 'vitest';
import { sleep, started, useTrackerKit } from './test-tracker.js';

const kit = useTrackerKit();

/** Every localStorage key, as the page would see them. */
const storedKeys = () => Object.keys(localStorage).sort();
const beaconsSent = () => {
  const beacons: string[] = [];
  vi.spyOn(navigator, 'sendBeacon').mockImplementation((_url, body) => {
    beacons.push(body as string);
    return true;
  });
  return beacons;
};

describe('consent', () => {
  it('with requireConsent, sends and stores nothing, then sends what waited once granted', async () => {
    const beacons = beaconsSent();
    const tracker = kit.make({ requireConsent: true, autoPageview: true, flushAt: 1 });
    await started();
    tracker.track('Clicked');
    tracker.identify('user-1');
    tracker.flush();
    kit.setVisibility('hidden');
    dispatchEvent(new Event('pagehide'));
    await sleep(100);
    expect(kit.collector.requests).toEqual([]);
    expect(beacons).toEqual([]);
    expect(storedKeys()).toEqual([]);

    kit.setVisibility('visible');
    tracker.consent(true);
    const events = await kit.waitForEvents(3);
    expect(events.map((e) => e.type)).toEqual(['page', 'track', 'identify']);
    // The sent events leave the stored outbox once the answer is read, just after the
    // collector took them.
    await kit.collector.waitFor(() => !storedKeys().includes('sluice_q'));
    expect(storedKeys()).toEqual(['sluice_consent', 'sluice_id']);
    expect(JSON.parse(localStorage.getItem('sluice_id')!)[0]).toBe(events[0]!.anonymousId);
  });

  it('remembers the choice on the next page', async () => {
    kit.make({ requireConsent: true }).consent(true);
    const next = kit.make({ requireConsent: true });
    next.track('on the next page');
    next.flush();
    await kit.waitForEvents(1);
  });

  it('opting out drops unsent events, removes what the tag kept, and records nothing after', async () => {
    kit.collector.answers.push({ status: 503, headers: { 'retry-after': '60' } });
    const tracker = kit.make();
    await started();
    tracker.track('failed once');
    tracker.flush();
    await kit.collector.waitForPosts(1);
    expect(storedKeys()).toEqual(['sluice_id', 'sluice_q']);

    tracker.consent(false);
    expect(storedKeys()).toEqual(['sluice_consent']);
    tracker.track('after opting out');
    tracker.flush();
    const next = kit.make({ autoPageview: true }); // the next page: still opted out
    next.track('next page');
    next.flush();
    await sleep(150);
    expect(kit.collector.bodies()).toHaveLength(1);
    expect(storedKeys()).toEqual(['sluice_consent']);
  });

  it('opting in again after opting out sends what comes next', async () => {
    const tracker = kit.make();
    tracker.consent(false);
    tracker.track('not this');
    tracker.consent(true);
    tracker.track('this');
    tracker.flush();
    const [event] = await kit.waitForEvents(1);
    await sleep(50);
    expect(kit.accepted()).toHaveLength(1);
    expect(event!.event).toBe('this');
  });
});

describe('privacy signals', () => {
  it('with respectDnt, treats Do Not Track as no consent yet', async () => {
    vi.spyOn(navigator, 'doNotTrack', 'get').mockReturnValue('1');
    const tracker = kit.make({ respectDnt: true });
    tracker.track('x');
    tracker.flush();
    await sleep(100);
    expect(kit.collector.requests).toEqual([]);
    expect(storedKeys()).toEqual([]);
    tracker.consent(true); // an explicit choice overrides the signal
    await kit.waitForEvents(1);
  });

  it('with respectDnt, treats Global Privacy Control as no consent yet', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    try {
      const tracker = kit.make({ respectDnt: true });
      tracker.track('x');
      tracker.flush();
      await sleep(100);
      expect(kit.collector.requests).toEqual([]);
    } finally {
      Reflect.deleteProperty(navigator, 'globalPrivacyControl');
    }
  });

  it('without respectDnt, sends as usual (the site decides)', async () => {
    vi.spyOn(navigator, 'doNotTrack', 'get').mockReturnValue('1');
    const tracker = kit.make();
    tracker.track('x');
    tracker.flush();
    await kit.waitForEvents(1);
  });
});

describe('cookieless', () => {
  it('keeps nothing on the device, even while the collector fails, and a new id per page', async () => {
    kit.collector.answers.push({ status: 503 }, { status: 503 });
    vi.spyOn(Math, 'random').mockReturnValue(0); // retry at once
    const first = kit.make({ cookieless: true });
    first.identify('user-1');
    first.track('a');
    first.flush();
    await kit.waitForEvents(2);
    const second = kit.make({ cookieless: true }); // the next page
    second.track('b');
    second.flush();
    const events = await kit.waitForEvents(3);
    expect(storedKeys()).toEqual([]);
    expect(document.cookie).toBe('');
    expect(events[2]!.anonymousId).not.toBe(events[0]!.anonymousId);
    expect(events[1]!.userId).toBe('user-1'); // for this page
  });
});
