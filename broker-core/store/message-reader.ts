/**
 * The read path: pulls by queue offset through the consume queue, lookups by store time, by commit-log offset
 * and by key. Synchronous reads of what the write rounds handed to the OS.
 */
import type { CommitLog } from './commit-log';
import type { CqEntry, ConsumeQueue } from './consume-queue';
import type { ConsumeQueueTable } from './consume-queue-table';
import { storeProperties } from './dispatcher';
import type { IndexService } from './index-service';
import type { GetMessageResult, GetMessageStatus, QueryMessageResult, RecordFilter, TagsCodeFilter } from './message-store';
import { checkRecord, recordStoreTimestamp } from './record';

/** Entries read from a consume queue per read while a pull walks it. */
const PULL_ENTRIES_PER_READ = 512;

export interface MessageReaderDeps {
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  index: IndexService;
  maxFilterMessageCount: number;
}

/** A consume-queue entry chosen for a pull, with its record when a record filter already read it. */
interface Selected {
  entry: CqEntry;
  queueOffset: number;
  record?: Buffer;
}

export class MessageReader {
  readonly #deps: MessageReaderDeps;

  constructor(deps: MessageReaderDeps) {
    this.#deps = deps;
  }

  getMessage(topic: string, queueId: number, queueOffset: number, maxMsgNums: number, filter: TagsCodeFilter | undefined, maxTotalBytes: number, recordFilter?: RecordFilter): GetMessageResult {
    const queue = this.#deps.queues.get(topic, queueId);
    const result = (status: GetMessageStatus, nextBeginOffset: number, minOffset = 0, maxOffset = 0): GetMessageResult => ({
      status, nextBeginOffset, minOffset, maxOffset, messages: [], queueOffsets: [], bufferTotalSize: 0,
    });
    if (!queue || queue.maxOffset === 0) return result('NO_MESSAGE_IN_QUEUE', 0);
    const min = queue.minOffset;
    const max = queue.maxOffset;
    if (queueOffset < min) return result('OFFSET_TOO_SMALL', min, min, max);
    if (queueOffset === max) return result('OFFSET_OVERFLOW_ONE', queueOffset, min, max);
    if (queueOffset > max) return result('OFFSET_OVERFLOW_BADLY', min === 0 ? min : max, min, max);

    const { selected, nextQueueOffset, removed: removedBelowMin } = this.#selectEntries(queue, queueOffset, max, maxMsgNums, filter, maxTotalBytes, recordFilter);
    const { messages, queueOffsets, bufferTotalSize, removed } = this.#readRecords(selected);
    let status: GetMessageStatus = messages.length > 0 ? 'FOUND' : removed || removedBelowMin ? 'MESSAGE_WAS_REMOVING' : 'NO_MATCHED_MESSAGE';
    if (messages.length === 0 && selected.length > 0 && !removed && !removedBelowMin) status = 'OFFSET_FOUND_NULL';
    return { status, nextBeginOffset: nextQueueOffset, minOffset: min, maxOffset: max, messages, queueOffsets, bufferTotalSize };
  }

