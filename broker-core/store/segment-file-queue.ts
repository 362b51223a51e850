/**
 * An ordered list of fixed-size segment files in one folder (RocketMQ's MappedFileQueue), shared by the commit
 * log, every consume queue and the index. Each file holds `fileBytes` bytes of the queue's offset space and is
 * named by its first offset as 20 zero-padded digits (`00000000000001073741824`), so a directory listing is
 * already in order and finding the file for an offset is arithmetic.
 *
 *   segment k: [start_k, start_k + fileBytes), start_k = start_0 + k * fileBytes, start_0 % fileBytes === 0
 *
 * Two kinds of files:
 *  - preallocated (commit log): created at full size (sparse); the owner knows where the data ends;
 *  - growing (consume queues, index): the file is as long as what was written to it, so its size marks the end
 *    of its data without reading it (cheap with many queues).
 *
 * Writes are synchronous hand-offs to the OS (page cache); `flush()` runs fdatasync on libuv's thread pool, never
 * on the event loop, and a file retired (deleted) while a flush runs is closed only once the flush is done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StoreCorruptError } from '../util/errors';
import { assert } from '../util/assert';
import type { Logger } from '../util/logger';

/** 20-digit zero-padded file name for a start offset, as RocketMQ's UtilAll.offset2FileName. */
export function offsetFileName(offset: number): string {
  assert(Number.isSafeInteger(offset) && offset >= 0, `bad file start offset ${offset}`);
  return String(offset).padStart(20, '0');
}

const FILE_NAME = /^\d{20}$/;

export interface SegmentFile {
  /** First offset this file holds. */
  readonly start: number;
  readonly path: string;
  readonly fd: number;
  /** Bytes held: fileBytes for a preallocated file, the file's length for a growing one. */
  size: number;
}

export interface SegmentFileQueueOptions {
  dir: string;
  fileBytes: number;
  preallocate: boolean;
  /** What the files are, for log lines and errors ("commit log", "consume queue T@0"). */
  label: string;
  logger: Logger;
  /** A file not on a fileBytes boundary: 'throw' (store written with another size) or 'skip' it with a warning. */
  misaligned: 'throw' | 'skip';
}

export class SegmentFileQueue {
  readonly dir: string;
  readonly fileBytes: number;
  readonly preallocate: boolean;
  readonly label: string;
  readonly #logger: Logger;
  readonly #misaligned: 'throw' | 'skip';
  #files: SegmentFile[] = [];
  #dirty = new Set<SegmentFile>();
  #flushesRunning = 0;
  /** Files deleted while a flush ran: closed when it ends (an fd must not be closed under a running fdatasync). */
  #closeAfterFlush: number[] = [];

  constructor(options: SegmentFileQueueOptions) {
    assert(Number.isSafeInteger(options.fileBytes) && options.fileBytes > 0, `bad fileBytes ${options.fileBytes}`);
    this.dir = options.dir;
    this.fileBytes = options.fileBytes;
    this.preallocate = options.preallocate;
    this.label = options.label;
    this.#logger = options.logger;
    this.#misaligned = options.misaligned;
  }

