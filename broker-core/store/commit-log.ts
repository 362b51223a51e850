/**
 * The commit log: every record of every topic, appended to preallocated segment files (a SegmentFileQueue, files
 * named by their 20-digit start offset, 1 GiB by default). A record never spans two files; the tail of a file too
 * small for the next record is a blank record (size + BLANK_MAGIC).
 *
 * Positions, all in commit-log bytes:
 *   minOffset ≤ flushed ≤ written ≤ reserved
 *   reserved: assigned to appended records (encoded, waiting in `#pending`)
 *   written:  handed to the OS (visible to readers and to dispatch; survives a process kill)
 *   flushed:  fdatasync'ed (survives a power loss)
 */
import type { Logger } from '../util/logger';
import { assert } from '../util/assert';
import { RECORD_BYTES_MIN, scanRecords, type ScanOptions, type ScanResult } from './record-scanner';
import { BLANK_MAGIC, BLANK_RECORD_BYTES_MIN } from './record';
import { SegmentFileQueue, type SegmentFile } from './segment-file-queue';

export type { ScanResult } from './record-scanner';

export class CommitLog {
  readonly dir: string;
  readonly segmentBytes: number;
  readonly files: SegmentFileQueue;
  #reserved = 0;
  #written = 0;
  #flushed = 0;
  #pending: { offset: number; buf: Buffer }[] = [];
  #flushing: Promise<void> | null = null;
  #closed = false;

  constructor(dir: string, segmentBytes: number, logger: Logger) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.files = new SegmentFileQueue({ dir, fileBytes: segmentBytes, preallocate: true, label: 'commit log', logger, misaligned: 'throw' });
  }

  /** Opens every segment; positions are set by `setEnd` once recovery knows where the data ends. */
  load(): void {
    this.files.load();
  }

  get minOffset(): number {
    return this.files.minOffset ?? this.#reserved;
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
    return this.files.count;
  }
  segmentStarts(): number[] {
    return this.files.files.map((s) => s.start);
  }

  /**
   * Scans records from `from` (a record boundary), calling `onRecord` for each whole record; stops at the first
   * unwritten or corrupt position (see record-scanner.ts).
   */
  scan(from: number, options: ScanOptions): ScanResult {
    return scanRecords(this.files, from, options);
  }

  /** Sets the end of valid data: zeroes what follows in its segment and deletes later segments. */
  setEnd(end: number): void {
    assert(this.#pending.length === 0, 'commit log end set with writes pending');
    this.files.truncate(end, { keepFileAtOffset: true });
    this.#reserved = end;
    this.#written = end;
    this.#flushed = end;
  }

  /**
   * Reserves room for `length` bytes of records that must stay in one file. Returns the offset where they
   * go, after padding the current file with a blank record when they do not fit in it.
   */
  reserve(length: number): number {
    if (length + BLANK_RECORD_BYTES_MIN > this.segmentBytes) throw new RangeError(`${length} bytes do not fit in a ${this.segmentBytes}-byte commit log file`);
    assert(length >= RECORD_BYTES_MIN, `record of ${length} bytes is shorter than the smallest record`);
    const segmentStart = this.files.fileStartOf(this.#reserved);
    const room = segmentStart + this.segmentBytes - this.#reserved;
    this.files.fileForAppend(this.#reserved);
    if (length + BLANK_RECORD_BYTES_MIN > room) {
      const blank = Buffer.alloc(BLANK_RECORD_BYTES_MIN);
      blank.writeInt32BE(room, 0);
      blank.writeInt32BE(BLANK_MAGIC, 4);
      this.#pending.push({ offset: this.#reserved, buf: blank });
      this.#reserved = segmentStart + this.segmentBytes;
      this.files.fileForAppend(this.#reserved);
    }
    const at = this.#reserved;
    this.#reserved += length;
    return at;
  }

  /** Queues encoded bytes at an offset returned by `reserve`. */
  put(offset: number, buf: Buffer): void {
    this.#pending.push({ offset, buf });
  }

  /** Hands every queued byte to the OS (one vectored write per file). Returns the new written offset. */
  writeOut(): number {
    if (this.#pending.length === 0) return this.#written;
    let i = 0;
    const pending = this.#pending;
    this.#pending = [];
    assert(pending[0]!.offset === this.#written, `commit log write at ${pending[0]!.offset} leaves a gap after ${this.#written}`);
    while (i < pending.length) {
      const first = pending[i]!;
      const fileEnd = this.files.fileStartOf(first.offset) + this.segmentBytes;
      const bufs = [first.buf];
      let end = first.offset + first.buf.length;
      i++;
      while (i < pending.length && pending[i]!.offset === end && end < fileEnd) {
        bufs.push(pending[i]!.buf);
        end += pending[i]!.buf.length;
        i++;
      }
      this.files.write(first.offset, bufs);
    }
    // A blank record pads to the file end; written then means the next file's start.
    const lastPending = pending[pending.length - 1]!;
    const isBlank = lastPending.buf.length === BLANK_RECORD_BYTES_MIN && lastPending.buf.readInt32BE(4) === BLANK_MAGIC;
    this.#written = isBlank ? lastPending.offset + lastPending.buf.readInt32BE(0) : lastPending.offset + lastPending.buf.length;
    assert(this.#written <= this.#reserved, 'commit log wrote past what was reserved');
    return this.#written;
  }

  /**
   * fdatasync of everything written so far, off the event loop. Concurrent callers share one sync (group
   * commit): a caller arriving while a sync runs waits for the next one, which covers its bytes.
   */
  async flush(): Promise<number> {
    while (this.#flushing) await this.#flushing;
    if (this.#flushed >= this.#written || this.#closed) return this.#flushed;
    const target = this.#written;
    this.#flushing = this.files.flush().then(() => {
      this.#flushed = Math.max(this.#flushed, target);
    }).finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
    return this.#flushed;
  }

  /** Reads `size` written bytes at `offset`; null when they are not (or no longer) in the log. */
  read(offset: number, size: number): Buffer | null {
    if (offset < this.minOffset || offset + size > this.#written || size <= 0) return null;
    const file = this.files.findByOffset(offset);
    if (!file || offset + size > file.start + this.segmentBytes) return null;
    const buf = Buffer.allocUnsafe(size);
    return this.files.read(offset, buf) === size ? buf : null;
  }

  /** Reads the whole record at `offset` (size from its first 4 bytes). */
  readRecord(offset: number): Buffer | null {
    const head = this.read(offset, 4);
    if (!head) return null;
    const size = head.readInt32BE(0);
    if (size < RECORD_BYTES_MIN || size > this.segmentBytes) return null;
    return this.read(offset, size);
  }

  /**
   * Retention: deletes files (never the current one, never one not yet flushed) whose modification time is
   * before `expiredBeforeMs`, or the oldest ones while `force` says the disk is too full. At most `maxFiles`.
   */
  deleteExpired(expiredBeforeMs: number, force: boolean, maxFiles: number, mtimeOf: (file: SegmentFile) => number): number {
    return this.files.deleteOldest((file) => file.start + this.segmentBytes <= this.#flushed && (force || mtimeOf(file) < expiredBeforeMs), maxFiles);
  }

  close(): void {
    this.#closed = true;
    this.files.close();
  }
}
