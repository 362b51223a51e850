/**
 * The write path. putMessages encodes its records at offsets reserved in the commit log and joins the current
 * round; one round per event-loop turn (setImmediate) hands every queued byte to the OS in one vectored write
 * per file, dispatches the round's records to the consume queues and the index (the shared Dispatcher), writes
 * those, and then answers the puts. Under SYNC_FLUSH a put then waits for an fdatasync covering its bytes; puts
 * arriving together share one (group commit). A put is acknowledged only once its bytes are in the OS (ASYNC) or
 * on disk (SYNC): killing the process never loses an acknowledged message.
 *
 * The round does no fsync and no file creation beyond a roll: it must stay cheap (see flush-service.ts).
 */
import { MESSAGE_PROPERTIES_BYTES_MAX, SYSTEM_TOPIC_NAME_CHARS_MAX } from '../config/limits';
import { assert } from '../util/assert';
import { errorMessage } from '../util/errors';
import type { Logger } from '../util/logger';
import type { CommitLog } from './commit-log';
import type { ConsumeQueueTable } from './consume-queue-table';
import { isConsumable, storeProperties, type BuildConsumeQueue, type Dispatcher, type StoreProperties } from './dispatcher';
import type { FlushService } from './flush-service';
import type { FlushDiskType, MessageArrivingListener, MessageToStore, PutMessageResult } from './message-store';
import { offsetMsgId, prepareRecord, writeRecord, type PreparedRecord } from './record';

interface RoundItem {
  records: PreparedRecord[];
  properties: StoreProperties[];
  commitLogOffsets: number[];
  queueOffset: number;
  storeTimestamp: number;
}

