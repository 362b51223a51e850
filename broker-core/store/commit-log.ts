/**
 * The commit log: every record of every topic, appended to segment files named by their 20-digit start
 * offset, each created at its full size (sparse) like RocketMQ's mapped files. A record never spans two
 * files; the tail of a file too small for the next record is a blank record (size + BLANK_MAGIC).
 *
 * Positions, all in commit-log bytes:
 *   minOffset ≤ flushed ≤ written ≤ reserved
 *   reserved: assigned to appended records (encoded, waiting in `#pending`)
 *   written:  handed to the OS (visible to readers and to dispatch; survives a process kill)
 *   flushed:  fdatasync'ed (survives a power loss)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../util/logger';
import { StoreCorruptError } from '../util/errors';
import { BLANK_MAGIC, BLANK_RECORD_BYTES_MIN, checkRecord, offsetFileName, type RecordMeta } from './record';

interface Segment {
  start: number;
  path: string;
  fd: number;
}

const SCAN_WINDOW_BYTES = 8 * 1024 * 1024;

export interface ScanResult {
  /** Offset after the last whole record. */
  end: number;
  /** Bytes after `end` that held something (a torn or corrupt tail) and were dropped. */
  droppedBytes: number;
  records: number;
  crcMismatches: number;
  reason?: string;
}

export class CommitLog {
  readonly dir: string;
  readonly segmentBytes: number;
  readonly #logger: Logger;
  #segments: Segment[] = [];
  #reserved = 0;
  #written = 0;
  #flushed = 0;
  #pending: { offset: number; buf: Buffer }[] = [];
  #dirtyFds = new Set<number>();
  #flushing: Promise<void> | null = null;
  #closed = false;
  /** Told how long each fdatasync round took, ms (the broker's flush-latency histogram). */
  onFlushed: ((durationMs: number) => void) | undefined;

