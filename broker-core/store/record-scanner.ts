/**
 * Walks the records of the commit log's segment files in order, through a reusable read window (no per-record
 * reads): what recovery, `store verify` and the scrubber read the log with.
 */
import fs from 'node:fs';
import { BLANK_MAGIC, RECORD_BYTES_MIN, checkRecord, type RecordMeta } from './record';
import type { SegmentFileQueue } from './segment-file-queue';

export { RECORD_BYTES_MIN };
const SCAN_WINDOW_BYTES = 8 * 1024 * 1024;

export interface ScanOptions {
  /** Recompute every body CRC (a mismatch inside an intact frame is reported through onCrcMismatch and kept). */
  verifyCrc: boolean;
  onRecord?: (meta: RecordMeta, commitLogOffset: number, record: Buffer) => void;
  onCrcMismatch?: (meta: RecordMeta, commitLogOffset: number) => void;
  /** Count the non-zero bytes after the stop point (what a cut there would drop); default true. */
  countDropped?: boolean;
}

export interface ScanResult {
  /** Offset after the last whole record. */
  end: number;
  /** Bytes after `end` that held something (a torn or corrupt tail). */
  droppedBytes: number;
  records: number;
  crcMismatches: number;
  reason?: string;
}

/**
 * Scans records from `from` (a record boundary) until the first unwritten or corrupt position. A blank record
 * must reach its file's end; the next file continues the chain.
 */
export function scanRecords(files: SegmentFileQueue, from: number, options: ScanOptions): ScanResult {
  const fileBytes = files.fileBytes;
  let offset = from;
  let records = 0;
  let crcMismatches = 0;
  const stop = (reason?: string): ScanResult => {
    const droppedBytes = options.countDropped === false ? 0 : nonZeroBytesFrom(files, offset);
    return { end: offset, droppedBytes, records, crcMismatches, ...(reason === undefined ? {} : { reason }) };
  };
  if (!files.findByOffset(offset)) return { end: files.count > 0 ? Math.max(from, files.minOffset!) : from, droppedBytes: 0, records, crcMismatches };
  const window = Buffer.allocUnsafe(SCAN_WINDOW_BYTES);
  for (;;) {
    const file = files.findByOffset(offset);
    if (!file) break;
    const fileEnd = file.start + fileBytes;
    let windowStart = offset;
    let windowLength = files.read(offset, window, Math.min(SCAN_WINDOW_BYTES, fileEnd - offset));
    let nextFile = false;
    for (;;) {
      const pos = offset - windowStart;
      if (offset >= fileEnd) {
        nextFile = true;
        break;
      }
      if (pos + 8 <= windowLength && window.readInt32BE(pos + 4) === BLANK_MAGIC) {
        if (offset + window.readInt32BE(pos) !== fileEnd) return stop('blank record does not end the file');
        offset = fileEnd;
        nextFile = true;
        break;
      }
      // Refill when the record (or its 8-byte head) may reach past the window.
      const needHead = pos + 8 > windowLength && windowStart + windowLength < fileEnd;
      const headSize = pos + 4 <= windowLength ? window.readInt32BE(pos) : 0;
      const needBody = !needHead && headSize > 0 && pos + headSize > windowLength && windowStart + windowLength < fileEnd && headSize <= fileBytes;
      if (needHead || needBody) {
        const big = headSize > SCAN_WINDOW_BYTES ? Buffer.allocUnsafe(headSize) : window;
        windowStart = offset;
        windowLength = files.read(offset, big, Math.min(big.length, fileEnd - offset));
        if (big !== window) {
          const check = checkRecord(big, 0, windowLength, options.verifyCrc);
          if (check.kind !== 'record') return stop(check.kind === 'corrupt' ? check.reason : check.kind);
          options.onRecord?.(check.meta, offset, big.subarray(0, check.meta.totalSize));
          records++;
          offset += check.meta.totalSize;
          windowLength = files.read(offset, window, Math.min(SCAN_WINDOW_BYTES, fileEnd - offset));
          windowStart = offset;
        }
        continue;
      }
      let check = checkRecord(window, pos, windowLength, options.verifyCrc);
      if (check.kind === 'corrupt' && check.reason === 'body CRC mismatch') {
        const intact = checkRecord(window, pos, windowLength, false);
        if (intact.kind === 'record') {
          crcMismatches++;
          options.onCrcMismatch?.(intact.meta, offset);
          check = intact;
        }
      }
      if (check.kind === 'record') {
        if (check.meta.physicalOffset !== offset) return stop(`record claims offset ${check.meta.physicalOffset}`);
        options.onRecord?.(check.meta, offset, window.subarray(pos, pos + check.meta.totalSize));
        records++;
        offset += check.meta.totalSize;
        continue;
      }
      if (check.kind === 'blank') {
        if (offset + check.totalSize !== fileEnd) return stop('blank record does not end the file');
        offset = fileEnd;
        nextFile = true;
        break;
      }
      return stop(check.kind === 'corrupt' ? check.reason : undefined);
    }
    if (!nextFile) break;
  }
  return { end: offset, droppedBytes: 0, records, crcMismatches };
}

/**
 * Non-zero bytes from `offset` to the end of the last file (what cutting there drops). The zero test is a native
 * compare per window: a byte loop over the unwritten (sparse) rest of a 1 GiB file took seconds on every
 * restart after a crash.
 */
export function nonZeroBytesFrom(files: SegmentFileQueue, offset: number): number {
  let dropped = 0;
  const buf = Buffer.allocUnsafe(SCAN_WINDOW_BYTES);
  const zeros = Buffer.alloc(SCAN_WINDOW_BYTES);
  for (const file of files.files) {
    if (file.start + files.fileBytes <= offset) continue;
    const from = Math.max(0, offset - file.start);
    let pos = from;
    let lastNonZero = -1;
    while (pos < file.size) {
      const n = fs.readSync(file.fd, buf, 0, Math.min(buf.length, file.size - pos), pos);
      if (n <= 0) break;
      if (!buf.subarray(0, n).equals(zeros.subarray(0, n))) {
        for (let k = n - 1; k >= 0; k--) {
          if (buf[k] !== 0) {
            lastNonZero = pos + k;
            break;
          }
        }
      }
      pos += n;
    }
    if (lastNonZero >= 0) dropped += lastNonZero + 1 - from;
  }
  return dropped;
}