interface Round {
  items: RoundItem[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface PutStats {
  putTimes: number;
  putBytes: number;
  putFailed: number;
  putMaxMs: number;
}

export interface WriteRoundDeps {
  commitLog: CommitLog;
  queues: ConsumeQueueTable;
  dispatcher: Dispatcher;
  buildConsumeQueue: BuildConsumeQueue;
  flushService: FlushService;
  flushDiskType: FlushDiskType;
  maxMessageSizeBytes: number;
  syncFlushTimeoutMs: number;
  logger: Logger;
  now: () => number;
  isRunning: () => boolean;
  listener: () => MessageArrivingListener | undefined;
}

export class WriteRoundService {
  readonly #deps: WriteRoundDeps;
  /** Next queue offset per topic@queueId, assigned at append time (CommitLog.topicQueueTable). */
  readonly #queueOffsets = new Map<string, number>();
  #round: Round | null = null;
  #writeError: string | null = null;
  #dispatchedOffset = 0;
  #lastStoreTimestamp = 0;
  readonly stats: PutStats = { putTimes: 0, putBytes: 0, putFailed: 0, putMaxMs: 0 };

  constructor(deps: WriteRoundDeps) {
    this.#deps = deps;
  }

  /** Set by recovery: everything below `offset` is dispatched; queue offsets continue from the queues' ends. */
  resume(dispatchedOffset: number): void {
    this.#dispatchedOffset = dispatchedOffset;
    this.#queueOffsets.clear();
    for (const queue of this.#deps.queues.values()) this.#queueOffsets.set(`${queue.topic}@${queue.queueId}`, queue.nextOffset);
  }

  get dispatchedOffset(): number {
    return this.#dispatchedOffset;
  }
  get lastStoreTimestamp(): number {
    return this.#lastStoreTimestamp;
  }
  /** The I/O error that stopped writes, or null. */
  get writeError(): string | null {
    return this.#writeError;
  }
  /** The round in progress, to wait for at shutdown. */
  get pending(): Promise<void> | null {
    return this.#round?.promise ?? null;
  }

  forgetQueues(topics: Set<string>): void {
    for (const key of [...this.#queueOffsets.keys()]) if (topics.has(key.slice(0, key.lastIndexOf('@')))) this.#queueOffsets.delete(key);
  }

  #validate(message: MessageToStore): PutMessageResult | null {
    if (message.body.length > this.#deps.maxMessageSizeBytes) {
      return { status: 'MESSAGE_ILLEGAL', remark: `message body of ${message.body.length} bytes exceeds the limit of ${this.#deps.maxMessageSizeBytes} bytes` };
    }
    const topicBytes = Buffer.byteLength(message.topic);
    if (topicBytes === 0 || message.topic.length > SYSTEM_TOPIC_NAME_CHARS_MAX || topicBytes > 32767) {
      return { status: 'MESSAGE_ILLEGAL', remark: `topic name length ${message.topic.length} is not within 1..${SYSTEM_TOPIC_NAME_CHARS_MAX}` };
    }
    if (Buffer.byteLength(message.propertiesString) > MESSAGE_PROPERTIES_BYTES_MAX) {
      return { status: 'PROPERTIES_SIZE_EXCEEDED', remark: `message properties exceed ${MESSAGE_PROPERTIES_BYTES_MAX} bytes` };
    }
    if (!Number.isInteger(message.queueId) || message.queueId < 0) return { status: 'MESSAGE_ILLEGAL', remark: `bad queue id ${message.queueId}` };
    return null;
  }

  /** All messages share topic and queueId; they get consecutive queue offsets and one append. */
  async putMessages(messages: MessageToStore[]): Promise<PutMessageResult> {
    const started = this.#deps.now();
    if (!this.#deps.isRunning()) return { status: 'SERVICE_NOT_AVAILABLE', remark: 'store is not running' };
    if (this.#writeError !== null) return { status: 'SERVICE_NOT_AVAILABLE', remark: `store stopped accepting writes after an I/O error: ${this.#writeError}` };
    const first = messages[0];
    if (!first) return { status: 'MESSAGE_ILLEGAL', remark: 'no messages' };
    for (const message of messages) {
      const invalid = this.#validate(message);
      if (invalid) {
        this.stats.putFailed++;
        return invalid;
      }
      if (message.topic !== first.topic || message.queueId !== first.queueId) return { status: 'MESSAGE_ILLEGAL', remark: 'a batch must share one topic and queue' };
    }
    const records = messages.map(prepareRecord);
    const properties = messages.map((m) => storeProperties(m.propertiesString));
    const total = records.reduce((sum, r) => sum + r.length, 0);
    let at: number;
    try {
      at = this.#deps.commitLog.reserve(total);
    } catch (err) {
      this.stats.putFailed++;
      if (err instanceof RangeError) return { status: 'MESSAGE_ILLEGAL', remark: err.message };
      return this.#failWrites(err);
    }
    const consumable = isConsumable(first.sysFlag);
    const key = `${first.topic}@${first.queueId}`;
    const queueOffset = consumable ? (this.#queueOffsets.get(key) ?? this.#deps.queues.get(first.topic, first.queueId)?.nextOffset ?? 0) : 0;
    if (consumable) this.#queueOffsets.set(key, queueOffset + records.length);
    const storeTimestamp = this.#deps.now();
    const buf = Buffer.allocUnsafe(total);
    const commitLogOffsets: number[] = [];
    let pos = 0;
    for (let i = 0; i < records.length; i++) {
      commitLogOffsets.push(at + pos);
      pos = writeRecord(buf, pos, records[i]!, consumable ? queueOffset + i : 0, at + pos, storeTimestamp);
    }
    assert(pos === total, `encoded ${pos} bytes of ${total} reserved`);
    this.#deps.commitLog.put(at, buf);
    const round = this.#currentRound();
    round.items.push({ records, properties, commitLogOffsets, queueOffset, storeTimestamp });
    try {
      await round.promise;
    } catch (err) {
      this.stats.putFailed++;
      return { status: 'UNKNOWN_ERROR', remark: `write failed: ${errorMessage(err)}` };
    }
    let status: PutMessageResult['status'] = 'PUT_OK';
    if (this.#deps.flushDiskType === 'SYNC_FLUSH' && properties[0]!.WAIT !== 'false') {
      const flushed = await this.#deps.flushService.waitFlushed(at + total);
      if (!flushed) status = 'FLUSH_DISK_TIMEOUT';
    }
    this.stats.putTimes += messages.length;
    this.stats.putBytes += total;
    this.stats.putMaxMs = Math.max(this.stats.putMaxMs, this.#deps.now() - started);
    return {
      status,
      appendResult: {
        commitLogOffset: at,
        wroteBytes: total,
        queueOffset,
        msgId: commitLogOffsets.map((o) => offsetMsgId(first.storeHost, o)).join(','),
        storeTimestamp,
        messageCount: records.length,
      },
      ...(status === 'FLUSH_DISK_TIMEOUT' ? { remark: `fdatasync did not complete within ${this.#deps.syncFlushTimeoutMs} ms; the message is stored but not yet confirmed on disk` } : {}),
    };
  }

  #failWrites(err: unknown): PutMessageResult {
    this.#writeError = errorMessage(err);
    this.#deps.logger.error('store write failed; refusing further writes until restart', { error: this.#writeError });
    return { status: 'UNKNOWN_ERROR', remark: `write failed: ${this.#writeError}` };
  }

  #currentRound(): Round {
    if (this.#round) return this.#round;
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const round: Round = { items: [], promise, resolve, reject };
    this.#round = round;
    setImmediate(() => this.#runRound(round));
    return round;
  }

  #runRound(round: Round): void {
    this.#round = null;
    const { commitLog, dispatcher, buildConsumeQueue } = this.#deps;
    try {
      commitLog.writeOut();
      for (const item of round.items) {
        for (let i = 0; i < item.records.length; i++) {
          const record = item.records[i]!;
          dispatcher.dispatch({
            topic: record.message.topic,
            queueId: record.message.queueId,
            commitLogOffset: item.commitLogOffsets[i]!,
            msgSize: record.length,
            queueOffset: item.queueOffset + i,
            sysFlag: record.sysFlag,
            storeTimestamp: item.storeTimestamp,
            properties: item.properties[i]!,
          });
        }
        this.#lastStoreTimestamp = item.storeTimestamp;
      }
      dispatcher.writeOut();
      this.#dispatchedOffset = commitLog.maxOffset;
    } catch (err) {
      this.#failWrites(err);
      round.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    round.resolve();
    const listener = this.#deps.listener();
    for (const { queue, tagsCode } of buildConsumeQueue.takeTouched()) {
      if (!listener) continue;
      try {
        listener(queue.topic, queue.queueId, queue.maxOffset, tagsCode);
      } catch (err) {
        this.#deps.logger.warn('message arriving listener failed', { error: errorMessage(err) });
      }
    }
  }
}
