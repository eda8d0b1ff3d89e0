// The table metadata file (`metadata/v<N>.metadata.json`, format version 2) and how one commit
// turns version N into N+1: a new snapshot, its log lines, and the `main` branch moved to it.
// Old snapshots beyond SNAPSHOTS_KEPT leave the metadata (what Iceberg's expire-snapshots does,
// without deleting files): every forwarder upload is a snapshot, and the file is rewritten on
// each commit.

import { ICEBERG_PARTITION_SPEC, ICEBERG_TABLE_SCHEMA, icebergNameMapping } from '@sluice/layout';

/** Snapshots (and metadata log lines) kept in the metadata file. */
export const SNAPSHOTS_KEPT = 100;

export type SnapshotOperation = 'append' | 'replace' | 'overwrite';

export interface Snapshot {
  'snapshot-id': number;
  'parent-snapshot-id'?: number;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list': string;
  summary: Record<string, string> & { operation: SnapshotOperation };
  'schema-id': number;
}

export interface TableMetadata {
  'format-version': 2;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  schemas: (typeof ICEBERG_TABLE_SCHEMA)[];
  'current-schema-id': number;
  'partition-specs': (typeof ICEBERG_PARTITION_SPEC)[];
  'default-spec-id': number;
  'last-partition-id': number;
  properties: Record<string, string>;
  'current-snapshot-id': number;
  snapshots: Snapshot[];
  'snapshot-log': { 'timestamp-ms': number; 'snapshot-id': number }[];
  'metadata-log': { 'timestamp-ms': number; 'metadata-file': string }[];
  'sort-orders': { 'order-id': number; fields: never[] }[];
  'default-sort-order-id': number;
  refs: Record<string, { 'snapshot-id': number; type: 'branch' }>;
}

/** What a commit adds: its snapshot, and where the metadata it replaces lives (if any). */
export interface NextSnapshot {
  id: number;
  timestampMs: number;
  manifestList: string;
  operation: SnapshotOperation;
  summary: Record<string, string>;
}

/** The sequence number the next snapshot gets. */
export function nextSequenceNumber(previous: TableMetadata | undefined): number {
  return (previous?.['last-sequence-number'] ?? 0) + 1;
}

/**
 * The metadata after `snapshot` is committed on top of `previous` (whose file is
 * `previousFile`), or a new table at `location` when there is none.
 */
export function withSnapshot(
  previous: { metadata: TableMetadata; file: string } | undefined,
  snapshot: NextSnapshot,
  create: { location: string; uuid: string },
  snapshotsKept = SNAPSHOTS_KEPT,
): TableMetadata {
  const base = previous?.metadata ?? newTable(create.location, create.uuid);
  const sequenceNumber = nextSequenceNumber(previous?.metadata);
  const parent = previous?.metadata['current-snapshot-id'];
  const entry: Snapshot = {
    'snapshot-id': snapshot.id,
    ...(parent === undefined || parent < 0 ? {} : { 'parent-snapshot-id': parent }),
    'sequence-number': sequenceNumber,
    'timestamp-ms': snapshot.timestampMs,
    'manifest-list': snapshot.manifestList,
    summary: { operation: snapshot.operation, ...snapshot.summary },
    'schema-id': ICEBERG_TABLE_SCHEMA['schema-id'],
  };
  const metadataLog = previous
    ? [
        ...base['metadata-log'],
        { 'timestamp-ms': base['last-updated-ms'], 'metadata-file': previous.file },
      ]
    : [];
  return {
    ...base,
    'last-sequence-number': sequenceNumber,
    'last-updated-ms': snapshot.timestampMs,
    'current-snapshot-id': snapshot.id,
    snapshots: [...base.snapshots, entry].slice(-snapshotsKept),
    'snapshot-log': [
      ...base['snapshot-log'],
      { 'timestamp-ms': snapshot.timestampMs, 'snapshot-id': snapshot.id },
    ].slice(-snapshotsKept),
    'metadata-log': metadataLog.slice(-snapshotsKept),
    refs: { ...base.refs, main: { 'snapshot-id': snapshot.id, type: 'branch' } },
  };
}

function newTable(location: string, uuid: string): TableMetadata {
  return {
    'format-version': 2,
    'table-uuid': uuid,
    location,
    'last-sequence-number': 0,
    'last-updated-ms': 0,
    'last-column-id': Math.max(...ICEBERG_TABLE_SCHEMA.fields.map((field) => field.id)),
    schemas: [ICEBERG_TABLE_SCHEMA],
    'current-schema-id': ICEBERG_TABLE_SCHEMA['schema-id'],
    'partition-specs': [ICEBERG_PARTITION_SPEC],
    'default-spec-id': ICEBERG_PARTITION_SPEC['spec-id'],
    'last-partition-id': Math.max(
      ...ICEBERG_PARTITION_SPEC.fields.map((field) => field['field-id']),
    ),
    properties: {
      'write.format.default': 'parquet',
      'write.parquet.compression-codec': 'zstd',
      'schema.name-mapping.default': icebergNameMapping(),
    },
    'current-snapshot-id': -1,
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    'default-sort-order-id': 0,
    refs: {},
  };
}
