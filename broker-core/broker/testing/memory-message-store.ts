/**
 * An in-memory MessageStore for broker tests (records encoded in the real commit-log layout, v1 magic,
 * IPv4 hosts). Not for production: nothing reaches the disk.
 */
import zlib from 'node:zlib';
import type {
  GetMessageResult,
  HostAddress,
  MessageArrivingListener,
  MessageStore,
  MessageToStore,
  PutMessageResult,
  QueryMessageResult,
  StoreRuntimeInfo,
  TagsCodeFilter,
} from '../../store/message-store';
import { tagHashCode } from '../filter/subscription';
import { createOffsetMsgIdText, decodePropertiesString } from '../message/message-util';

const MAGIC_V1 = -626843481;

interface Entry {
  commitLogOffset: number;
  tagsCode: number;
  storeTimestamp: number;
}

function writeHost(buf: Buffer, pos: number, host: HostAddress): number {
  const parts = host.address.split('.').map(Number);
  for (let i = 0; i < 4; i++) buf[pos + i] = parts[i] ?? 0;
  buf.writeInt32BE(host.port, pos + 4);
  return pos + 8;
}

export function encodeRecord(message: MessageToStore, queueOffset: number, commitLogOffset: number, storeTimestamp: number): Buffer {
  const topic = Buffer.from(message.topic);
  const props = Buffer.from(message.propertiesString);
  const size = 97 + message.body.length + topic.length + props.length;
  const buf = Buffer.alloc(size);
  let pos = 0;
  buf.writeInt32BE(size, pos); pos += 4;
  buf.writeInt32BE(MAGIC_V1, pos); pos += 4;
  buf.writeInt32BE(zlib.crc32(message.body) & 0x7fffffff, pos); pos += 4;
  buf.writeInt32BE(message.queueId, pos); pos += 4;
  buf.writeInt32BE(message.flag, pos); pos += 4;
  buf.writeBigInt64BE(BigInt(queueOffset), pos); pos += 8;
  buf.writeBigInt64BE(BigInt(commitLogOffset), pos); pos += 8;
  buf.writeInt32BE(message.sysFlag & ~0x30, pos); pos += 4;
  buf.writeBigInt64BE(BigInt(message.bornTimestamp), pos); pos += 8;
  pos = writeHost(buf, pos, message.bornHost);
  buf.writeBigInt64BE(BigInt(storeTimestamp), pos); pos += 8;
  pos = writeHost(buf, pos, message.storeHost);
  buf.writeInt32BE(message.reconsumeTimes, pos); pos += 4;
  buf.writeBigInt64BE(BigInt(message.preparedTransactionOffset), pos); pos += 8;
  buf.writeInt32BE(message.body.length, pos); pos += 4;
  message.body.copy(buf, pos); pos += message.body.length;
  buf.writeUInt8(topic.length, pos); pos += 1;
  topic.copy(buf, pos); pos += topic.length;
  buf.writeInt16BE(props.length, pos); pos += 2;
  props.copy(buf, pos);
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

  getMessage(_group: string, topic: string, queueId: number, queueOffset: number, maxMsgNums: number, filter?: TagsCodeFilter, maxTotalBytes = 256 * 1024): GetMessageResult {
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
