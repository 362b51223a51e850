/**
 * One consume queue: the index of a (topic, queueId) into the commit log, over a SegmentFileQueue of growing
 * files (RocketMQ's ConsumeQueue). Fixed-width entries, entry index = queue offset, byte position =
 * queueOffset × 20:
 *
 *   0 commitLogOffset i64 · 8 size i32 · 12 tagsCode i64      (CQ_STORE_UNIT_SIZE = 20)
 *
 * Files are append-only here. An all-zero entry is a hole: a queue offset with no record behind it (a gap filled
 * when a queue is rebuilt from a commit log whose head was already deleted, or around a damaged record).
 *
 * Writes are buffered per dispatch round and handed to the OS in one write per file (`writeOut`), so a reader
 * never sees an entry whose commit-log bytes are not yet written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assert } from '../util/assert';
import type { Logger } from '../util/logger';
import { readInt64, writeInt64 } from './record';
import { SegmentFileQueue } from './segment-file-queue';

export const CQ_ENTRY_BYTES = 20;

export interface CqEntry {
  commitLogOffset: number;
  size: number;
  tagsCode: number;
}

/** An all-zero entry: a queue offset with nothing behind it. */
export function isHole(entry: CqEntry): boolean {
  return entry.commitLogOffset === 0 && entry.size === 0 && entry.tagsCode === 0;
}

