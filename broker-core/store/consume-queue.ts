/**
 * One consume queue: the index of a (topic, queueId) into the commit log. 20-byte entries
 * (commit-log offset i64, size i32, tags code i64) in segment files named by their 20-digit byte offset,
 * entry index = queue offset. Files are append-only here; an entry with size 0 is a hole (a gap filled when a
 * queue is rebuilt from a commit log whose head was already deleted).
 *
 * Writes are buffered per dispatch round and handed to the OS in one write per file (`writeOut`), so a
 * reader never sees an entry whose commit-log bytes are not yet written.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../util/logger';
import { offsetFileName, readInt64, writeInt64 } from './record';

export const CQ_ENTRY_BYTES = 20;

interface CqSegment {
  /** First queue offset held by this file. */
  startIndex: number;
  path: string;
  fd: number;
  /** Entries written to the file. */
  entries: number;
}

export interface CqEntry {
  commitLogOffset: number;
  size: number;
  tagsCode: number;
}

export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  readonly dir: string;
  readonly #entriesPerFile: number;
  readonly #logger: Logger;
  #segments: CqSegment[] = [];
  /** First retained queue offset. */
  #minIndex = 0;
  /** Entries buffered by the dispatcher, not yet written. */
  #pending: Buffer[] = [];
  #pendingCount = 0;
  /** End (offset + size) in the commit log of the last entry, written or pending; dispatch skips records below it. */
  #lastPhyEnd = 0;
  #dirty = false;

  constructor(rootDir: string, topic: string, queueId: number, entriesPerFile: number, logger: Logger) {
    this.topic = topic;
    this.queueId = queueId;
    this.dir = path.join(rootDir, topic, String(queueId));
    this.#entriesPerFile = entriesPerFile;
    this.#logger = logger;
  }

  /** Opens the files; trims a torn tail (partial entry) and trailing empty entries. */
  load(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const names = fs.readdirSync(this.dir).filter((n) => /^\d{20}$/.test(n)).sort();
    const fileBytes = this.#entriesPerFile * CQ_ENTRY_BYTES;
    for (const name of names) {
      const byteOffset = Number(name);
      if (byteOffset % fileBytes !== 0) {
        this.#logger.warn('consume queue file not on a file boundary; ignored', { file: path.join(this.dir, name) });
        continue;
      }
      const file = path.join(this.dir, name);
      const fd = fs.openSync(file, 'r+');
      let size = fs.fstatSync(fd).size;
      if (size % CQ_ENTRY_BYTES !== 0 || size > fileBytes) {
        const fixed = Math.min(size - (size % CQ_ENTRY_BYTES), fileBytes);
        this.#logger.warn('consume queue file has a torn tail; truncated', { file, from: size, to: fixed });
        fs.ftruncateSync(fd, fixed);
        size = fixed;
      }
      this.#segments.push({ startIndex: byteOffset / CQ_ENTRY_BYTES, path: file, fd, entries: size / CQ_ENTRY_BYTES });
    }
    // Only the last file may be partial; a partial file in the middle means files after it are orphans.
    for (let i = 0; i < this.#segments.length - 1; i++) {
      const s = this.#segments[i]!;
      const next = this.#segments[i + 1]!;
      if (s.startIndex + s.entries !== next.startIndex) {
        this.#logger.warn('consume queue files are not contiguous; dropping the files after the gap', { dir: this.dir, at: s.path });
        for (const orphan of this.#segments.splice(i + 1)) this.#removeSegment(orphan);
        break;
      }
    }
    // Trailing zero entries (size 0) are unwritten space, never data.
    while (this.maxOffset > this.#minIndex) {
      const last = this.#readEntryRaw(this.maxOffset - 1);
      if (last && last.size > 0) break;
      this.#truncateTo(this.maxOffset - 1);
      if (!last) break;
    }
    this.#minIndex = this.#segments[0]?.startIndex ?? 0;
    this.#skipHolesAtHead();
    const last = this.maxOffset > this.#minIndex ? this.#readEntryRaw(this.maxOffset - 1) : null;
    this.#lastPhyEnd = last ? last.commitLogOffset + last.size : 0;
  }

  get maxOffset(): number {
    const last = this.#segments[this.#segments.length - 1];
    return last ? last.startIndex + last.entries : this.#minIndex;
  }

  get minOffset(): number {
    return this.#minIndex;
  }

  get lastPhyEnd(): number {
    return this.#lastPhyEnd;
  }

  /** Next queue offset to assign, including buffered entries. */
  get nextOffset(): number {
    return this.maxOffset + this.#pendingCount;
  }

  /**
   * Buffers an entry for `queueOffset`. Returns false when the record is already indexed (replay). A gap
   * (queue offset above the next one) is filled with holes so that entry index stays equal to queue offset.
   */
  append(commitLogOffset: number, size: number, tagsCode: number, queueOffset: number): boolean {
    if (commitLogOffset < this.#lastPhyEnd) return false;
    let next = this.nextOffset;
    if (queueOffset < next) {
      this.#logger.warn('consume queue already holds this queue offset for a later record; entry skipped', { topic: this.topic, queueId: this.queueId, queueOffset, next });
      return false;
    }
    if (queueOffset > next) {
      if (this.#segments.length === 0 && this.#pendingCount === 0) {
        this.#minIndex = queueOffset;
        next = queueOffset;
      } else {
        this.#logger.warn('consume queue gap filled with holes', { topic: this.topic, queueId: this.queueId, from: next, to: queueOffset });
        while (next < queueOffset) {
          this.#pending.push(Buffer.alloc(CQ_ENTRY_BYTES));
          this.#pendingCount++;
          next++;
        }
      }
    }
    const entry = Buffer.allocUnsafe(CQ_ENTRY_BYTES);
    writeInt64(entry, commitLogOffset, 0);
    entry.writeInt32BE(size, 8);
    writeInt64(entry, tagsCode, 12);
    this.#pending.push(entry);
    this.#pendingCount++;
    this.#lastPhyEnd = commitLogOffset + size;
    return true;
  }

  /** Writes buffered entries (one write per file touched). */
  writeOut(): void {
    if (this.#pendingCount === 0) return;
    let index = this.maxOffset;
    let i = 0;
    while (i < this.#pending.length) {
      const segment = this.#segmentForWrite(index);
      const room = this.#entriesPerFile - (index - segment.startIndex);
      const take = Math.min(room, this.#pending.length - i);
      const chunk = this.#pending.slice(i, i + take);
      fs.writevSync(segment.fd, chunk, (index - segment.startIndex) * CQ_ENTRY_BYTES);
      segment.entries += take;
      index += take;
      i += take;
    }
    this.#pending = [];
    this.#pendingCount = 0;
    this.#dirty = true;
  }

  #segmentForWrite(index: number): CqSegment {
    const last = this.#segments[this.#segments.length - 1];
    if (last && index < last.startIndex + this.#entriesPerFile) return last;
    const startIndex = index - (index % this.#entriesPerFile);
    const file = path.join(this.dir, offsetFileName(startIndex * CQ_ENTRY_BYTES));
    const fd = fs.openSync(file, 'w+');
    const segment: CqSegment = { startIndex, path: file, fd, entries: index - startIndex };
    if (segment.entries > 0) fs.ftruncateSync(fd, segment.entries * CQ_ENTRY_BYTES); // leading holes of a rebuilt queue
    this.#segments.push(segment);
    return segment;
  }

  /** fdatasync of the files written since the last flush. */
  async flush(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const fds = this.#segments.filter((s) => !syncedFull.has(s)).map((s) => {
      if (s.entries === this.#entriesPerFile) syncedFull.add(s);
      return s.fd;
    });
    await Promise.all(fds.map((fd) => new Promise<void>((resolve) => fs.fdatasync(fd, () => resolve()))));
  }

  /** Reads up to `count` written entries starting at `queueOffset` (holes come back with size 0). */
  readEntries(queueOffset: number, count: number): CqEntry[] {
    const out: CqEntry[] = [];
    let index = Math.max(queueOffset, this.#minIndex);
    const end = Math.min(this.maxOffset, queueOffset + count);
    while (index < end) {
      const segment = this.#segmentFor(index);
      if (!segment) break;
      const take = Math.min(end, segment.startIndex + segment.entries) - index;
      const buf = Buffer.allocUnsafe(take * CQ_ENTRY_BYTES);
      const read = fs.readSync(segment.fd, buf, 0, buf.length, (index - segment.startIndex) * CQ_ENTRY_BYTES);
      const entries = Math.floor(read / CQ_ENTRY_BYTES);
      for (let k = 0; k < entries; k++) {
        out.push({
          commitLogOffset: readInt64(buf, k * CQ_ENTRY_BYTES),
          size: buf.readInt32BE(k * CQ_ENTRY_BYTES + 8),
          tagsCode: readInt64(buf, k * CQ_ENTRY_BYTES + 12),
        });
      }
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
    const segment = this.#segmentFor(index);
    if (!segment) return null;
    const buf = Buffer.alloc(CQ_ENTRY_BYTES);
    const read = fs.readSync(segment.fd, buf, 0, CQ_ENTRY_BYTES, (index - segment.startIndex) * CQ_ENTRY_BYTES);
    if (read < CQ_ENTRY_BYTES) return null;
    return { commitLogOffset: readInt64(buf, 0), size: buf.readInt32BE(8), tagsCode: readInt64(buf, 12) };
  }

  #segmentFor(index: number): CqSegment | undefined {
    let lo = 0;
    let hi = this.#segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.#segments[mid]!;
      if (index < s.startIndex) hi = mid - 1;
      else if (index >= s.startIndex + s.entries) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  /** Drops entries pointing at or beyond `commitLogMaxOffset` (after the commit log lost a torn tail). */
  truncateDirty(commitLogMaxOffset: number): number {
    let dropped = 0;
    while (this.maxOffset > this.#minIndex) {
      const last = this.#readEntryRaw(this.maxOffset - 1);
      if (last && last.size > 0 && last.commitLogOffset + last.size <= commitLogMaxOffset) break;
      this.#truncateTo(this.maxOffset - 1);
      dropped++;
    }
    const last = this.maxOffset > this.#minIndex ? this.#readEntryRaw(this.maxOffset - 1) : null;
    this.#lastPhyEnd = last ? last.commitLogOffset + last.size : 0;
    return dropped;
  }

  #truncateTo(index: number): void {
    let last = this.#segments[this.#segments.length - 1];
    while (last && index <= last.startIndex && last.startIndex > 0 && this.#segments.length > 1) {
      this.#segments.pop();
      this.#removeSegment(last);
      last = this.#segments[this.#segments.length - 1];
    }
    if (!last) return;
    const keep = Math.max(0, index - last.startIndex);
    fs.ftruncateSync(last.fd, keep * CQ_ENTRY_BYTES);
    last.entries = keep;
  }

  /**
   * Retention: removes files whose entries all point below `commitLogMinOffset` (never the last file) and
   * moves the min offset to the first entry still in the commit log.
   */
  correctMinOffset(commitLogMinOffset: number): void {
    while (this.#segments.length > 1) {
      const first = this.#segments[0]!;
      const lastOfFirst = this.#readEntryRaw(first.startIndex + first.entries - 1);
      if (!lastOfFirst || lastOfFirst.commitLogOffset + lastOfFirst.size > commitLogMinOffset) break;
      this.#segments.shift();
      this.#removeSegment(first);
    }
    this.#minIndex = Math.max(this.#minIndex, this.#segments[0]?.startIndex ?? this.#minIndex);
    while (this.#minIndex < this.maxOffset) {
      const entry = this.#readEntryRaw(this.#minIndex);
      if (entry && entry.size > 0 && entry.commitLogOffset >= commitLogMinOffset) break;
      this.#minIndex++;
    }
  }

  #skipHolesAtHead(): void {
    while (this.#minIndex < this.maxOffset) {
      const entry = this.#readEntryRaw(this.#minIndex);
      if (entry && entry.size > 0) break;
      this.#minIndex++;
    }
  }

  #removeSegment(segment: CqSegment): void {
    try {
      fs.closeSync(segment.fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(segment.path, { force: true });
  }

  close(): void {
    this.writeOut();
    for (const s of this.#segments) {
      try {
        fs.closeSync(s.fd);
      } catch {
        /* already closed */
      }
    }
    this.#segments = [];
  }

  destroy(): void {
    this.#pending = [];
    this.#pendingCount = 0;
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Full files already synced once: they never change again. */
const syncedFull = new WeakSet<CqSegment>();
