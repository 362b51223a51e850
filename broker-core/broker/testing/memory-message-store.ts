/**
 * An in-memory MessageStore for broker tests (records encoded in the real commit-log layout, v1 magic,
 * IPv4 hosts). Not for production: nothing reaches the disk.
 */
import type {
  GetMessageResult,
  MessageArrivingListener,
  MessageStore,
  MessageToStore,
  PutMessageResult,
  QueryMessageResult,
  StoreRuntimeInfo,
  TagsCodeFilter,
  RecordFilter,
} from '../../store/message-store';
import { prepareRecord, writeRecord } from '../../store/record';
import { tagHashCode } from '../filter/subscription';
import { createOffsetMsgIdText, decodePropertiesString } from '../message/message-util';

interface Entry {
  commitLogOffset: number;
  tagsCode: number;
  storeTimestamp: number;
}

export function encodeRecord(message: MessageToStore, queueOffset: number, commitLogOffset: number, storeTimestamp: number): Buffer {
  const prepared = prepareRecord(message);
  const buf = Buffer.alloc(prepared.length);
  writeRecord(buf, 0, prepared, queueOffset, commitLogOffset, storeTimestamp);
  return buf;
}

export class MemoryMessageStore implements MessageStore {
  readonly records = new Map<number, Buffer>();
  readonly queues = new Map<string, Entry[]>();
  readonly #keys = new Map<string, number[]>();
  #nextCommitLogOffset = 0;
  #listener: MessageArrivingListener | undefined;
  #putTimes = 0;
  #putBytes = 0;
  readonly #boot = Date.now();

  async start(): Promise<void> {}
  async shutdown(): Promise<void> {}

  async putMessage(message: MessageToStore): Promise<PutMessageResult> {
    return this.putMessages([message]);
  }

