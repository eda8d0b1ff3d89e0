// Iceberg v2 manifests and manifest lists as the table spec lays them out: Avro records whose
// fields carry the spec's field ids (manifest_entry 0-4 with data_file 100-140, manifest_file
// 500-519). Only what data files need is written; column statistics are left out (optional),
// so engines prune by partition values only.

import {
  ICEBERG_PARTITION_SPEC,
  ICEBERG_TABLE_SCHEMA,
  type IcebergPartition,
} from '@sluice/layout';
import { type AvroSchema, readAvroFile, writeAvroFile } from './avro-file.js';

/** A manifest entry's status. */
export const EntryStatus = { existing: 0, added: 1, deleted: 2 } as const;

/** A data file of the table: a Parquet file in the store and what a reader plans with. */
export interface DataFile {
  /** Its full location (`<store location>/<key>`). */
  path: string;
  partition: IcebergPartition;
  recordCount: number;
  sizeBytes: number;
}

/** One line of a manifest: a data file, its status, and when it was added. */
export interface ManifestEntry {
  status: (typeof EntryStatus)[keyof typeof EntryStatus];
  snapshotId: number;
  /** The data sequence number of the snapshot that added the file. */
  sequenceNumber: number;
  file: DataFile;
}

/** One line of a manifest list. */
export interface ManifestFile {
  path: string;
  length: number;
  sequenceNumber: number;
  minSequenceNumber: number;
  addedSnapshotId: number;
  added: { files: number; rows: number };
  existing: { files: number; rows: number };
  deleted: { files: number; rows: number };
}

const optional = (type: unknown) => ['null', type];

const PARTITION_SCHEMA = {
  type: 'record',
  name: 'r102',
  fields: [
    { name: 'source', type: optional('string'), default: null, 'field-id': 1000 },
    { name: 'timestamp_hour', type: optional('int'), default: null, 'field-id': 1001 },
  ],
};

const MANIFEST_ENTRY_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'manifest_entry',
  fields: [
    { name: 'status', type: 'int', 'field-id': 0 },
    { name: 'snapshot_id', type: optional('long'), default: null, 'field-id': 1 },
    { name: 'sequence_number', type: optional('long'), default: null, 'field-id': 3 },
    { name: 'file_sequence_number', type: optional('long'), default: null, 'field-id': 4 },
    {
      name: 'data_file',
      'field-id': 2,
      type: {
        type: 'record',
        name: 'r2',
        fields: [
          { name: 'content', type: 'int', 'field-id': 134 },
          { name: 'file_path', type: 'string', 'field-id': 100 },
          { name: 'file_format', type: 'string', 'field-id': 101 },
          { name: 'partition', type: PARTITION_SCHEMA, 'field-id': 102 },
          { name: 'record_count', type: 'long', 'field-id': 103 },
          { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
          { name: 'key_metadata', type: optional('bytes'), default: null, 'field-id': 131 },
          {
            name: 'split_offsets',
            type: optional({ type: 'array', items: 'long', 'element-id': 133 }),
            default: null,
            'field-id': 132,
          },
          { name: 'sort_order_id', type: optional('int'), default: null, 'field-id': 140 },
        ],
      },
    },
  ],
};

const MANIFEST_FILE_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
  ],
};

/** A manifest (Avro) of `entries`, with the table schema and partition spec in its header. */
export function encodeManifest(entries: readonly ManifestEntry[]): Uint8Array {
  return writeAvroFile(
    MANIFEST_ENTRY_SCHEMA,
    entries.map((entry) => ({
      status: entry.status,
      snapshot_id: entry.snapshotId,
      sequence_number: entry.sequenceNumber,
      file_sequence_number: entry.sequenceNumber,
      data_file: {
        content: 0,
        file_path: entry.file.path,
        file_format: 'PARQUET',
        partition: entry.file.partition,
        record_count: entry.file.recordCount,
        file_size_in_bytes: entry.file.sizeBytes,
        key_metadata: null,
        split_offsets: null,
        sort_order_id: null,
      },
    })),
    {
      schema: JSON.stringify(ICEBERG_TABLE_SCHEMA),
      'schema-id': String(ICEBERG_TABLE_SCHEMA['schema-id']),
      'partition-spec': JSON.stringify(ICEBERG_PARTITION_SPEC.fields),
      'partition-spec-id': String(ICEBERG_PARTITION_SPEC['spec-id']),
      'format-version': '2',
      content: 'data',
    },
  );
}

/** A manifest list (Avro) of a snapshot's manifests. */
export function encodeManifestList(
  manifests: readonly ManifestFile[],
  snapshot: { id: number; parentId?: number; sequenceNumber: number },
): Uint8Array {
  return writeAvroFile(
    MANIFEST_FILE_SCHEMA,
    manifests.map((manifest) => ({
      manifest_path: manifest.path,
      manifest_length: manifest.length,
      partition_spec_id: ICEBERG_PARTITION_SPEC['spec-id'],
      content: 0,
      sequence_number: manifest.sequenceNumber,
      min_sequence_number: manifest.minSequenceNumber,
      added_snapshot_id: manifest.addedSnapshotId,
      added_files_count: manifest.added.files,
      existing_files_count: manifest.existing.files,
      deleted_files_count: manifest.deleted.files,
      added_rows_count: manifest.added.rows,
      existing_rows_count: manifest.existing.rows,
      deleted_rows_count: manifest.deleted.rows,
    })),
    {
      'snapshot-id': String(snapshot.id),
      'parent-snapshot-id': String(snapshot.parentId ?? 'null'),
      'sequence-number': String(snapshot.sequenceNumber),
      'format-version': '2',
    },
  );
}

type AvroRecord = Record<string, unknown>;

/** The entries of a manifest `encodeManifest` wrote. */
export function decodeManifest(file: Uint8Array): ManifestEntry[] {
  return readAvroFile(file).records.map((record) => {
    const dataFile = record.data_file as AvroRecord;
    return {
      status: record.status as ManifestEntry['status'],
      snapshotId: record.snapshot_id as number,
      sequenceNumber: record.sequence_number as number,
      file: {
        path: dataFile.file_path as string,
        partition: dataFile.partition as IcebergPartition,
        recordCount: dataFile.record_count as number,
        sizeBytes: dataFile.file_size_in_bytes as number,
      },
    };
  });
}

/** The manifests of a manifest list `encodeManifestList` wrote. */
export function decodeManifestList(file: Uint8Array): ManifestFile[] {
  return readAvroFile(file).records.map((record) => ({
    path: record.manifest_path as string,
    length: record.manifest_length as number,
    sequenceNumber: record.sequence_number as number,
    minSequenceNumber: record.min_sequence_number as number,
    addedSnapshotId: record.added_snapshot_id as number,
    added: { files: record.added_files_count as number, rows: record.added_rows_count as number },
    existing: {
      files: record.existing_files_count as number,
      rows: record.existing_rows_count as number,
    },
    deleted: {
      files: record.deleted_files_count as number,
      rows: record.deleted_rows_count as number,
    },
  }));
}
