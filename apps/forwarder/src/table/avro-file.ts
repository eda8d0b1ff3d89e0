// Avro object container files (the spec's "Object Container Files"): header, one block, sync
// marker. Records are encoded by avsc; the container around them is these few lines because
// avsc's own file encoder is a Node stream, and table commits must stay runtime-free.

import avro from 'avsc';

const MAGIC = new Uint8Array([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const HEADER_META = avro.Type.forSchema({ type: 'map', values: 'bytes' });
const LONG = avro.Type.forSchema('long');

/** An Avro schema as JSON: Iceberg adds `field-id` attributes that avsc keeps out of the way. */
export type AvroSchema = Record<string, unknown>;

/**
 * An Avro container file of `records` (uncompressed, codec `null`), with `metadata` beside
 * `avro.schema` in the header: Iceberg keeps the table schema and partition spec there.
 */
export function writeAvroFile(
  schema: AvroSchema,
  records: readonly unknown[],
  metadata: Record<string, string>,
): Uint8Array {
  const type = avro.Type.forSchema(schema as avro.Schema);
  const encoder = new TextEncoder();
  const meta: Record<string, Uint8Array> = {
    'avro.schema': encoder.encode(JSON.stringify(schema)),
    'avro.codec': encoder.encode('null'),
  };
  for (const [key, value] of Object.entries(metadata)) meta[key] = encoder.encode(value);
  // avsc's bytes are Buffers (a Node global, and one Workers give with nodejs_compat).
  const header = Object.fromEntries(
    Object.entries(meta).map(([key, value]) => [key, Buffer.from(value)]),
  );
  const sync = crypto.getRandomValues(new Uint8Array(16));
  const body = records.map((record) => type.toBuffer(record));
  const size = body.reduce((sum, part) => sum + part.byteLength, 0);
  const parts: Uint8Array[] = [MAGIC, HEADER_META.toBuffer(header), sync];
  if (records.length > 0)
    parts.push(LONG.toBuffer(records.length), LONG.toBuffer(size), ...body, sync);
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** The records and header metadata of an Avro container file (codec `null`), by its own schema. */
export function readAvroFile(file: Uint8Array): {
  records: Record<string, unknown>[];
  metadata: Record<string, string>;
} {
  const buffer = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (!MAGIC.every((byte, index) => buffer[index] === byte)) throw new Error('not an Avro file');
  const header = HEADER_META.decode(buffer, MAGIC.length);
  const meta = header.value as Record<string, Uint8Array>;
  const decoder = new TextDecoder();
  const metadata = Object.fromEntries(
    Object.entries(meta).map(([key, value]) => [key, decoder.decode(value)]),
  );
  if ((metadata['avro.codec'] ?? 'null') !== 'null') throw new Error('compressed Avro file');
  const type = avro.Type.forSchema(JSON.parse(metadata['avro.schema'] ?? 'null'));
  const records: Record<string, unknown>[] = [];
  let offset = header.offset + 16;
  while (offset < buffer.byteLength) {
    const count = LONG.decode(buffer, offset);
    const size = LONG.decode(buffer, count.offset);
    offset = size.offset;
    for (let i = 0; i < (count.value as number); i++) {
      const record = type.decode(buffer, offset);
      records.push(record.value as Record<string, unknown>);
      offset = record.offset;
    }
    offset += 16; // the sync marker
  }
  return { records, metadata };
}