  /**
   * Walks the queue from `queueOffset`, keeping the entries the filter accepts, within the count and byte limits.
   * With a record filter, each candidate's record is read to be tested (and kept for the answer).
   */
  #selectEntries(queue: ConsumeQueue, queueOffset: number, max: number, maxMsgNums: number, filter: TagsCodeFilter | undefined, maxTotalBytes: number, recordFilter?: RecordFilter) {
    const selected: Selected[] = [];
    let bytes = 0;
    let scanned = 0;
    let removed = false;
    let offset = queueOffset;
    const commitLogMin = this.#deps.commitLog.minOffset;
    outer: while (offset < max && scanned < this.#deps.maxFilterMessageCount) {
      const batch = queue.readEntries(offset, Math.min(max - offset, PULL_ENTRIES_PER_READ));
      if (batch.length === 0) break;
      for (const entry of batch) {
        if (selected.length >= maxMsgNums) break outer;
        if (entry.size > 0) {
          if (entry.commitLogOffset < commitLogMin) removed = true;
          else if (!filter || filter(entry.tagsCode)) {
            if (selected.length > 0 && bytes + entry.size > maxTotalBytes) break outer;
            const record = recordFilter ? this.#deps.commitLog.read(entry.commitLogOffset, entry.size) : undefined;
            if (record === null) removed = true;
            else if (!record || recordFilter!(record)) {
              selected.push({ entry, queueOffset: offset, record });
              bytes += entry.size;
            }
          }
        }
        offset++;
        scanned++;
      }
    }
    return { selected, nextQueueOffset: offset, removed };
  }

  /** Reads the selected records (those a record filter read already are kept), runs of adjacent ones with one read each. */
  #readRecords(selected: Selected[]) {
    const commitLog = this.#deps.commitLog;
    const messages: Buffer[] = [];
    const queueOffsets: number[] = [];
    let bufferTotalSize = 0;
    let removed = false;
    for (let i = 0; i < selected.length; ) {
      const tested = selected[i]!.record;
      if (tested) {
        messages.push(tested);
        queueOffsets.push(selected[i]!.queueOffset);
        bufferTotalSize += tested.length;
        i++;
        continue;
      }
      let j = i + 1;
      let runEnd = selected[i]!.entry.commitLogOffset + selected[i]!.entry.size;
      while (j < selected.length && !selected[j]!.record && selected[j]!.entry.commitLogOffset === runEnd) {
        runEnd += selected[j]!.entry.size;
        j++;
      }
      const start = selected[i]!.entry.commitLogOffset;
      const run = commitLog.read(start, runEnd - start);
      for (let k = i; k < j; k++) {
        const entry = selected[k]!.entry;
        const record = run ? run.subarray(entry.commitLogOffset - start, entry.commitLogOffset - start + entry.size) : commitLog.read(entry.commitLogOffset, entry.size);
        if (!record) {
          removed = true;
          continue;
        }
        messages.push(record);
        queueOffsets.push(selected[k]!.queueOffset);
        bufferTotalSize += record.length;
      }
      i = j;
    }
    return { messages, queueOffsets, bufferTotalSize, removed };
  }

  #storeTimeAt(queue: ConsumeQueue, queueOffset: number): number {
    const entry = queue.readEntry(queueOffset);
    if (!entry || entry.size <= 0) return -1;
    const head = this.#deps.commitLog.read(entry.commitLogOffset, Math.min(entry.size, 128));
    return head ? recordStoreTimestamp(head) : -1;
  }

  /** First queue offset stored at or after `timestamp` ('lower'), or the last one at or before it ('upper'). */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number, boundary: 'lower' | 'upper'): number {
    const queue = this.#deps.queues.get(topic, queueId);
    if (!queue) return 0;
    let lo = queue.minOffset;
    let hi = queue.maxOffset - 1;
    if (hi < lo) return queue.maxOffset;
    let answer = boundary === 'lower' ? queue.maxOffset : queue.minOffset;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const storedAt = this.#storeTimeAt(queue, mid);
      if (boundary === 'lower' ? storedAt >= timestamp : storedAt <= timestamp) {
        answer = mid;
        if (boundary === 'lower') hi = mid - 1;
        else lo = mid + 1;
      } else if (boundary === 'lower') lo = mid + 1;
      else hi = mid - 1;
    }
    return answer;
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    const queue = this.#deps.queues.get(topic, queueId);
    if (!queue || queue.maxOffset <= queue.minOffset) return -1;
    return this.#storeTimeAt(queue, queue.minOffset);
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number {
    const queue = this.#deps.queues.get(topic, queueId);
    if (!queue) return 0;
    return Math.max(0, this.#storeTimeAt(queue, queueOffset));
  }

  lookMessageByOffset(commitLogOffset: number): Buffer | null {
    const record = this.#deps.commitLog.readRecord(commitLogOffset);
    if (!record) return null;
    const check = checkRecord(record, 0, record.length, false);
    return check.kind === 'record' && check.meta.physicalOffset === commitLogOffset ? record : null;
  }

  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult {
    const index = this.#deps.index;
    const candidates = index.query(`${topic}#${key}`, Math.max(1, maxNum) * 2, beginTimestamp, endTimestamp);
    const messages: Buffer[] = [];
    for (const commitLogOffset of candidates) {
      if (messages.length >= maxNum) break;
      const record = this.lookMessageByOffset(commitLogOffset);
      if (!record) continue;
      const check = checkRecord(record, 0, record.length, false);
      if (check.kind !== 'record' || check.meta.topic !== topic) continue;
      const found = storeProperties(check.meta.propertiesString);
      if (found.UNIQ_KEY === key || (found.KEYS ?? '').split(' ').includes(key)) messages.push(record);
    }
    return { messages, indexLastUpdateTimestamp: index.lastUpdateTimestamp, indexLastUpdatePhyoffset: index.endPhyOffset };
  }
}
