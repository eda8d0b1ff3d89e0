export { DamagedConsumerFileError, readCommitted, writeCommitted } from './consumer-offsets.js';
export { type EraseLogOptions, eraseLogRecords, type LogErasureReport } from './erase-records.js';
export { type FileModes, PRIVATE_MODES } from './file-modes.js';
export type { LogConsumer } from './log-consumer.js';
export {
  damagedDir,
  damageRecord,
  damageRecordName,
  describeDamage,
  type LogDamage,
  type LogDamageRecord,
} from './log-damage.js';
export { type LockHolder, type LogLock, LogLockedError, lockLogDir } from './log-lock.js';
export {
  DEFAULT_SEGMENT_BYTES,
  type LogQueue,
  type LogQueueOptions,
  type LogQueueStats,
  openLogQueue,
} from './log-queue.js';
export type { LogReaderOptions } from './log-reader.js';
export { type LogRange, type LogReader, openLogReader } from './log-reader.js';
export { type LogFinding, type LogVerification, verifyLog } from './log-verify.js';
export { COMMIT_MS_BOUNDS, type LogWriterStats } from './log-writer.js';
export { decodeFrames, encodeFrames } from './record-codec.js';
export { repairSegment, type SegmentRepair } from './repair-segment.js';
export { listSegments, segmentPath } from './segment-files.js';
export { type SegmentScan, scanSegment } from './segment-scan.js';
