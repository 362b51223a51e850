/**
 * Message index by key (`topic#key` for each KEYS token and the UNIQ_KEY), in RocketMQ's IndexFile layout:
 *   header 40 B: beginTimestamp i64, endTimestamp i64, beginPhyOffset i64, endPhyOffset i64, hashSlotCount i32, indexCount i32
 *   slots: hashSlotNum × i32, the number of the newest entry whose key hashes there (0 = none)
 *   entries (numbered from 1): keyHash i32, phyOffset i64, timeDiff i32 (seconds after beginTimestamp), prevIndex i32
 *
 * The files are a SegmentFileQueue of growing files, each at most header + slots + (indexNum + 1) entries long,
 * named by their start in that offset space (file k starts at k × that size; RocketMQ names them by creation
 * time, and such files found at load are renamed in order). They roll when full.
 *
 * The current file's slot table lives in memory (dirty pages written on flush); entries are appended in
 * commit-log order, so after a crash the slot table is rebuilt from the entries and entries beyond the
 * recovered commit log are cut off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assert } from '../util/assert';
import type { Logger } from '../util/logger';
import { javaStringHashCode, readInt64, writeInt64 } from './record';
import { SegmentFileQueue, offsetFileName, type SegmentFile } from './segment-file-queue';

const HEADER_BYTES = 40;
const ENTRY_BYTES = 20;
const SLOT_BYTES = 4;
const SLOTS_PER_PAGE = 1024;

export interface IndexConfig {
  hashSlotNum: number;
  indexNum: number;
}

interface IndexFile {
  segment: SegmentFile;
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  /** Next entry number (entries 1..indexCount-1 exist). */
  indexCount: number;
  /** In memory for the newest file only. */
  slots: Int32Array | null;
  dirtyPages: Uint8Array | null;
  pending: Buffer[];
  pendingFrom: number;
  /** Slot pages or header changed since the last flush. */
  dirty: boolean;
}

export function indexKeyHash(key: string): number {
  const h = javaStringHashCode(key);
  return h === -2147483648 ? 0 : Math.abs(h);
}

export class IndexService {
  readonly dir: string;
  readonly files: SegmentFileQueue;
  readonly #config: IndexConfig;
  readonly #logger: Logger;
  #indexFiles: IndexFile[] = [];
  /** Set at load when files had to be dropped: the index must be replayed from the commit log's start. */
  #rebuildNeeded = false;

  constructor(dir: string, config: IndexConfig, logger: Logger) {
    this.dir = dir;
    this.#config = config;
    this.#logger = logger;
    this.files = new SegmentFileQueue({ dir, fileBytes: this.#entriesAt + (config.indexNum + 1) * ENTRY_BYTES, preallocate: false, label: 'index', logger, misaligned: 'skip' });
  }

  get #slotsBytes(): number {
    return this.#config.hashSlotNum * SLOT_BYTES;
  }
  /** Byte position of entry 0 in a file. */
  get #entriesAt(): number {
    return HEADER_BYTES + this.#config.hashSlotNum * SLOT_BYTES;
  }

  /** Commit-log end offset of the newest indexed record; dispatch replay skips records before it. */
  get endPhyOffset(): number {
    return this.#indexFiles[this.#indexFiles.length - 1]?.endPhyOffset ?? 0;
  }

  /** True when files written with another layout were dropped at load: replay the index from the commit log start. */
  get rebuildNeeded(): boolean {
    return this.#rebuildNeeded;
  }