  /**
   * Opens every file of the folder, in order. Stops at the first gap between files (the files after it are left
   * alone and reported). A preallocated file found shorter than fileBytes is extended; a growing file longer than
   * fileBytes is cut to it.
   */
  load(): void {
    assert(this.#files.length === 0, 'segment queue loaded twice');
    fs.mkdirSync(this.dir, { recursive: true });
    const names = fs.readdirSync(this.dir).filter((name) => FILE_NAME.test(name)).sort();
    for (const name of names) {
      const start = Number(name);
      const file = path.join(this.dir, name);
      if (start % this.fileBytes !== 0) {
        if (this.#misaligned === 'throw') {
          throw new StoreCorruptError(`${this.label} file ${file} does not start on a ${this.fileBytes}-byte boundary; was the store written with another file size?`);
        }
        this.#logger.warn(`${this.label} file not on a file boundary; ignored`, { file });
        continue;
      }
      const previous = this.last;
      if (previous && previous.start + this.fileBytes !== start) {
        this.#logger.warn(`${this.label} files are not contiguous; files after the gap are ignored`, { gapAfter: previous.path, next: file });
        break;
      }
      const fd = fs.openSync(file, 'r+');
      let size = fs.fstatSync(fd).size;
      if (this.preallocate && size !== this.fileBytes) {
        fs.ftruncateSync(fd, this.fileBytes);
        size = this.fileBytes;
      } else if (!this.preallocate && size > this.fileBytes) {
        this.#logger.warn(`${this.label} file longer than a file may be; cut`, { file, from: size, to: this.fileBytes });
        fs.ftruncateSync(fd, this.fileBytes);
        size = this.fileBytes;
      }
      this.#files.push({ start, path: file, fd, size });
    }
  }

  get files(): readonly SegmentFile[] {
    return this.#files;
  }
  get count(): number {
    return this.#files.length;
  }
  get first(): SegmentFile | undefined {
    return this.#files[0];
  }
  get last(): SegmentFile | undefined {
    return this.#files[this.#files.length - 1];
  }
  /** First offset held, or undefined with no file. */
  get minOffset(): number | undefined {
    return this.#files[0]?.start;
  }
  /** End of the data held: the last file's start + size (its full size when preallocated). */
  get endOffset(): number {
    const last = this.last;
    return last ? last.start + last.size : 0;
  }

  /** Start of the file that holds `offset`. */
  fileStartOf(offset: number): number {
    return offset - (offset % this.fileBytes);
  }

  /** The file whose range [start, start + fileBytes) holds `offset`, if it exists. */
  findByOffset(offset: number): SegmentFile | undefined {
    const first = this.#files[0];
    if (!first || offset < first.start) return undefined;
    const index = Math.floor((offset - first.start) / this.fileBytes);
    const file = this.#files[index];
    if (file) assert(file.start <= offset && offset < file.start + this.fileBytes, `${this.label}: file list out of order at ${offset}`);
    return file;
  }

  /**
   * Creates the file starting at `start`: the first one (anywhere on a boundary) or the one right after the last
   * (a roll). A preallocated file is created at full size.
   */
  create(start: number): SegmentFile {
    assert(start % this.fileBytes === 0, `${this.label}: file start ${start} is not on a ${this.fileBytes}-byte boundary`);
    const last = this.last;
    assert(!last || start === last.start + this.fileBytes, `${this.label}: new file at ${start} does not follow ${last?.start}`);
    const file = path.join(this.dir, offsetFileName(start));
    const fd = fs.openSync(file, 'w+');
    if (this.preallocate) fs.ftruncateSync(fd, this.fileBytes);
    const segment: SegmentFile = { start, path: file, fd, size: this.preallocate ? this.fileBytes : 0 };
    this.#files.push(segment);
    return segment;
  }

  /** The file for an append at `offset`: the last one when it holds `offset`, else a new one (roll). */
  fileForAppend(offset: number): SegmentFile {
    const last = this.last;
    if (last && offset >= last.start && offset < last.start + this.fileBytes) return last;
    return this.create(this.fileStartOf(offset));
  }

  /** Writes `buffers` at `offset`; they must fit in one file. Marks the file for the next flush. */
  write(offset: number, buffers: Buffer[]): void {
    const file = this.findByOffset(offset);
    assert(file, `${this.label}: no file holds offset ${offset}`);
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.length;
    const local = offset - file.start;
    assert(local + bytes <= this.fileBytes, `${this.label}: write of ${bytes} bytes at ${offset} crosses the end of its file`);
    const written = buffers.length === 1 ? fs.writeSync(file.fd, buffers[0]!, 0, bytes, local) : fs.writevSync(file.fd, buffers, local);
    assert(written === bytes, `${this.label}: short write (${written} of ${bytes} bytes) at ${offset}`);
    if (!this.preallocate) file.size = Math.max(file.size, local + bytes);
    this.#dirty.add(file);
  }

  /** Reads up to `length` bytes at `offset` into `target` (within one file); returns the bytes read. */
  read(offset: number, target: Buffer, length = target.length, targetOffset = 0): number {
    const file = this.findByOffset(offset);
    if (!file) return 0;
    const local = offset - file.start;
    const readable = Math.min(length, file.size - local);
    if (readable <= 0) return 0;
    return fs.readSync(file.fd, target, targetOffset, readable, local);
  }

  /**
   * Cuts the data at `offset`: files that start at or after it are deleted (`keepFileAtOffset` keeps the one
   * starting exactly there, emptied, as a roll created it), the file holding it keeps only what precedes it (zeroed
   * after it when preallocated, shortened when growing). Returns the number of files deleted.
   */
  truncate(offset: number, options: { keepFileAtOffset?: boolean } = {}): number {
    let deleted = 0;
    while (this.#files.length > 0) {
      const last = this.last!;
      if (last.start < offset) break;
      if (last.start === offset && options.keepFileAtOffset) {
        this.#cutFile(last, 0);
        break;
      }
      this.#files.pop();
      this.#retire(last);
      deleted++;
    }
    const last = this.last;
    if (last && offset > last.start && offset < last.start + this.fileBytes) this.#cutFile(last, offset - last.start);
    return deleted;
  }

  #cutFile(file: SegmentFile, local: number): void {
    fs.ftruncateSync(file.fd, local);
    if (this.preallocate) fs.ftruncateSync(file.fd, this.fileBytes);
    else file.size = local;
    this.#dirty.add(file);
  }

