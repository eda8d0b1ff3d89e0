/** gzip with the Web Streams API (workerd, Node, Bun and Deno all have CompressionStream). */
export function gzip(data: Uint8Array): Promise<Uint8Array> {
  return throughStream(new CompressionStream('gzip'), data);
}

/** gunzip with the Web Streams API (DecompressionStream), the inverse of `gzip`. */
export function gunzip(data: Uint8Array): Promise<Uint8Array> {
  return throughStream(new DecompressionStream('gzip'), data);
}

async function throughStream(
  stream: CompressionStream | DecompressionStream,
  data: Uint8Array,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Not awaited before reading: the writer waits for the reader to drain (backpressure), and
  // a failure surfaces through the readable side.
  // The stream's type wants an ArrayBuffer-backed view; a shared buffer never comes here.
  writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  return new Uint8Array(await new Response(stream.readable).arrayBuffer());
}
