import { describe, expect, it } from 'vitest';
import { requestTransport } from './request-transport.js';

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