  /**
   * Retention: deletes files from the oldest while `expired(file)` says so, never the last file, at most
   * `maxFiles`. Returns how many went.
   */
  deleteOldest(expired: (file: SegmentFile) => boolean, maxFiles: number): number {
    let deleted = 0;
    while (deleted < maxFiles && this.#files.length > 1 && expired(this.#files[0]!)) {
      const first = this.#files.shift()!;
      this.#retire(first);
      deleted++;
    }
    return deleted;
  }

  #retire(file: SegmentFile): void {
    this.#dirty.delete(file);
    fs.rmSync(file.path, { force: true });
    if (this.#flushesRunning > 0) this.#closeAfterFlush.push(file.fd);
    else closeQuietly(file.fd);
  }

  /** Files written since the last flush. */
  get dirtyCount(): number {
    return this.#dirty.size;
  }

  /**
   * fdatasync of every file written since the last flush, on libuv's thread pool. A file written while the
   * flush runs stays marked for the next one. Rejects with the first I/O error (the files stay marked).
   */
  async flush(): Promise<void> {
    if (this.#dirty.size === 0) return;
    const files = [...this.#dirty];
    this.#dirty.clear();
    this.#flushesRunning++;
    try {
      const results = await Promise.allSettled(files.map((file) => fdatasync(file.fd)));
      const failed = results.findIndex((r) => r.status === 'rejected');
      if (failed >= 0) {
        results.forEach((r, i) => {
          if (r.status === 'rejected') this.#dirty.add(files[i]!);
        });
        throw (results[failed] as PromiseRejectedResult).reason;
      }
    } finally {
      this.#flushesRunning--;
      if (this.#flushesRunning === 0) for (const fd of this.#closeAfterFlush.splice(0)) closeQuietly(fd);
    }
  }

  /** Closes every file (buffered writes of the owner must be written first). */
  close(): void {
    for (const file of this.#files) {
      if (this.#flushesRunning > 0) this.#closeAfterFlush.push(file.fd);
      else closeQuietly(file.fd);
    }
    this.#files = [];
    this.#dirty.clear();
  }

  /** Closes and deletes the folder with every file. */
  destroy(): void {
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed (EBADF): nothing left to release
  }
}