  /** Opens the files. `rebuild` (after a crash) re-derives the newest slot table from its entries. */
  load(rebuild: boolean): void {
    this.#renameTimestampNamedFiles();
    this.files.load();
    for (const segment of [...this.files.files]) {
      const head = Buffer.alloc(HEADER_BYTES);
      fs.readSync(segment.fd, head, 0, HEADER_BYTES, 0);
      const slotCount = head.readInt32BE(32);
      if (slotCount !== this.#config.hashSlotNum && slotCount !== 0) {
        this.#logger.warn('index files were written with another slot count; the index is rebuilt from the commit log', { file: segment.path, slotCount });
        this.files.truncate(this.files.first!.start);
        this.#indexFiles = [];
        this.#rebuildNeeded = true;
        break;
      }
      this.#indexFiles.push({
        segment,
        beginTimestamp: readInt64(head, 0),
        endTimestamp: readInt64(head, 8),
        beginPhyOffset: readInt64(head, 16),
        endPhyOffset: readInt64(head, 24),
        indexCount: Math.max(1, head.readInt32BE(36)),
        slots: null, dirtyPages: null, pending: [], pendingFrom: 0, dirty: false,
      });
    }
    // A newest file created just before a crash with nothing indexed yet.
    const newest = this.#indexFiles[this.#indexFiles.length - 1];
    if (newest && newest.beginTimestamp === 0 && newest.indexCount <= 1 && newest.segment.size <= this.#entriesAt + 2 * ENTRY_BYTES) {
      this.#indexFiles.pop();
      this.files.truncate(newest.segment.start);
    }
    const last = this.#indexFiles[this.#indexFiles.length - 1];
    if (!last) return;
    this.#activate(last);
    const entriesOnDisk = Math.max(0, Math.floor((last.segment.size - this.#entriesAt) / ENTRY_BYTES) - 1);
    if (rebuild || entriesOnDisk + 1 !== last.indexCount) {
      this.#rebuildSlots(last, entriesOnDisk);
    } else {
      const raw = Buffer.alloc(this.#slotsBytes);
      fs.readSync(last.segment.fd, raw, 0, raw.length, HEADER_BYTES);
      for (let i = 0; i < this.#config.hashSlotNum; i++) last.slots![i] = raw.readInt32BE(i * SLOT_BYTES);
    }
  }

  /** RocketMQ names index files by creation time (yyyyMMddHHmmssSSS): those become offset-named, in order. */
  #renameTimestampNamedFiles(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const names = fs.readdirSync(this.dir).filter((n) => /^\d{17}$/.test(n)).sort();
    if (names.length === 0) return;
    const taken = fs.readdirSync(this.dir).filter((n) => /^\d{20}$/.test(n)).length;
    names.forEach((name, i) => fs.renameSync(path.join(this.dir, name), path.join(this.dir, offsetFileName((taken + i) * this.files.fileBytes))));
    this.#logger.info('index files renamed from creation-time names to offset names', { files: names.length });
  }

  #activate(file: IndexFile): void {
    file.slots = new Int32Array(this.#config.hashSlotNum);
    file.dirtyPages = new Uint8Array(Math.ceil(this.#config.hashSlotNum / SLOTS_PER_PAGE));
  }

  #rebuildSlots(file: IndexFile, entriesOnDisk: number): void {
    const slots = file.slots!;
    slots.fill(0);
    const count = Math.min(entriesOnDisk, this.#config.indexNum);
    const chunkEntries = 65536;
    const buf = Buffer.allocUnsafe(chunkEntries * ENTRY_BYTES);
    let kept = 0;
    let endPhy = file.beginPhyOffset;
    let endTs = file.beginTimestamp;
    outer: for (let first = 1; first <= count; first += chunkEntries) {
      const n = Math.min(chunkEntries, count - first + 1);
      const read = fs.readSync(file.segment.fd, buf, 0, n * ENTRY_BYTES, this.#entriesAt + first * ENTRY_BYTES);
      for (let k = 0; k < Math.floor(read / ENTRY_BYTES); k++) {
        const keyHash = buf.readInt32BE(k * ENTRY_BYTES);
        const phy = readInt64(buf, k * ENTRY_BYTES + 4);
        const timeDiff = buf.readInt32BE(k * ENTRY_BYTES + 12);
        if (phy === 0 && keyHash === 0 && timeDiff === 0 && first + k > 1) break outer;
        slots[keyHash % this.#config.hashSlotNum] = first + k;
        kept = first + k;
        endPhy = Math.max(endPhy, phy);
        endTs = Math.max(endTs, file.beginTimestamp + timeDiff * 1000);
      }
    }
    file.indexCount = kept + 1;
    file.endPhyOffset = endPhy;
    file.endTimestamp = endTs;
    file.dirtyPages!.fill(1);
    file.dirty = true;
    this.files.truncate(file.segment.start + this.#entriesAt + file.indexCount * ENTRY_BYTES);
    this.#logger.info('index slot table rebuilt from entries', { file: file.segment.path, entries: kept });
  }

  /** Drops entries for records at or beyond `commitLogMaxOffset`; whole files above it are deleted. */
  truncateDirty(commitLogMaxOffset: number): void {
    while (this.#indexFiles.length > 0 && this.#indexFiles[this.#indexFiles.length - 1]!.beginPhyOffset >= commitLogMaxOffset) {
      const dropped = this.#indexFiles.pop()!;
      this.files.truncate(dropped.segment.start);
    }
    const last = this.#indexFiles[this.#indexFiles.length - 1];
    if (!last) return;
    const activated = !last.slots;
    if (activated) this.#activate(last);
    if (last.endPhyOffset < commitLogMaxOffset && !activated) return;
    // Entries are in commit-log order: cut at the first one at or beyond the max.
    let keep = last.indexCount - 1;
    const entry = Buffer.alloc(ENTRY_BYTES);
    while (keep >= 1) {
      fs.readSync(last.segment.fd, entry, 0, ENTRY_BYTES, this.#entriesAt + keep * ENTRY_BYTES);
      if (readInt64(entry, 4) < commitLogMaxOffset) break;
      keep--;
    }
    this.files.truncate(last.segment.start + this.#entriesAt + (keep + 1) * ENTRY_BYTES);
    this.#rebuildSlots(last, keep);
  }

  /** Commit-log offset of the newest indexed record, -1 when nothing is indexed. */
  get #lastIndexedPhy(): number {
    for (let i = this.#indexFiles.length - 1; i >= 0; i--) if (this.#indexFiles[i]!.indexCount > 1) return this.#indexFiles[i]!.endPhyOffset;
    return -1;
  }

  /** Buffers entries for a record's keys (already `topic#key`); a record at or below the newest indexed one is skipped (replay). */
  put(keys: string[], phyOffset: number, storeTimestamp: number): void {
    if (keys.length === 0 || phyOffset <= this.#lastIndexedPhy) return;
    let file = this.#indexFiles[this.#indexFiles.length - 1];
    for (const key of keys) {
      if (!file || file.indexCount > this.#config.indexNum) file = this.#roll(phyOffset, storeTimestamp);
      const hash = indexKeyHash(key);
      const slot = hash % this.#config.hashSlotNum;
      const slots = file.slots!;
      const prev = slots[slot]!;
      const entry = Buffer.allocUnsafe(ENTRY_BYTES);
      entry.writeInt32BE(hash, 0);
      writeInt64(entry, phyOffset, 4);
      entry.writeInt32BE(Math.max(0, Math.floor((storeTimestamp - file.beginTimestamp) / 1000)), 12);
      entry.writeInt32BE(prev <= file.indexCount ? prev : 0, 16);
      if (file.pending.length === 0) file.pendingFrom = file.indexCount;
      file.pending.push(entry);
      slots[slot] = file.indexCount;
      file.dirtyPages![Math.floor(slot / SLOTS_PER_PAGE)] = 1;
      file.indexCount++;
      file.endPhyOffset = phyOffset;
      file.endTimestamp = Math.max(file.endTimestamp, storeTimestamp);
      file.dirty = true;
    }
  }

  #roll(phyOffset: number, storeTimestamp: number): IndexFile {
    const previous = this.#indexFiles[this.#indexFiles.length - 1];
    if (previous) {
      this.writeOut();
      this.#writeSlotsAndHeader(previous);
      previous.slots = null;
      previous.dirtyPages = null;
    }
    const start = previous ? previous.segment.start + this.files.fileBytes : 0;
    const segment = this.files.create(start);
    const created: IndexFile = {
      segment, beginTimestamp: storeTimestamp, endTimestamp: storeTimestamp, beginPhyOffset: phyOffset, endPhyOffset: phyOffset,
      indexCount: 1, slots: null, dirtyPages: null, pending: [], pendingFrom: 1, dirty: true,
    };
    this.#activate(created);
    this.#indexFiles.push(created);
    this.#writeHeader(created);
    // Entry 0 is never used: the file reaches past it from the start, as RocketMQ's does.
    this.files.write(start + this.#entriesAt, [Buffer.alloc(ENTRY_BYTES)]);
    return created;
  }

  /** Writes buffered entries (one vectored write). */
  writeOut(): void {
    const file = this.#indexFiles[this.#indexFiles.length - 1];
    if (!file || file.pending.length === 0) return;
    this.files.write(file.segment.start + this.#entriesAt + file.pendingFrom * ENTRY_BYTES, file.pending);
    file.pending = [];
  }

  /** Writes dirty slot pages and the header, then fdatasync off the event loop. */
  async flush(): Promise<void> {
    this.writeOut();
    const file = this.#indexFiles[this.#indexFiles.length - 1];
    if (file) this.#writeSlotsAndHeader(file);
    await this.files.flush();
  }

  #writeSlotsAndHeader(file: IndexFile): void {
    if (!file.dirty) return;
    file.dirty = false;
    if (file.slots && file.dirtyPages) {
      for (let page = 0; page < file.dirtyPages.length; page++) {
        if (!file.dirtyPages[page]) continue;
        file.dirtyPages[page] = 0;
        const from = page * SLOTS_PER_PAGE;
        const to = Math.min(from + SLOTS_PER_PAGE, this.#config.hashSlotNum);
        const buf = Buffer.allocUnsafe((to - from) * SLOT_BYTES);
        for (let i = from; i < to; i++) buf.writeInt32BE(file.slots[i]!, (i - from) * SLOT_BYTES);
        this.files.write(file.segment.start + HEADER_BYTES + from * SLOT_BYTES, [buf]);
      }
    }
    this.#writeHeader(file);
  }

  #writeHeader(file: IndexFile): void {
    const head = Buffer.alloc(HEADER_BYTES);
    writeInt64(head, file.beginTimestamp, 0);
    writeInt64(head, file.endTimestamp, 8);
    writeInt64(head, file.beginPhyOffset, 16);
    writeInt64(head, file.endPhyOffset, 24);
    head.writeInt32BE(this.#config.hashSlotNum, 32);
    head.writeInt32BE(file.indexCount, 36);
    this.files.write(file.segment.start, [head]);
  }

  /**
   * Commit-log offsets of entries whose key hash matches `key`, newest first, at most `maxNum`, stored within
   * [begin, end]. Hash collisions are possible: the caller checks the records.
   */
  query(key: string, maxNum: number, begin: number, end: number): number[] {
    const hash = indexKeyHash(key);
    const slot = hash % this.#config.hashSlotNum;
    const result: number[] = [];
    const entry = Buffer.alloc(ENTRY_BYTES);
    for (let f = this.#indexFiles.length - 1; f >= 0 && result.length < maxNum; f--) {
      const file = this.#indexFiles[f]!;
      if (file.endTimestamp < begin || file.beginTimestamp > end) continue;
      let index: number;
      if (file.slots) {
        index = file.slots[slot]!;
      } else {
        const raw = Buffer.alloc(SLOT_BYTES);
        fs.readSync(file.segment.fd, raw, 0, SLOT_BYTES, HEADER_BYTES + slot * SLOT_BYTES);
        index = raw.readInt32BE(0);
      }
      let guard = 0;
      while (index > 0 && index < file.indexCount && result.length < maxNum && guard++ < this.#config.indexNum) {
        const pendingAt = index - file.pendingFrom;
        if (file.pending.length > 0 && pendingAt >= 0 && pendingAt < file.pending.length) file.pending[pendingAt]!.copy(entry);
        else if (fs.readSync(file.segment.fd, entry, 0, ENTRY_BYTES, this.#entriesAt + index * ENTRY_BYTES) < ENTRY_BYTES) break;
        const entryHash = entry.readInt32BE(0);
        const phy = readInt64(entry, 4);
        const time = file.beginTimestamp + entry.readInt32BE(12) * 1000;
        const prev = entry.readInt32BE(16);
        if (entryHash === hash && time >= begin - 1000 && time <= end) result.push(phy);
        if (prev <= 0 || prev >= index) break;
        index = prev;
      }
    }
    return result;
  }

  /** Retention: deletes files whose records are all below the commit log's min offset (never the newest). */
  deleteBelow(commitLogMinOffset: number): void {
    const deleted = this.files.deleteOldest((segment) => {
      const file = this.#indexFiles.find((f) => f.segment === segment);
      return file !== undefined && file.endPhyOffset < commitLogMinOffset;
    }, Number.MAX_SAFE_INTEGER);
    if (deleted > 0) this.#indexFiles.splice(0, deleted);
    assert(this.#indexFiles[0]?.segment === this.files.first, 'index file list out of step with its segment queue');
  }

  get lastUpdateTimestamp(): number {
    return this.#indexFiles[this.#indexFiles.length - 1]?.endTimestamp ?? 0;
  }

  /** Closes without writing the slot table or header (what a crash leaves). */
  closeAbruptly(): void {
    this.writeOut();
    this.files.close();
    this.#indexFiles = [];
  }

  /** Writes everything (flush the files first for durability) and closes. */
  close(): void {
    this.writeOut();
    const file = this.#indexFiles[this.#indexFiles.length - 1];
    if (file) this.#writeSlotsAndHeader(file);
    this.files.close();
    this.#indexFiles = [];
  }
}