export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  readonly dir: string;
  readonly files: SegmentFileQueue;
  readonly #logger: Logger;
  /** First retained queue offset. */
  #minIndex = 0;
  /** Entries buffered by the dispatcher, not yet written. */
  #pending: Buffer[] = [];
  /** End (offset + size) in the commit log of the last entry, written or pending; dispatch skips records below it. */
  #lastPhyEnd = 0;

  constructor(rootDir: string, topic: string, queueId: number, entriesPerFile: number, logger: Logger) {
    this.topic = topic;
    this.queueId = queueId;
    this.dir = path.join(rootDir, topic, String(queueId));
    this.#logger = logger;
    this.files = new SegmentFileQueue({
      dir: this.dir, fileBytes: entriesPerFile * CQ_ENTRY_BYTES, preallocate: false, label: `consume queue ${topic}@${queueId}`, logger, misaligned: 'skip',
    });
  }

  /** Opens the files; trims a torn tail (partial entry), orphans after a short file, and trailing empty entries. */
  load(): void {
    this.files.load();
    for (const file of this.files.files) {
      if (file.size % CQ_ENTRY_BYTES !== 0) {
        const fixed = file.size - (file.size % CQ_ENTRY_BYTES);
        this.#logger.warn('consume queue file has a torn tail; truncated', { file: file.path, from: file.size, to: fixed });
        this.files.truncate(file.start + fixed);
        break;
      }
    }
    // Only the last file may be partial; a partial file in the middle means the files after it are orphans.
    for (const file of this.files.files) {
      if (file !== this.files.last && file.size !== this.files.fileBytes) {
        this.#logger.warn('consume queue files are not contiguous; dropping the files after the gap', { dir: this.dir, at: file.path });
        this.files.truncate(file.start + file.size);
        break;
      }
    }
    // Trailing zero entries are unwritten space, never data.
    this.#minIndex = (this.files.minOffset ?? 0) / CQ_ENTRY_BYTES;
    while (this.maxOffset > this.#minIndex) {
      const last = this.#readEntryRaw(this.maxOffset - 1);
      if (last && !isHole(last)) break;
      this.files.truncate((this.maxOffset - 1) * CQ_ENTRY_BYTES);
    }
    this.#skipHolesAtHead();
    const last = this.maxOffset > this.#minIndex ? this.#readEntryRaw(this.maxOffset - 1) : null;
    this.#lastPhyEnd = last ? last.commitLogOffset + last.size : 0;
  }

  /** Next queue offset after the last written entry. */
  get maxOffset(): number {
    return this.files.count > 0 ? this.files.endOffset / CQ_ENTRY_BYTES : this.#minIndex;
  }

  get minOffset(): number {
    return this.#minIndex;
  }

  get lastPhyEnd(): number {
    return this.#lastPhyEnd;
  }

  /** Next queue offset to assign, including buffered entries. */
  get nextOffset(): number {
    return this.maxOffset + this.#pending.length;
  }

  /**
   * Buffers an entry for `queueOffset`. Returns false when the record is already indexed (replay is idempotent,
   * as ConsumeQueue#putMessagePositionInfo). A gap (queue offset above the next one) is filled with holes so that
   * entry index stays equal to queue offset.
   */
  append(commitLogOffset: number, size: number, tagsCode: number, queueOffset: number): boolean {
    assert(size > 0, `consume queue entry of size ${size}`);
    if (commitLogOffset < this.#lastPhyEnd) return false;
    let next = this.nextOffset;
    if (queueOffset < next) {
      this.#logger.warn('consume queue already holds this queue offset for a later record; entry skipped', { topic: this.topic, queueId: this.queueId, queueOffset, next });
      return false;
    }
    if (queueOffset > next) {
      if (this.files.count === 0 && this.#pending.length === 0) {
        this.#minIndex = queueOffset;
        next = queueOffset;
      } else {
        this.#logger.warn('consume queue gap filled with holes', { topic: this.topic, queueId: this.queueId, from: next, to: queueOffset });
        for (; next < queueOffset; next++) this.#pending.push(Buffer.alloc(CQ_ENTRY_BYTES));
      }
    }
    const entry = Buffer.allocUnsafe(CQ_ENTRY_BYTES);
    writeInt64(entry, commitLogOffset, 0);
    entry.writeInt32BE(size, 8);
    writeInt64(entry, tagsCode, 12);
    this.#pending.push(entry);
    this.#lastPhyEnd = commitLogOffset + size;
    return true;
  }

  /** Writes buffered entries (one write per file touched; a new file starts where the first entry falls). */
  writeOut(): void {
    if (this.#pending.length === 0) return;
    let index = this.maxOffset;
    let i = 0;
    while (i < this.#pending.length) {
      const byteOffset = index * CQ_ENTRY_BYTES;
      const file = this.files.fileForAppend(byteOffset);
      // A rebuilt queue's first file may start with holes below its first entry: the file is extended to it.
      if (file.size < byteOffset - file.start) fs.ftruncateSync(file.fd, (file.size = byteOffset - file.start));
      const room = (this.files.fileBytes - (byteOffset - file.start)) / CQ_ENTRY_BYTES;
      const take = Math.min(room, this.#pending.length - i);
      this.files.write(byteOffset, this.#pending.slice(i, i + take));
      index += take;
      i += take;
    }
    this.#pending = [];
  }

  /** fdatasync of the files written since the last flush (off the event loop). */
  flush(): Promise<void> {
    return this.files.flush();
  }

  /** Reads up to `count` written entries starting at `queueOffset` (holes come back as all-zero entries). */
  readEntries(queueOffset: number, count: number): CqEntry[] {
    const out: CqEntry[] = [];
    let index = Math.max(queueOffset, this.#minIndex);
    const end = Math.min(this.maxOffset, queueOffset + count);
    while (index < end) {
      const byteOffset = index * CQ_ENTRY_BYTES;
      const file = this.files.findByOffset(byteOffset);
      if (!file) break;
      const take = Math.min(end, (file.start + file.size) / CQ_ENTRY_BYTES) - index;
      if (take <= 0) break;
      const buf = Buffer.allocUnsafe(take * CQ_ENTRY_BYTES);
      const entries = Math.floor(this.files.read(byteOffset, buf) / CQ_ENTRY_BYTES);
      for (let k = 0; k < entries; k++) out.push(decodeEntry(buf, k * CQ_ENTRY_BYTES));
      if (entries < take) break;
      index += take;
    }
    return out;
  }

  readEntry(queueOffset: number): CqEntry | null {
    if (queueOffset < this.#minIndex || queueOffset >= this.maxOffset) return null;
    return this.#readEntryRaw(queueOffset);
  }

  #readEntryRaw(index: number): CqEntry | null {
    const buf = Buffer.alloc(CQ_ENTRY_BYTES);
    if (this.files.read(index * CQ_ENTRY_BYTES, buf) < CQ_ENTRY_BYTES) return null;
    return decodeEntry(buf, 0);
  }

  /** Drops entries pointing at or beyond `commitLogMaxOffset` (after the commit log lost a torn tail). */
  truncateDirty(commitLogMaxOffset: number): number {
    let dropped = 0;
    while (this.maxOffset > this.#minIndex) {
      const last = this.#readEntryRaw(this.maxOffset - 1);
      if (last && !isHole(last) && last.size > 0 && last.commitLogOffset + last.size <= commitLogMaxOffset) break;
      this.files.truncate((this.maxOffset - 1) * CQ_ENTRY_BYTES);
      dropped++;
    }
    const last = this.maxOffset > this.#minIndex ? this.#readEntryRaw(this.maxOffset - 1) : null;
    this.#lastPhyEnd = last ? last.commitLogOffset + last.size : 0;
    return dropped;
  }

  /**
   * Retention: removes files whose entries all point below `commitLogMinOffset` (never the last file) and
   * moves the min offset to the first entry still in the commit log.
   */
  correctMinOffset(commitLogMinOffset: number): void {
    this.files.deleteOldest((file) => {
      const lastOfFile = this.#readEntryRaw((file.start + file.size) / CQ_ENTRY_BYTES - 1);
      return lastOfFile !== null && lastOfFile.commitLogOffset + lastOfFile.size <= commitLogMinOffset;
    }, Number.MAX_SAFE_INTEGER);
    this.#minIndex = Math.max(this.#minIndex, (this.files.minOffset ?? this.#minIndex * CQ_ENTRY_BYTES) / CQ_ENTRY_BYTES);
    while (this.#minIndex < this.maxOffset) {
      const entry = this.#readEntryRaw(this.#minIndex);
      if (entry && !isHole(entry) && entry.commitLogOffset >= commitLogMinOffset) break;
      this.#minIndex++;
    }
  }

  #skipHolesAtHead(): void {
    while (this.#minIndex < this.maxOffset) {
      const entry = this.#readEntryRaw(this.#minIndex);
      if (entry && !isHole(entry)) break;
      this.#minIndex++;
    }
  }

  close(): void {
    this.writeOut();
    this.files.close();
  }

  destroy(): void {
    this.#pending = [];
    this.files.destroy();
  }
}

function decodeEntry(buf: Buffer, at: number): CqEntry {
  return { commitLogOffset: readInt64(buf, at), size: buf.readInt32BE(at + 8), tagsCode: readInt64(buf, at + 12) };
}
