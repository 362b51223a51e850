/**
 * Message index by key (`topic#key` for each KEYS token and the UNIQ_KEY), in RocketMQ's IndexFile layout:
 *   header 40 B: beginTimestamp i64, endTimestamp i64, beginPhyOffset i64, endPhyOffset i64, hashSlotCount i32, indexCount i32
 *   slots: hashSlotNum × i32, the number of the newest entry whose key hashes there (0 = none)
 *   entries (numbered from 1): keyHash i32, phyOffset i64, timeDiff i32 (seconds after beginTimestamp), prevIndex i32
 * Files are named by their creation time (yyyyMMddHHmmssSSS) and roll when full.
 *
 * The current file's slot table lives in memory (dirty pages written on flush); entries are appended in
 * commit-log order, so after a crash the slot table is rebuilt from the entries and entries beyond the
 * recovered commit log are cut off.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../util/logger';
import { javaStringHashCode, readInt64, writeInt64 } from './record';

const HEADER_BYTES = 40;
const ENTRY_BYTES = 20;
const SLOT_BYTES = 4;
const SLOTS_PER_PAGE = 1024;

export interface IndexConfig {
  hashSlotNum: number;
  indexNum: number;
}

interface IndexFile {
  name: string;
  path: string;
  fd: number;
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
  dirty: boolean;
}

export function indexKeyHash(key: string): number {
  const h = javaStringHashCode(key);
  return h === -2147483648 ? 0 : Math.abs(h);
}

function timestampName(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}${pad(d.getMilliseconds(), 3)}`;
}

export class IndexService {
  readonly dir: string;
  readonly #config: IndexConfig;
  readonly #logger: Logger;
  #files: IndexFile[] = [];

  constructor(dir: string, config: IndexConfig, logger: Logger) {
    this.dir = dir;
    this.#config = config;
    this.#logger = logger;
  }

  get #slotsBytes(): number {
    return this.#config.hashSlotNum * SLOT_BYTES;
  }

  /** Commit-log end offset of the newest indexed record; dispatch replay skips records before it. */
  get endPhyOffset(): number {
    return this.#files[this.#files.length - 1]?.endPhyOffset ?? 0;
  }

  /** Opens the files. `rebuild` (after a crash) re-derives the newest slot table from its entries. */
  load(rebuild: boolean): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const names = fs.readdirSync(this.dir).filter((n) => /^\d{17}$/.test(n)).sort();
    for (const name of names) {
      const file = path.join(this.dir, name);
      const fd = fs.openSync(file, 'r+');
      const head = Buffer.alloc(HEADER_BYTES);
      fs.readSync(fd, head, 0, HEADER_BYTES, 0);
      if (head.readBigInt64BE(0) === 0n && head.readInt32BE(36) <= 1 && fs.fstatSync(fd).size <= HEADER_BYTES + this.#slotsBytes + 2 * ENTRY_BYTES) {
        // Created just before a crash, nothing indexed yet.
        fs.closeSync(fd);
        fs.rmSync(file, { force: true });
        continue;
      }
      if (head.readInt32BE(32) !== this.#config.hashSlotNum && head.readInt32BE(32) !== 0) {
        this.#logger.warn('index file was written with another slot count; ignored', { file });
        fs.closeSync(fd);
        continue;
      }
      this.#files.push({
        name, path: file, fd,
        beginTimestamp: readInt64(head, 0),
        endTimestamp: readInt64(head, 8),
        beginPhyOffset: readInt64(head, 16),
        endPhyOffset: readInt64(head, 24),
        indexCount: Math.max(1, head.readInt32BE(36)),
        slots: null, dirtyPages: null, pending: [], pendingFrom: 0, dirty: false,
      });
    }
    const last = this.#files[this.#files.length - 1];
    if (!last) return;
    last.slots = new Int32Array(this.#config.hashSlotNum);
    last.dirtyPages = new Uint8Array(Math.ceil(this.#config.hashSlotNum / SLOTS_PER_PAGE));
    const entriesOnDisk = Math.max(0, Math.floor((fs.fstatSync(last.fd).size - HEADER_BYTES - this.#slotsBytes) / ENTRY_BYTES) - 1);
    if (rebuild || entriesOnDisk + 1 !== last.indexCount) {
      this.#rebuildSlots(last, entriesOnDisk);
    } else {
      const raw = Buffer.alloc(this.#slotsBytes);
      fs.readSync(last.fd, raw, 0, raw.length, HEADER_BYTES);
      for (let i = 0; i < this.#config.hashSlotNum; i++) last.slots[i] = raw.readInt32BE(i * SLOT_BYTES);
    }
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
      const read = fs.readSync(file.fd, buf, 0, n * ENTRY_BYTES, HEADER_BYTES + this.#slotsBytes + first * ENTRY_BYTES);
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
    fs.ftruncateSync(file.fd, HEADER_BYTES + this.#slotsBytes + file.indexCount * ENTRY_BYTES);
    this.#logger.info('index slot table rebuilt from entries', { file: file.path, entries: kept });
  }

  /** Drops entries for records at or beyond `commitLogMaxOffset`; whole files above it are deleted. */
  truncateDirty(commitLogMaxOffset: number): void {
    while (this.#files.length > 0 && this.#files[this.#files.length - 1]!.beginPhyOffset >= commitLogMaxOffset) {
      const dropped = this.#files.pop()!;
      fs.closeSync(dropped.fd);
      fs.rmSync(dropped.path, { force: true });
    }
    const last = this.#files[this.#files.length - 1];
    if (!last) return;
    const activated = !last.slots;
    if (activated) {
      last.slots = new Int32Array(this.#config.hashSlotNum);
      last.dirtyPages = new Uint8Array(Math.ceil(this.#config.hashSlotNum / SLOTS_PER_PAGE));
    }
    if (last.endPhyOffset < commitLogMaxOffset && !activated) return;
    // Entries are in commit-log order: cut at the first one at or beyond the max.
    let keep = last.indexCount - 1;
    const entry = Buffer.alloc(ENTRY_BYTES);
    while (keep >= 1) {
      fs.readSync(last.fd, entry, 0, ENTRY_BYTES, HEADER_BYTES + this.#slotsBytes + keep * ENTRY_BYTES);
      if (readInt64(entry, 4) < commitLogMaxOffset) break;
      keep--;
    }
    fs.ftruncateSync(last.fd, HEADER_BYTES + this.#slotsBytes + (keep + 1) * ENTRY_BYTES);
    this.#rebuildSlots(last, keep);
  }

  /** Commit-log offset of the newest indexed record, -1 when nothing is indexed. */
  get #lastIndexedPhy(): number {
    for (let i = this.#files.length - 1; i >= 0; i--) if (this.#files[i]!.indexCount > 1) return this.#files[i]!.endPhyOffset;
    return -1;
  }

  /** Buffers entries for a record's keys (already `topic#key`). */
  put(keys: string[], phyOffset: number, storeTimestamp: number): void {
    if (keys.length === 0 || phyOffset <= this.#lastIndexedPhy) return;
    let file = this.#files[this.#files.length - 1];
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
    const previous = this.#files[this.#files.length - 1];
    if (previous) {
      this.writeOut();
      this.#flushFile(previous);
      previous.slots = null;
      previous.dirtyPages = null;
    }
    let name = timestampName(Date.now());
    while (this.#files.some((f) => f.name >= name)) name = timestampName(Number(Date.now()) + 1 + this.#files.length);
    const file = path.join(this.dir, name);
    const fd = fs.openSync(file, 'w+');
    fs.ftruncateSync(fd, HEADER_BYTES + this.#slotsBytes + ENTRY_BYTES);
    const created: IndexFile = {
      name, path: file, fd, beginTimestamp: storeTimestamp, endTimestamp: storeTimestamp, beginPhyOffset: phyOffset, endPhyOffset: phyOffset,
      indexCount: 1, slots: new Int32Array(this.#config.hashSlotNum), dirtyPages: new Uint8Array(Math.ceil(this.#config.hashSlotNum / SLOTS_PER_PAGE)),
      pending: [], pendingFrom: 1, dirty: true,
    };
    this.#files.push(created);
    this.#writeHeader(created);
    return created;
  }

  /** Writes buffered entries (one vectored write). */
  writeOut(): void {
    const file = this.#files[this.#files.length - 1];
    if (!file || file.pending.length === 0) return;
    fs.writevSync(file.fd, file.pending, HEADER_BYTES + this.#slotsBytes + file.pendingFrom * ENTRY_BYTES);
    file.pending = [];
  }

  /** Writes dirty slot pages and the header, then fdatasync. */
  flush(): void {
    this.writeOut();
    const file = this.#files[this.#files.length - 1];
    if (file) this.#flushFile(file);
  }

  #flushFile(file: IndexFile): void {
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
        fs.writeSync(file.fd, buf, 0, buf.length, HEADER_BYTES + from * SLOT_BYTES);
      }
    }
    this.#writeHeader(file);
    fs.fdatasyncSync(file.fd);
  }

  #writeHeader(file: IndexFile): void {
    const head = Buffer.alloc(HEADER_BYTES);
    writeInt64(head, file.beginTimestamp, 0);
    writeInt64(head, file.endTimestamp, 8);
    writeInt64(head, file.beginPhyOffset, 16);
    writeInt64(head, file.endPhyOffset, 24);
    head.writeInt32BE(this.#config.hashSlotNum, 32);
    head.writeInt32BE(file.indexCount, 36);
    fs.writeSync(file.fd, head, 0, HEADER_BYTES, 0);
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
    for (let f = this.#files.length - 1; f >= 0 && result.length < maxNum; f--) {
      const file = this.#files[f]!;
      if (file.endTimestamp < begin || file.beginTimestamp > end) continue;
      let index: number;
      if (file.slots) {
        index = file.slots[slot]!;
      } else {
        const raw = Buffer.alloc(SLOT_BYTES);
        fs.readSync(file.fd, raw, 0, SLOT_BYTES, HEADER_BYTES + slot * SLOT_BYTES);
        index = raw.readInt32BE(0);
      }
      let guard = 0;
      while (index > 0 && index < file.indexCount && result.length < maxNum && guard++ < this.#config.indexNum) {
        const pendingAt = index - file.pendingFrom;
        if (file.pending.length > 0 && pendingAt >= 0 && pendingAt < file.pending.length) file.pending[pendingAt]!.copy(entry);
        else if (fs.readSync(file.fd, entry, 0, ENTRY_BYTES, HEADER_BYTES + this.#slotsBytes + index * ENTRY_BYTES) < ENTRY_BYTES) break;
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
    while (this.#files.length > 1 && this.#files[0]!.endPhyOffset < commitLogMinOffset) {
      const first = this.#files.shift()!;
      fs.closeSync(first.fd);
      fs.rmSync(first.path, { force: true });
    }
  }

  get lastUpdateTimestamp(): number {
    return this.#files[this.#files.length - 1]?.endTimestamp ?? 0;
  }

  /** Closes without writing the slot table or header (what a crash leaves). */
  closeAbruptly(): void {
    this.writeOut();
    for (const f of this.#files) fs.closeSync(f.fd);
    this.#files = [];
  }

  close(): void {
    this.flush();
    for (const f of this.#files) {
      try {
        fs.closeSync(f.fd);
      } catch {
        /* already closed */
      }
    }
    this.#files = [];
  }
}