  async putMessages(messages: MessageToStore[]): Promise<PutMessageResult> {
    const first = messages[0];
    if (!first) return { status: 'MESSAGE_ILLEGAL', remark: 'no messages' };
    const key = `${first.topic}@${first.queueId}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = [];
      this.queues.set(key, queue);
    }
    const firstQueueOffset = queue.length;
    const ids: string[] = [];
    const firstCommitLogOffset = this.#nextCommitLogOffset;
    let wrote = 0;
    const storeTimestamp = Date.now();
    for (const message of messages) {
      const commitLogOffset = this.#nextCommitLogOffset;
      const record = encodeRecord(message, queue.length, commitLogOffset, storeTimestamp);
      this.records.set(commitLogOffset, record);
      this.#nextCommitLogOffset += record.length;
      wrote += record.length;
      const props = decodePropertiesString(message.propertiesString);
      queue.push({ commitLogOffset, tagsCode: props.TAGS ? tagHashCode(props.TAGS) : 0, storeTimestamp });
      for (const k of [...(props.KEYS ?? '').split(' ').filter(Boolean), ...(props.UNIQ_KEY ? [props.UNIQ_KEY] : [])]) {
        const indexKey = `${message.topic}#${k}`;
        this.#keys.set(indexKey, [...(this.#keys.get(indexKey) ?? []), commitLogOffset]);
      }
      ids.push(createOffsetMsgIdText(message.storeHost, commitLogOffset));
    }
    this.#putTimes += messages.length;
    this.#putBytes += wrote;
    const last = queue[queue.length - 1]!;
    setImmediate(() => this.#listener?.(first.topic, first.queueId, queue.length, last.tagsCode));
    return {
      status: 'PUT_OK',
      appendResult: { commitLogOffset: firstCommitLogOffset, wroteBytes: wrote, queueOffset: firstQueueOffset, msgId: ids.join(','), storeTimestamp, messageCount: messages.length },
    };
  }

  getMessage(_group: string, topic: string, queueId: number, queueOffset: number, maxMsgNums: number, filter?: TagsCodeFilter, maxTotalBytes = 256 * 1024, recordFilter?: RecordFilter): GetMessageResult {
    const queue = this.queues.get(`${topic}@${queueId}`);
    const empty = (status: GetMessageResult['status'], nextBeginOffset: number, maxOffset = 0): GetMessageResult => ({
      status, nextBeginOffset, minOffset: 0, maxOffset, messages: [], queueOffsets: [], bufferTotalSize: 0,
    });
    if (!queue || queue.length === 0) return empty('NO_MESSAGE_IN_QUEUE', 0);
    const max = queue.length;
    if (queueOffset < 0) return empty('OFFSET_TOO_SMALL', 0, max);
    if (queueOffset === max) return empty('OFFSET_OVERFLOW_ONE', queueOffset, max);
    if (queueOffset > max) return empty('OFFSET_OVERFLOW_BADLY', max, max);
    const messages: Buffer[] = [];
    const queueOffsets: number[] = [];
    let bytes = 0;
    let next = queueOffset;
    for (; next < max && messages.length < maxMsgNums; next++) {
      const entry = queue[next]!;
      if (filter && !filter(entry.tagsCode)) continue;
      const record = this.records.get(entry.commitLogOffset)!;
      if (recordFilter && !recordFilter(record)) continue;
      if (messages.length > 0 && bytes + record.length > maxTotalBytes) break;
      messages.push(record);
      queueOffsets.push(next);
      bytes += record.length;
    }
    return { status: messages.length > 0 ? 'FOUND' : 'NO_MATCHED_MESSAGE', nextBeginOffset: next, minOffset: 0, maxOffset: max, messages, queueOffsets, bufferTotalSize: bytes };
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.get(`${topic}@${queueId}`)?.length ?? 0;
  }
  getMinOffsetInQueue(): number {
    return 0;
  }
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number {
    const queue = this.queues.get(`${topic}@${queueId}`) ?? [];
    const index = queue.findIndex((e) => e.storeTimestamp >= timestamp);
    return index < 0 ? queue.length : index;
  }
  getEarliestMessageTime(topic: string, queueId: number): number {
    return this.queues.get(`${topic}@${queueId}`)?.[0]?.storeTimestamp ?? -1;
  }
  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number {
    return this.queues.get(`${topic}@${queueId}`)?.[queueOffset]?.storeTimestamp ?? 0;
  }
  lookMessageByOffset(commitLogOffset: number): Buffer | null {
    return this.records.get(commitLogOffset) ?? null;
  }
  queryMessage(topic: string, key: string, maxNum: number): QueryMessageResult {
    const offsets = (this.#keys.get(`${topic}#${key}`) ?? []).slice(-maxNum).reverse();
    return { messages: offsets.map((o) => this.records.get(o)!), indexLastUpdateTimestamp: Date.now(), indexLastUpdatePhyoffset: this.#nextCommitLogOffset };
  }
  getMinPhyOffset(): number {
    return 0;
  }
  getMaxPhyOffset(): number {
    return this.#nextCommitLogOffset;
  }
  deleteTopics(topics: Iterable<string>): void {
    for (const topic of topics) for (const key of [...this.queues.keys()]) if (key.slice(0, key.lastIndexOf('@')) === topic) this.queues.delete(key);
  }
  listConsumeQueues(): Map<string, number[]> {
    const result = new Map<string, number[]>();
    for (const key of this.queues.keys()) {
      const at = key.lastIndexOf('@');
      result.set(key.slice(0, at), [...(result.get(key.slice(0, at)) ?? []), Number(key.slice(at + 1))]);
    }
    return result;
  }
  setMessageArrivingListener(listener: MessageArrivingListener): void {
    this.#listener = listener;
  }
  runtimeInfo(): StoreRuntimeInfo {
    return {
      commitLogMinOffset: 0, commitLogMaxOffset: this.#nextCommitLogOffset, dispatchBehindBytes: 0, unflushedBytes: 0, commitLogDiskRatio: 0, consumeQueueDiskRatio: 0,
      putMessageTimesTotal: this.#putTimes, putMessageSizeTotal: this.#putBytes, putMessageFailedTimes: 0, putMessageEntireTimeMaxMs: 0, bootTimestamp: this.#boot,
      earliestMessageTimestamp: 0, storePathRootDir: 'memory',
    };
  }
}
