import { describe, expect, it } from 'vitest';
import { deliveryTransport, requestTransport } from './request-transport.js';

const of = (headers: Record<string, string>) => requestTransport(new Headers(headers));

describe('requestTransport', () => {
  it("tells a beacon, a fetch and a pixel by the browser's Fetch Metadata", () => {
    expect(of({ 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' })).toBe('beacon');
    expect(of({ 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' })).toBe('fetch');
    expect(of({ 'sec-fetch-mode': 'same-origin', 'sec-fetch-dest': 'empty' })).toBe('fetch');
    expect(of({ 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' })).toBe('pixel');
  });

  it('says nothing for a request without them (a server SDK) or with a mode it does not know', () => {
    expect(of({})).toBeUndefined();
    expect(of({ 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' })).toBeUndefined();
  });
});

describe('deliveryTransport', () => {
  const fetched = new Headers({ 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' });
  const beacon = new Headers({ 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' });

  it('is resend for a request the tag marked ?r, whichever way it came', () => {
    expect(deliveryTransport('https://c.example/v1/batch?r', fetched)).toBe('resend');
    expect(deliveryTransport('https://c.example/v1/batch?r', beacon)).toBe('resend');
    expect(deliveryTransport('https://c.example/v1/batch?x=1&r=', new Headers())).toBe('resend');
  });

  it('is the Fetch Metadata transport otherwise', () => {
    expect(deliveryTransport('https://c.example/v1/batch', fetched)).toBe('fetch');
    expect(deliveryTransport('https://c.example/v1/batch?rr=1', beacon)).toBe('beacon');
    expect(deliveryTransport('https://c.example/v1/batch', new Headers())).toBeUndefined();
  });
});
