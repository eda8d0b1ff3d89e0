import { describe, expect, it } from 'vitest';
import { CollectorError } from './errors.js';
import { checkContentEncoding, checkContentType, parseJsonBody, readBody } from './request-body.js';

const decodeText = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function statusOf(run: () => unknown): number | 'ok' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof CollectorError) return error.status;
    throw error;
  }
}

describe('checkContentType', () => {
  it.each([
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/json',
    'Application/JSON; charset="utf-8"',
    // RudderStack's Node SDK sends its JSON so.
    'application/x-www-form-urlencoded',
  ])('accepts %s', (type) => {
    expect(statusOf(() => checkContentType(type))).toBe('ok');
  });

  it.each([undefined, '', 'multipart/form-data; boundary=x', 'text/plain; charset=iso-8859-1'])(
    'refuses %s with 415',
    (type) => {
      expect(statusOf(() => checkContentType(type))).toBe(415);
    },
  );

  it('still refuses a bad type right after accepting a good one (it remembers the last)', () => {
    for (let round = 0; round < 2; round++) {
      expect(statusOf(() => checkContentType('text/plain;charset=UTF-8'))).toBe('ok');
      expect(statusOf(() => checkContentType('text/plain;charset=UTF-8'))).toBe('ok');
      expect(statusOf(() => checkContentType('text/html'))).toBe(415);
      expect(statusOf(() => checkContentType(undefined))).toBe(415);
    }
  });
});

describe('parseJsonBody', () => {
  it('parses an object, and answers what is not one with 400 (the parsing: @sluice/ingest)', () => {
    expect(parseJsonBody(encoder.encode('{"a":1}'))).toEqual({ a: 1 });
    for (const text of ['', '{', '[]', `{"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`]) {
      expect(statusOf(() => parseJsonBody(encoder.encode(text)))).toBe(400);
    }
    expect(statusOf(() => parseJsonBody(new Uint8Array([0x7b, 0xff, 0x7d])))).toBe(400);
  });
});

describe('checkContentEncoding', () => {
  it('takes gzip and no encoding, refuses others with 415', () => {
    expect(checkContentEncoding(undefined)).toBe(false);
    expect(checkContentEncoding('identity')).toBe(false);
    expect(checkContentEncoding('GZIP')).toBe(true);
    expect(statusOf(() => checkContentEncoding('br'))).toBe(415);
    expect(statusOf(() => checkContentEncoding('gzip, deflate'))).toBe(415);
  });
});

const encoder = new TextEncoder();

/** A body sent in `pieceBytes` pieces; `pulled()` tells how many bytes were read from it. */
function piecewise(bytes: Uint8Array, pieceBytes = 1024) {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + pieceBytes));
        offset += pieceBytes;
      },
    },
    // Nothing is read ahead: a piece is made only when the reader asks.
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => Math.min(offset, bytes.length) };
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function post(body: BodyInit | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return new Request('http://collector.test/v1/batch', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
}

async function statusOfAsync(run: () => Promise<unknown>): Promise<number | 'ok'> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (error instanceof CollectorError) return error.status;
    throw error;
  }
}

describe('readBody', () => {
  const text = '{"batch":[]}';

  it('reads a body with or without a Content-Length', async () => {
    const sized = await readBody(post(text, { 'content-length': String(text.length) }), {
      maxBytes: 1024,
      gzip: false,
    });
    expect(decodeText(sized)).toBe(text);
    const streamed = piecewise(encoder.encode(text), 3).stream;
    expect(decodeText(await readBody(post(streamed), { maxBytes: 1024, gzip: false }))).toBe(text);
  });

  it('refuses an announced Content-Length over the limit without reading the body', async () => {
    const body = piecewise(new Uint8Array(10_000));
    const request = post(body.stream, { 'content-length': '10000' });
    expect(await statusOfAsync(() => readBody(request, { maxBytes: 1024, gzip: false }))).toBe(413);
    expect(body.pulled()).toBe(0);
  });

  it('stops reading a streamed body once it passes the limit', async () => {
    const body = piecewise(new Uint8Array(1_000_000));
    expect(
      await statusOfAsync(() => readBody(post(body.stream), { maxBytes: 4096, gzip: false })),
    ).toBe(413);
    expect(body.pulled()).toBeLessThan(100_000);
  });

  it('inflates a gzip body', async () => {
    const compressed = await gzip(encoder.encode(text));
    const bytes = await readBody(post(piecewise(compressed, 5).stream), {
      maxBytes: 1024,
      gzip: true,
    });
    expect(decodeText(bytes)).toBe(text);
  });

  it('refuses a gzip bomb with 413 before inflating it all', async () => {
    // 8 gzip members of 64 MB of zeros each, about 512 KB; the inflated limit is 500 KB. Node
    // 22+ takes up to 64 KiB into a DecompressionStream before inflating any of it, so a bomb
    // of one 64 KB member would be read whole even when the inflating stops at the limit.
    const member = await gzip(new Uint8Array(64 * 1024 * 1024));
    const compressed = new Uint8Array(member.length * 8);
    for (let i = 0; i < 8; i++) compressed.set(member, i * member.length);
    const body = piecewise(compressed);
    expect(
      await statusOfAsync(() => readBody(post(body.stream), { maxBytes: 500 * 1024, gzip: true })),
    ).toBe(413);
    expect(body.pulled()).toBeLessThan(compressed.length / 2);
  });

  it('answers 400 for a body that is not gzip though it says so', async () => {
    const request = post(piecewise(encoder.encode(text)).stream);
    expect(await statusOfAsync(() => readBody(request, { maxBytes: 1024, gzip: true }))).toBe(400);
  });
});
