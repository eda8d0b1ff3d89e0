// Where the forwarder writes files. Core code depends on this interface only;
// adapters (local directory, S3-compatible) implement it with the same keys.

export interface ObjectInfo {
  key: string;
  size: number;
}

export interface PutOptions {
  contentType?: string;
  contentEncoding?: string;
}

export interface ObjectStore {
  /** Writes an object whole: readers see the old object or the new one, never a part. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /**
   * Writes an object only if there is none at `key` yet, atomically: of two callers, one gets
   * true, the other false and the object is the first one's. Only where the store can do it
   * (a directory: a hard link fails on an existing name); table commits rely on it.
   */
  putIfAbsent?(key: string, body: Uint8Array, options?: PutOptions): Promise<boolean>;
  /** Reads an object, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Lists every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Removes an object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
}
