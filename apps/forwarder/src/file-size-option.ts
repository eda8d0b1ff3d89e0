// The bounds of a file-size setting and of its floor, shared by the bulk commands' and
// compaction's option schemas (the forwarder's own schema in options.ts spells out the same).

import { z } from 'zod';
import { DEFAULT_FILE_BYTES, DEFAULT_MIN_FILE_BYTES, MAX_FILE_BYTES } from './options.js';

export { DEFAULT_FILE_BYTES };

const MiB = 1024 * 1024;

/**
 * Compaction's output size by default: 256 MiB of NDJSON, in the 128–512 MiB the lake loaders
 * write (so a day's hour holds a few large files, not many of 64 MiB). Compaction encodes as
 * it reads, so this sets the file size, not what it holds in memory (merge-files.ts).
 */
export const DEFAULT_COMPACTED_FILE_BYTES = 256 * MiB;

const fileBytes = z.number().int().positive().max(MAX_FILE_BYTES);

/** A file size in bytes of NDJSON: at most 1 GiB, default 64 MiB; refine it with the floor. */
export const fileBytesSchema = fileBytes.default(DEFAULT_FILE_BYTES);

/** Compaction's output size in bytes of NDJSON: at most 1 GiB, default 256 MiB. */
export const compactedFileBytesSchema = fileBytes.default(DEFAULT_COMPACTED_FILE_BYTES);

/** The smallest file size accepted: 1 MiB by default, lowered only for tests. */
export const minFileBytesSchema = z
  .number()
  .int()
  .positive()
  .max(MAX_FILE_BYTES)
  .default(DEFAULT_MIN_FILE_BYTES);

/** Why a file size below `minFileBytes` is refused. */
export const FILE_SIZE_FLOOR_MESSAGE =
  'must be at least minFileBytes (1 MiB unless lowered): small files slow every query';