  constructor(dir: string, segmentBytes: number, logger: Logger) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.#logger = logger;
  }

  /** Opens every segment; positions are set by `setEnd` once recovery knows where the data ends. */
  load(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const names = fs.readdirSync(this.dir).filter((n) => /^\d{20}$/.test(n)).sort();
    for (const name of names) {
      const start = Number(name);
      const file = path.join(this.dir, name);
      if (start % this.segmentBytes !== 0) {
        throw new StoreCorruptError(`commit log file ${file} does not start on a ${this.segmentBytes}-byte boundary; was the store written with another segment size?`);
      }
      const prev = this.#segments[this.#segments.length - 1];
      if (prev && prev.start + this.segmentBytes !== start) {
        this.#logger.warn('commit log files are not contiguous; files after the gap are ignored', { gapAfter: prev.path, next: file });
        break;
      }
      const fd = fs.openSync(file, 'r+');
      const size = fs.fstatSync(fd).size;
      if (size < this.segmentBytes) fs.ftruncateSync(fd, this.segmentBytes);
      this.#segments.push({ start, path: file, fd });
    }
  }

  get minOffset(): number {
    return this.#segments[0]?.start ?? this.#reserved;
  }
  get maxOffset(): number {
    return this.#written;
  }
  get reservedOffset(): number {
    return this.#reserved;
  }
  get flushedOffset(): number {
    return this.#flushed;
  }
  get segmentCount(): number {
    return this.#segments.length;
  }
  segmentStarts(): number[] {
    return this.#segments.map((s) => s.start);
  }

  /**
   * Scans records from `from` (a record boundary), calling `onRecord` for each whole record; stops at the
   * first unwritten or corrupt position. A body CRC mismatch inside an intact frame is reported and kept.
   */
  scan(from: number, verifyCrc: boolean, onRecord: (meta: RecordMeta, offset: number, record: Buffer) => void, options: { countDropped?: boolean } = {}): ScanResult {
    const countDropped = options.countDropped ?? true;
    let offset = from;
    let records = 0;
    let crcMismatches = 0;
    let segIndex = this.#segments.findIndex((s) => offset >= s.start && offset < s.start + this.segmentBytes);
    if (segIndex < 0) return { end: this.#segments.length > 0 ? Math.max(from, this.minOffset) : from, droppedBytes: 0, records, crcMismatches };
    const window = Buffer.allocUnsafe(SCAN_WINDOW_BYTES);
    while (segIndex < this.#segments.length) {
      const segment = this.#segments[segIndex]!;
      const segmentEnd = segment.start + this.segmentBytes;
      let windowStart = offset;
      let windowLength = fs.readSync(segment.fd, window, 0, Math.min(SCAN_WINDOW_BYTES, segmentEnd - offset), offset - segment.start);
      let nextSegment = false;
      for (;;) {
        let pos = offset - windowStart;
        if (offset >= segmentEnd) {
          nextSegment = true;
          break;
        }
        if (pos + 8 <= windowLength && window.readInt32BE(pos + 4) === BLANK_MAGIC) {
          if (offset + window.readInt32BE(pos) !== segmentEnd) return this.#scanStop(countDropped, offset, segIndex, records, crcMismatches, 'blank record does not end the file');
          offset = segmentEnd;
          nextSegment = true;
          break;
        }
        // Refill when the record (or its 8-byte head) may reach past the window.
        const needHead = pos + 8 > windowLength && windowStart + windowLength < segmentEnd;
        const headSize = pos + 4 <= windowLength ? window.readInt32BE(pos) : 0;
        const needBody = !needHead && headSize > 0 && pos + headSize > windowLength && windowStart + windowLength < segmentEnd && headSize <= this.segmentBytes;
        if (needHead || needBody) {
          const big = headSize > SCAN_WINDOW_BYTES ? Buffer.allocUnsafe(headSize) : window;
          windowStart = offset;
          windowLength = fs.readSync(segment.fd, big, 0, Math.min(big.length, segmentEnd - offset), offset - segment.start);
          if (big !== window) {
            const check = checkRecord(big, 0, windowLength, verifyCrc);
            if (check.kind !== 'record') return this.#scanStop(countDropped, offset, segIndex, records, crcMismatches, check.kind === 'corrupt' ? check.reason : check.kind);
            onRecord(check.meta, offset, big.subarray(0, check.meta.totalSize));
            records++;
            offset += check.meta.totalSize;
            windowLength = fs.readSync(segment.fd, window, 0, Math.min(SCAN_WINDOW_BYTES, segmentEnd - offset), offset - segment.start);
            windowStart = offset;
            continue;
          }
          continue;
        }
        let check = checkRecord(window, pos, windowLength, verifyCrc);
        if (check.kind === 'corrupt' && check.reason === 'body CRC mismatch') {
          const intact = checkRecord(window, pos, windowLength, false);
          if (intact.kind === 'record') {
            crcMismatches++;
            this.#logger.warn('commit log record body CRC mismatch; record kept and reported', { offset, topic: intact.meta.topic });
            check = intact;
          }
        }
        if (check.kind === 'record') {
          if (check.meta.physicalOffset !== offset) {
            return this.#scanStop(countDropped, offset, segIndex, records, crcMismatches, `record claims offset ${check.meta.physicalOffset}`);
          }
          onRecord(check.meta, offset, window.subarray(pos, pos + check.meta.totalSize));
          records++;
          offset += check.meta.totalSize;
          continue;
        }
        if (check.kind === 'blank') {
          if (offset + check.totalSize !== segmentEnd) return this.#scanStop(countDropped, offset, segIndex, records, crcMismatches, 'blank record does not end the file');
          offset = segmentEnd;
          nextSegment = true;
          break;
        }
        return this.#scanStop(countDropped, offset, segIndex, records, crcMismatches, check.kind === 'corrupt' ? check.reason : undefined);
      }
      if (!nextSegment) break;
      segIndex++;
    }
    return { end: offset, droppedBytes: 0, records, crcMismatches };
  }

  #scanStop(countDropped: boolean, offset: number, segIndex: number, records: number, crcMismatches: number, reason?: string): ScanResult {
    if (!countDropped) return { end: offset, droppedBytes: 0, records, crcMismatches, reason };
    // Count the non-zero bytes after the stop point in this segment and the later ones (what will be dropped).
    // The zero test is a native compare per window: a byte loop over the unwritten (sparse) rest of a 1 GiB
    // segment took seconds on every restart after a crash.
    let dropped = 0;
    const buf = Buffer.allocUnsafe(SCAN_WINDOW_BYTES);
    const zeros = Buffer.alloc(SCAN_WINDOW_BYTES);
    for (let i = segIndex; i < this.#segments.length; i++) {
      const segment = this.#segments[i]!;
      let pos = i === segIndex ? offset - segment.start : 0;
      let lastNonZero = -1;
      while (pos < this.segmentBytes) {
        const n = fs.readSync(segment.fd, buf, 0, Math.min(buf.length, this.segmentBytes - pos), pos);
        if (n <= 0) break;
        if (!buf.subarray(0, n).equals(zeros.subarray(0, n))) {
          for (let k = n - 1; k >= 0; k--) if (buf[k] !== 0) {
            lastNonZero = pos + k;
            break;
          }
        }
        pos += n;
      }
      if (lastNonZero >= 0) dropped += lastNonZero + 1 - (i === segIndex ? offset - segment.start : 0);
    }
    return { end: offset, droppedBytes: dropped, records, crcMismatches, reason };
  }

  /** Sets the end of valid data: zeroes what follows in its segment and deletes later segments. */
  setEnd(end: number): void {
    for (let i = this.#segments.length - 1; i >= 0; i--) {
      const segment = this.#segments[i]!;
      if (segment.start >= end && !(segment.start === end && i === 0)) {
        if (segment.start === end && i === this.#segments.length - 1 && i > 0) {
          // The next file was created by a roll; keep it empty rather than re-creating it.
          fs.ftruncateSync(segment.fd, 0);
          fs.ftruncateSync(segment.fd, this.segmentBytes);
          break;
        }
        fs.closeSync(segment.fd);
        fs.rmSync(segment.path, { force: true });
        this.#segments.pop();
        continue;
      }
      break;
    }
    const last = this.#segments[this.#segments.length - 1];
    if (last && end > last.start && end < last.start + this.segmentBytes) {
      const local = end - last.start;
      fs.ftruncateSync(last.fd, local);
      fs.ftruncateSync(last.fd, this.segmentBytes);
      fs.fdatasyncSync(last.fd);
    }
    this.#reserved = end;
    this.#written = end;
    this.#flushed = end;
    if (this.#segments.length === 0 && end > 0) {
      // Everything was deleted by retention: the next write starts a file at `end`'s segment.
      this.#reserved = end;
    }
  }

  /**
   * Reserves room for `length` bytes of records that must stay in one file. Returns the offset where they
   * go, after padding the current file with a blank record when they do not fit in it.
   */
  reserve(length: number): number {
    if (length + BLANK_RECORD_BYTES_MIN > this.segmentBytes) throw new RangeError(`${length} bytes do not fit in a ${this.segmentBytes}-byte commit log file`);
    const segmentStart = this.#reserved - (this.#reserved % this.segmentBytes);
    const room = segmentStart + this.segmentBytes - this.#reserved;
    if (this.#segments.length === 0 || this.#segments[this.#segments.length - 1]!.start !== segmentStart) this.#createSegment(segmentStart);
    if (length + BLANK_RECORD_BYTES_MIN > room) {
      const blank = Buffer.alloc(BLANK_RECORD_BYTES_MIN);
      blank.writeInt32BE(room, 0);
      blank.writeInt32BE(BLANK_MAGIC, 4);
      this.#pending.push({ offset: this.#reserved, buf: blank });
      this.#reserved = segmentStart + this.segmentBytes;
      this.#createSegment(this.#reserved);
    }
    const at = this.#reserved;
    this.#reserved += length;
    return at;
  }

  /** Queues encoded bytes at an offset returned by `reserve`. */
  put(offset: number, buf: Buffer): void {
    this.#pending.push({ offset, buf });
  }

  #createSegment(start: number): void {
    const file = path.join(this.dir, offsetFileName(start));
    const fd = fs.openSync(file, 'w+');
    fs.ftruncateSync(fd, this.segmentBytes);
    this.#segments.push({ start, path: file, fd });
  }

  /** Hands every queued byte to the OS (one vectored write per file). Returns the new written offset. */
  writeOut(): number {
    if (this.#pending.length === 0) return this.#written;
    let i = 0;
    const pending = this.#pending;
    this.#pending = [];
    while (i < pending.length) {
      const first = pending[i]!;
      const segment = this.#segmentOf(first.offset);
      if (!segment) throw new StoreCorruptError(`no commit log file for offset ${first.offset}`);
      const bufs = [first.buf];
      let end = first.offset + first.buf.length;
      i++;
      while (i < pending.length && pending[i]!.offset === end && end < segment.start + this.segmentBytes) {
        bufs.push(pending[i]!.buf);
        end += pending[i]!.buf.length;
        i++;
      }
      fs.writevSync(segment.fd, bufs, first.offset - segment.start);
      this.#dirtyFds.add(segment.fd);
    }
    // A blank record pads to the file end; written then means the next file's start.
    const lastPending = pending[pending.length - 1]!;
    const tail = lastPending.offset + lastPending.buf.length;
    this.#written = lastPending.buf.length === BLANK_RECORD_BYTES_MIN && lastPending.buf.readInt32BE(4) === BLANK_MAGIC
      ? lastPending.offset + lastPending.buf.readInt32BE(0)
      : tail;
    return this.#written;
  }

  /**
   * fdatasync of everything written so far. Concurrent callers share one sync (group commit): a caller
   * arriving while a sync runs waits for the next one, which covers its bytes.
   */
  async flush(): Promise<number> {
    while (this.#flushing) await this.#flushing;
    if (this.#flushed >= this.#written || this.#closed) return this.#flushed;
    const target = this.#written;
    const fds = [...this.#dirtyFds];
    this.#dirtyFds.clear();
    const started = performance.now();
    this.#flushing = Promise.all(fds.map((fd) => new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))))).then(
      () => {
        this.#flushed = Math.max(this.#flushed, target);
        this.onFlushed?.(performance.now() - started);
      },
    ).finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
    return this.#flushed;
  }

  flushSync(): void {
    for (const fd of this.#dirtyFds) fs.fdatasyncSync(fd);
    this.#dirtyFds.clear();
    this.#flushed = this.#written;
  }

  #segmentOf(offset: number): Segment | undefined {
    const segs = this.#segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid]!;
      if (offset < s.start) hi = mid - 1;
      else if (offset >= s.start + this.segmentBytes) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /** Reads `size` written bytes at `offset`; null when they are not (or no longer) in the log. */
  read(offset: number, size: number): Buffer | null {
    if (offset < this.minOffset || offset + size > this.#written || size <= 0) return null;
    const segment = this.#segmentOf(offset);
    if (!segment || offset + size > segment.start + this.segmentBytes) return null;
    const buf = Buffer.allocUnsafe(size);
    const n = fs.readSync(segment.fd, buf, 0, size, offset - segment.start);
    return n === size ? buf : null;
  }

  /** Reads the whole record at `offset` (size from its first 4 bytes). */
  readRecord(offset: number): Buffer | null {
    const head = this.read(offset, 4);
    if (!head) return null;
    const size = head.readInt32BE(0);
    if (size < 97 || size > this.segmentBytes) return null;
    return this.read(offset, size);
  }

  /**
   * Retention: deletes files (never the current one) older than `expiredBeforeMs` by modification time,
   * or the oldest ones while `force` says the disk is too full. At most `maxFiles` per call.
   */
  deleteExpired(expiredBeforeMs: number, force: boolean, maxFiles: number): number {
    let deleted = 0;
    while (deleted < maxFiles && this.#segments.length > 1) {
      const first = this.#segments[0]!;
      if (first.start + this.segmentBytes > this.#flushed) break;
      const mtime = fs.fstatSync(first.fd).mtimeMs;
      if (!force && mtime >= expiredBeforeMs) break;
      fs.closeSync(first.fd);
      fs.rmSync(first.path, { force: true });
      this.#segments.shift();
      deleted++;
      this.#logger.info('commit log file deleted by retention', { file: first.path, forced: force });
    }
    return deleted;
  }

  close(): void {
    this.#closed = true;
    for (const s of this.#segments) {
      try {
        fs.closeSync(s.fd);
      } catch {
        /* already closed */
      }
    }
    this.#segments = [];
  }
}
