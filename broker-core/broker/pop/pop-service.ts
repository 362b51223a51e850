/**
 * POP consumption: the engine behind the remoting codes POP_MESSAGE / ACK_MESSAGE / BATCH_ACK_MESSAGE /
 * CHANGE_MESSAGE_INVISIBLETIME and the gRPC ReceiveMessage / AckMessage / ChangeInvisibleDuration /
 * ForwardMessageToDeadLetterQueue.
 *
 * In-process API (broker.pop):
 *   receive({ group, topic, queueId?, filter?, batch, invisibleMs, pollMs, fifo?, initMode?, clientAddress?, cancelled? })
 *     → { status: 'FOUND' | 'NO_NEW_MESSAGE' | 'POLLING_FULL' | <refusal>, remark?, messages[], popTime, invisibleMs,
 *         reviveQid, restNum, startOffsetInfo, msgOffsetInfo, orderCountInfo }
 *     Every message has `receiptHandle` (the 9-field gRPC form), `extraInfo` (the 8-field remoting POP_CK form),
 *     `deliveryAttempt` (1 the first time), `record` (the stored layout; retry copies carry the asked topic and
 *     POP_CK) and `message` (decoded: body, properties, ids, timestamps, hosts).
 *     queueId undefined or -1 = every readable queue of the topic on this broker. batch 1..32. invisibleMs must lie
 *     within [minInvisibleTimeMillsForRecv, maxInvisibleTimeMills] (10 s – 12 h, the Apache Proxy's bounds), else
 *     ILLEGAL_INVISIBLE_TIME. pollMs 0 answers at once, any other value is clamped to 5–20 s (the Proxy's long polling).
 *     fifo defaults to the group's consumeMessageOrderly.
 *   ack({ group, topic, receiptHandle, queueOffset? }) → { status: 'OK' | 'INVALID_HANDLE' | 'EXPIRED_HANDLE' | …, remark? }
 *   changeInvisible({ group, topic, receiptHandle, invisibleMs, queueOffset? }) → { status, receiptHandle?, extraInfo?, popTime, invisibleMs }
 *   forwardToDeadLetter({ group, topic, receiptHandle, queueOffset? }) → { status } (the message goes to %DLQ%<group> now)
 *   maxAttempts(group) → the group's retryMaxTimes + 1
 *
 * Semantics. A popped message is invisible to the group for invisibleMs. An ack before that ends it; otherwise it
 * comes back: a normal message is copied to the group's POP retry topic `%RETRY%<group>_<topic>` (queue 0) with
 * reconsumeTimes + 1, and popped from there (a pop reads the retry topic too, as RocketMQ: first with a 20 %
 * chance, else when the topic gave less than the batch); after maxAttempts deliveries it goes to `%DLQ%<group>`
 * instead. A FIFO group (consumeMessageOrderly) pops a queue only while nothing popped from it is still invisible:
 * the messages of one message group (__SHARDINGKEY, which producers hash to one queue) come in order, and a queue
 * stays blocked until its popped messages are acked or their invisible time ends; unacked ones are then delivered
 * again, first, in queue order, with deliveryAttempt + 1 (and to the DLQ after maxAttempts, so the queue moves on).
 * Acks and invisible-time changes need the handle of the current delivery: a handle of an earlier delivery, of an
 * acked message, or whose invisible time has passed, is EXPIRED_HANDLE; a handle that does not parse, INVALID_HANDLE.
 *
 * Durability (RocketMQ's revive topic, simplified): every state change is a small JSON record appended to the commit
 * log under the system topic `rmq_sys_REVIVE_LOG_<cluster>` (queue 0), before the change is answered, so it has the
 * store's flush guarantees (SYNC_FLUSH included):
 *   ck   a pop: group, topic, queue, popTime, invisibleMs, fifo, and per message its queue offset, commit-log offset
 *        and delivery attempt; plus the queue's next read offset
 *   chg  an invisible-time change: the same for one message, with the popTime it replaces
 *   ack  acks (and revivals: copied to the retry topic, or the DLQ): group, topic, queue, popTime, queue offsets
 * `config/popCheckpoint.json` holds the revive-log offset of the oldest record still needed (the earliest ck/chg of
 * a message still in flight); it is written every few seconds right after the consumer offsets, which hold every
 * queue's next read offset. A restart reads the log from there and applies the records in order, which rebuilds the
 * in-flight table exactly: nothing acked comes back, nothing popped is lost (its invisible time runs on, and it is
 * revived when that ends, even if the broker was down then).
 */
import path from 'node:path';
import {
  POP_BATCH_MESSAGES_MAX,
  POP_INFLIGHT_MESSAGES_MAX,
  POP_POLL_MS_MAX,
  POP_POLL_MS_MIN,
  POP_POLLING_PER_TOPIC_MAX,
  POP_POLLING_REQUESTS_MAX,
  POP_CHECKPOINT_INTERVAL_MS,
  POP_REVIVE_TICK_MS,
  PULL_BYTES_MAX,
} from '../../config/limits';
import type { GetMessageResult, MessageStore } from '../../store/message-store';
import { prepareRecord, writeRecord } from '../../store/record';
import type { Logger } from '../../util/logger';
import { MinHeap } from '../../util/min-heap';
import type { BrokerConfig } from '../broker-config';
import { readJsonFile, writeFileAtomic } from '../config/json-file';
import { buildSubscriptionData, tagsCodeFilter, type SubscriptionData } from '../filter/subscription';
import { compileSql92, type Sql92Filter } from '../filter/sql92';
import type { SubscriptionGroupManager } from '../groups/subscription-group-manager';
import { decodePropertiesString, encodePropertiesString, messageFromRecord, readStoredRecord, type StoredRecord } from '../message/message-util';
import type { ConsumerOffsetManager } from '../offsets/consumer-offset-manager';
import { DLQ_GROUP_TOPIC_PREFIX, PermName, RETRY_GROUP_TOPIC_PREFIX, isPermReadable, type TopicConfigManager } from '../topics/topic-config-manager';
import {
  POP_ORDER_REVIVE_QUEUE,
  buildReceiptHandle,
  msgOffsetInfoEntry,
  orderCountInfoEntry,
  parseReceiptHandle,
  popRetryTopic,
  realTopicOf,
  retryFlagOf,
  startOffsetInfoEntry,
  type ReceiptHandle,
} from './pop-receipt';

export const REVIVE_TOPIC_PREFIX = 'rmq_sys_REVIVE_LOG_';
const REVIVE_GROUP = 'CID_RMQ_SYS_REVIVE';
const PROPERTY_POP_CK = 'POP_CK';
const PROPERTY_FIRST_POP_TIME = '1ST_POP_TIME';
/** Chance (percent) that a pop reads the retry topic before the topic (RocketMQ popFromRetryProbability). */
const POP_FROM_RETRY_PERCENT = 20;

export interface PopFilter {
  type: 'TAG' | 'SQL92';
  expression: string;
}

/** ConsumeInitMode: where a group starts on a queue it never popped. */
export const ConsumeInitMode = { MAX: 0, MIN: 1 } as const;

export interface PopReceiveRequest {
  group: string;
  topic: string;
  /** undefined or -1: every readable queue of the topic on this broker. */
  queueId?: number;
  filter?: PopFilter;
  batch: number;
  invisibleMs: number;
  /** 0: answer at once; otherwise clamped to POP_POLL_MS_MIN..POP_POLL_MS_MAX. */
  pollMs: number;
  /** Default: the group's consumeMessageOrderly. */
  fifo?: boolean;
  initMode?: number;
  clientAddress?: string;
  /** Asked before messages are taken (a closed connection must not take them). */
  cancelled?: () => boolean;
}

export type PopRefusal = 'TOPIC_NOT_EXIST' | 'SUBSCRIPTION_GROUP_NOT_EXIST' | 'NO_PERMISSION' | 'INVALID_PARAMETER' | 'ILLEGAL_INVISIBLE_TIME' | 'SUBSCRIPTION_PARSE_FAILED' | 'SYSTEM_BUSY';
export type PopReceiveStatus = 'FOUND' | 'NO_NEW_MESSAGE' | 'POLLING_FULL' | PopRefusal;

export interface PoppedMessage {
  /** The topic the consumer asked for (also for a retry copy). */
  topic: string;
  /** Where the message is stored: the topic, or the group's POP retry topic. */
  storedTopic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  deliveryAttempt: number;
  receiptHandle: string;
  extraInfo: string;
  popTime: number;
  invisibleMs: number;
  /** The stored record; a retry copy is re-encoded with `topic` and POP_CK = extraInfo. */
  record: Buffer;
  message: StoredRecord;
}

export interface PopReceiveResult {
  status: PopReceiveStatus;
  remark?: string;
  messages: PoppedMessage[];
  popTime: number;
  invisibleMs: number;
  reviveQid: number;
  restNum: number;
  startOffsetInfo: string;
  msgOffsetInfo: string;
  orderCountInfo: string;
}

export type PopHandleStatus = 'OK' | 'INVALID_HANDLE' | 'EXPIRED_HANDLE' | 'TOPIC_NOT_EXIST' | 'ILLEGAL_INVISIBLE_TIME' | 'SYSTEM_ERROR';

export interface PopHandleRequest {
  group: string;
  topic: string;
  receiptHandle: string;
  /** The message's queue offset when the handle is the 7-field form. */
  queueOffset?: number;
  /** ACK_MESSAGE's queueId (checked against the handle's). */
  queueId?: number;
}

export interface PopHandleResult {
  status: PopHandleStatus;
  remark?: string;
}

export interface ChangeInvisibleResult extends PopHandleResult {
  receiptHandle?: string;
  extraInfo?: string;
  popTime?: number;
  invisibleMs?: number;
  reviveQid?: number;
}

/** One popped message of a group, in flight until acked, revived or dead-lettered. */
interface Inflight {
  key: string;
  group: string;
  /** Stored topic (the topic or its POP retry topic). */
  topic: string;
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  ckQueueOffset: number;
  popTime: number;
  invisibleMs: number;
  deadline: number;
  attempt: number;
  fifo: boolean;
  /** Revive-log queue offset of the record that set this state; Infinity while that record is being written. */
  reviveOffset: number;
  /** An ack, change or revival of it is being written. */
  busy: boolean;
}

interface CheckpointMessage {
  o: number;
  c: number;
  a: number;
}

/** Revive-log records (bodies are JSON). */
type ReviveRecord =
  | { k: 'ck'; g: string; t: string; q: number; pt: number; it: number; f: 0 | 1; so: number; nb: number; m: CheckpointMessage[] }
  | { k: 'chg'; g: string; t: string; q: number; pt: number; it: number; f: 0 | 1; so: number; prev: number; m: CheckpointMessage[] }
  | { k: 'ack'; g: string; t: string; q: number; pt: number; os: number[]; r?: 'revive' | 'dlq' };

interface Waiter {
  topics: string[];
  wake: () => void;
}

export interface PopServiceOptions {
  config: BrokerConfig;
  store: MessageStore;
  topicConfigManager: TopicConfigManager;
  subscriptionGroupManager: SubscriptionGroupManager;
  consumerOffsetManager: ConsumerOffsetManager;
  logger: Logger;
  storeHost: () => { address: string; port: number };
  registerBrokerAll: () => void;
}

function inflightKey(group: string, topic: string, queueId: number, queueOffset: number): string {
  return `${group}\u0001${topic}\u0001${queueId}\u0001${queueOffset}`;
}

function queueKey(group: string, topic: string, queueId: number): string {
  return `${group}\u0001${topic}\u0001${queueId}`;
}

const EMPTY_RESULT = { messages: [], popTime: 0, invisibleMs: 0, reviveQid: 0, restNum: 0, startOffsetInfo: '', msgOffsetInfo: '', orderCountInfo: '' };

export class PopService {
  readonly reviveTopic: string;
  readonly #o: PopServiceOptions;
  readonly #inflight = new Map<string, Inflight>();
  /** In-flight entries by deadline; a stale item (entry gone, or deadline changed since) is skipped when popped. */
  readonly #heap = new MinHeap<{ deadline: number; entry: Inflight }>((item) => item.deadline);
  /** Unresolved entries of FIFO queues (group, stored topic, queue), expired ones included. */
  readonly #fifoQueues = new Map<string, Set<Inflight>>();
  /** Next queue offset to read per (group, stored topic, queue). */
  readonly #nextRead = new Map<string, number>();
  /** Queues being popped right now (a pop reads, records, then answers; another pop of the queue waits its turn). */
  readonly #popping = new Set<string>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  #waiterCount = 0;
  #reviveTimer: NodeJS.Timeout | undefined;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #reviving = false;
  #started = false;
  readonly #checkpointFile: string;
  #queueCursor = 0;

  constructor(options: PopServiceOptions) {
    this.#o = options;
    this.reviveTopic = REVIVE_TOPIC_PREFIX + options.config.brokerClusterName;
    this.#checkpointFile = path.join(options.config.storePathRootDir, 'config', 'popCheckpoint.json');
  }

  /** Messages in flight (popped, not yet acked, revived or dead-lettered). */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Held POP requests (long polling). */
  get pollingCount(): number {
    return this.#waiterCount;
  }

  maxAttempts(group: string): number {
    const config = this.#o.subscriptionGroupManager.get(group);
    return (config?.retryMaxTimes ?? 16) + 1;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Creates the revive topic, replays the revive log from the checkpoint, starts the revive and checkpoint timers. */
  start(): void {
    const { topicConfigManager } = this.#o;
    if (!topicConfigManager.get(this.reviveTopic)) {
      topicConfigManager.createTopicIfAbsent(this.reviveTopic, 1, PermName.PERM_READ | PermName.PERM_WRITE);
    }
    this.#replay();
    this.#started = true;
    this.#reviveTimer = setInterval(() => void this.#reviveDue(), POP_REVIVE_TICK_MS);
    this.#reviveTimer.unref();
    this.#checkpointTimer = setInterval(() => this.#writeCheckpointSafely(), POP_CHECKPOINT_INTERVAL_MS);
    this.#checkpointTimer.unref();
  }

  shutdown(): void {
    this.#started = false;
    if (this.#reviveTimer) clearInterval(this.#reviveTimer);
    if (this.#checkpointTimer) clearInterval(this.#checkpointTimer);
    for (const set of this.#waiters.values()) for (const waiter of set) waiter.wake();
    this.#writeCheckpointSafely();
  }

  #writeCheckpointSafely(): void {
    try {
      this.writeCheckpoint();
    } catch (err) {
      this.#o.logger.warn('writing the POP checkpoint failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Consumer offsets first (they hold every queue's next read), then the oldest revive-log record still needed. */
  writeCheckpoint(): void {
    let reviveOffset = this.#o.store.getMaxOffsetInQueue(this.reviveTopic, 0);
    for (const entry of this.#inflight.values()) if (entry.reviveOffset < reviveOffset) reviveOffset = entry.reviveOffset;
    this.#o.consumerOffsetManager.flushIfDirty();
    writeFileAtomic(this.#checkpointFile, JSON.stringify({ version: 1, reviveQueueOffset: reviveOffset }));
  }

  #replay(): void {
    const raw = readJsonFile(this.#checkpointFile, this.#o.logger) as { reviveQueueOffset?: unknown } | undefined;
    const { store } = this.#o;
    const minOffset = store.getMinOffsetInQueue(this.reviveTopic, 0);
    let queueOffset = typeof raw?.reviveQueueOffset === 'number' && Number.isSafeInteger(raw.reviveQueueOffset) ? raw.reviveQueueOffset : minOffset;
    queueOffset = Math.max(queueOffset, minOffset);
    const maxOffset = store.getMaxOffsetInQueue(this.reviveTopic, 0);
    let applied = 0;
    while (queueOffset < maxOffset) {
      const result = store.getMessage(REVIVE_GROUP, this.reviveTopic, 0, queueOffset, 32);
      if (result.status !== 'FOUND') {
        if (result.nextBeginOffset > queueOffset) {
          queueOffset = result.nextBeginOffset;
          continue;
        }
        break;
      }
      for (let i = 0; i < result.messages.length; i++) {
        const at = result.queueOffsets[i]!;
        try {
          this.#apply(JSON.parse(readStoredRecord(result.messages[i]!).body.toString('utf8')) as ReviveRecord, at);
          applied++;
        } catch (err) {
          this.#o.logger.error('a POP revive-log record could not be read; skipped', { queueOffset: at, error: err instanceof Error ? err.message : String(err) });
        }
      }
      queueOffset = result.nextBeginOffset;
    }
    if (applied > 0 || this.#inflight.size > 0) this.#o.logger.info('POP state recovered', { records: applied, inflight: this.#inflight.size });
  }

  /** Applies one revive-log record (replay; the live paths change the same state directly). */
  #apply(record: ReviveRecord, reviveOffset: number): void {
    if (record.k === 'ack') {
      for (const queueOffset of record.os) {
        const entry = this.#inflight.get(inflightKey(record.g, record.t, record.q, queueOffset));
        if (entry && entry.popTime === record.pt) this.#remove(entry);
      }
      return;
    }
    if (record.k === 'chg') {
      const entry = this.#inflight.get(inflightKey(record.g, record.t, record.q, record.m[0]!.o));
      if (entry && entry.popTime !== record.prev) return;
    }
    for (const message of record.m) {
      const existing = this.#inflight.get(inflightKey(record.g, record.t, record.q, message.o));
      if (existing) this.#remove(existing);
      this.#add({
        group: record.g,
        topic: record.t,
        queueId: record.q,
        queueOffset: message.o,
        commitLogOffset: message.c,
        attempt: message.a,
        ckQueueOffset: record.so,
        popTime: record.pt,
        invisibleMs: record.it,
        fifo: record.f === 1,
        reviveOffset,
      });
    }
    if (record.k === 'ck') {
      const key = queueKey(record.g, record.t, record.q);
      const committed = this.#o.consumerOffsetManager.queryOffset(record.g, record.t, record.q);
      this.#nextRead.set(key, Math.max(this.#nextRead.get(key) ?? committed, committed, record.nb));
      this.#commit(record.g, record.t, record.q, 'replay');
    }
  }

  #add(fields: Omit<Inflight, 'key' | 'deadline' | 'busy'>): Inflight {
    const entry: Inflight = { ...fields, key: inflightKey(fields.group, fields.topic, fields.queueId, fields.queueOffset), deadline: fields.popTime + fields.invisibleMs, busy: false };
    this.#inflight.set(entry.key, entry);
    this.#heap.push({ deadline: entry.deadline, entry });
    if (entry.fifo) {
      const key = queueKey(entry.group, entry.topic, entry.queueId);
      let set = this.#fifoQueues.get(key);
      if (!set) this.#fifoQueues.set(key, (set = new Set()));
      set.add(entry);
    }
    return entry;
  }

  #remove(entry: Inflight): void {
    if (this.#inflight.get(entry.key) !== entry) return;
    this.#inflight.delete(entry.key);
    if (entry.fifo) {
      const key = queueKey(entry.group, entry.topic, entry.queueId);
      const set = this.#fifoQueues.get(key);
      set?.delete(entry);
      if (set && set.size === 0) this.#fifoQueues.delete(key);
    }
  }

  async #appendRecord(record: ReviveRecord): Promise<number> {
    const host = this.#o.storeHost();
    const put = await this.#o.store.putMessage({
      topic: this.reviveTopic,
      queueId: 0,
      flag: 0,
      sysFlag: 0,
      body: Buffer.from(JSON.stringify(record)),
      propertiesString: encodePropertiesString({ TAGS: record.k }),
      bornTimestamp: Date.now(),
      bornHost: host,
      storeHost: host,
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    });
    if ((put.status !== 'PUT_OK' && put.status !== 'FLUSH_DISK_TIMEOUT') || !put.appendResult) {
      throw new Error(`the POP revive log refused the record: ${put.status}${put.remark ? ` (${put.remark})` : ''}`);
    }
    return put.appendResult.queueOffset;
  }

  // ---------------------------------------------------------------- receive

  async receive(request: PopReceiveRequest): Promise<PopReceiveResult> {
    const checked = this.#checkReceive(request);
    if ('status' in checked) return { ...EMPTY_RESULT, ...checked };
    const { queueIds, subscription, sql, fifo } = checked;
    const pollMs = request.pollMs <= 0 ? 0 : Math.max(POP_POLL_MS_MIN, Math.min(request.pollMs, POP_POLL_MS_MAX));
    const deadline = Date.now() + pollMs;
    const retryTopic = popRetryTopic(request.topic, request.group);
    for (;;) {
      if (request.cancelled?.()) return { ...EMPTY_RESULT, status: 'NO_NEW_MESSAGE', remark: 'the request was cancelled' };
      const result = await this.#popOnce(request, queueIds, subscription, sql, fifo);
      if (result.messages.length > 0) return result;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return result;
      const waited = await this.#waitForArrival([request.topic, retryTopic], remaining);
      if (waited === 'full') return { ...result, status: 'POLLING_FULL', remark: 'polling full' };
      if (!this.#started) return result;
    }
  }

  #checkReceive(request: PopReceiveRequest): { status: PopRefusal; remark: string } | { queueIds: number[]; subscription: SubscriptionData | null; sql: Sql92Filter | null; fifo: boolean } {
    const { config, topicConfigManager, subscriptionGroupManager } = this.#o;
    if (!this.#started) return { status: 'SYSTEM_BUSY', remark: 'the POP service is not running' };
    if (!isPermReadable(config.brokerPermission)) return { status: 'NO_PERMISSION', remark: `the broker[${config.brokerIP1}] pop message is forbidden` };
    if (!Number.isInteger(request.batch) || request.batch < 1 || request.batch > POP_BATCH_MESSAGES_MAX) {
      return { status: 'INVALID_PARAMETER', remark: `the batch size ${request.batch} is out of range [1, ${POP_BATCH_MESSAGES_MAX}]` };
    }
    const invisibleCheck = this.#checkInvisible(request.invisibleMs);
    if (invisibleCheck) return { status: 'ILLEGAL_INVISIBLE_TIME', remark: invisibleCheck };
    const topicConfig = topicConfigManager.get(request.topic);
    if (!topicConfig) return { status: 'TOPIC_NOT_EXIST', remark: `topic[${request.topic}] not exist, apply first please!` };
    if (!isPermReadable(topicConfig.perm)) return { status: 'NO_PERMISSION', remark: `the topic[${request.topic}] peeking message is forbidden` };
    const queueId = request.queueId ?? -1;
    if (!Number.isInteger(queueId) || queueId < -1 || queueId >= topicConfig.readQueueNums) {
      return { status: 'INVALID_PARAMETER', remark: `queueId[${queueId}] is illegal, topic:[${request.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}]` };
    }
    const groupConfig = subscriptionGroupManager.findOrCreate(request.group);
    if (!groupConfig) return { status: 'SUBSCRIPTION_GROUP_NOT_EXIST', remark: `subscription group [${request.group}] does not exist` };
    if (!groupConfig.consumeEnable) return { status: 'NO_PERMISSION', remark: `subscription group no permission, ${request.group}` };
    let subscription: SubscriptionData | null = null;
    let sql: Sql92Filter | null = null;
    if (request.filter?.type === 'SQL92') {
      try {
        sql = compileSql92(request.filter.expression);
      } catch (err) {
        return { status: 'SUBSCRIPTION_PARSE_FAILED', remark: `parse the consumer's subscription[${request.filter.expression.slice(0, 256)}] failed: ${(err as Error).message}` };
      }
    } else if (request.filter && request.filter.expression.trim() !== '' && request.filter.expression.trim() !== '*') {
      subscription = buildSubscriptionData(request.topic, request.filter.expression);
      if (!subscription) return { status: 'SUBSCRIPTION_PARSE_FAILED', remark: `parse the consumer's subscription[${request.filter.expression.slice(0, 256)}] failed` };
    }
    const queueIds = queueId >= 0 ? [queueId] : Array.from({ length: topicConfig.readQueueNums }, (_, i) => i);
    return { queueIds, subscription, sql, fifo: request.fifo ?? groupConfig.consumeMessageOrderly };
  }

  #checkInvisible(invisibleMs: number): string | null {
    const { minInvisibleTimeMillsForRecv: min, maxInvisibleTimeMills: max } = this.#o.config;
    if (!Number.isSafeInteger(invisibleMs) || invisibleMs < min) return `the invisible time ${invisibleMs} ms is too small, the least is ${min} ms`;
    if (invisibleMs > max) return `the invisible time ${invisibleMs} ms is too large, the most is ${max} ms`;
    return null;
  }

  async #popOnce(request: PopReceiveRequest, queueIds: number[], subscription: SubscriptionData | null, sql: Sql92Filter | null, fifo: boolean): Promise<PopReceiveResult> {
    const popTime = Date.now();
    const context: PopContext = {
      request,
      popTime,
      fifo,
      subscription,
      sql,
      messages: [],
      restNum: 0,
      startOffsetInfo: [],
      msgOffsetInfo: [],
      orderCountInfo: [],
    };
    if (this.#inflight.size >= POP_INFLIGHT_MESSAGES_MAX) {
      return { ...EMPTY_RESULT, status: 'SYSTEM_BUSY', remark: `more than ${POP_INFLIGHT_MESSAGES_MAX} messages are in flight on this broker` };
    }
    const retryTopic = popRetryTopic(request.topic, request.group);
    const retryFirst = !fifo && Math.random() * 100 < POP_FROM_RETRY_PERCENT;
    if (retryFirst) await this.#popQueue(context, retryTopic, 0, true);
    const start = this.#queueCursor++ % queueIds.length;
    for (let i = 0; i < queueIds.length; i++) {
      if (context.messages.length >= request.batch) {
        for (let j = i; j < queueIds.length; j++) context.restNum += this.#backlog(request.group, request.topic, queueIds[(start + j) % queueIds.length]!);
        break;
      }
      await this.#popQueue(context, request.topic, queueIds[(start + i) % queueIds.length]!, false);
    }
    if (!retryFirst && !fifo && context.messages.length < request.batch) await this.#popQueue(context, retryTopic, 0, true);
    return {
      status: context.messages.length > 0 ? 'FOUND' : 'NO_NEW_MESSAGE',
      messages: context.messages,
      popTime,
      invisibleMs: request.invisibleMs,
      reviveQid: fifo ? POP_ORDER_REVIVE_QUEUE : 0,
      restNum: context.restNum,
      startOffsetInfo: context.startOffsetInfo.join(';'),
      msgOffsetInfo: context.msgOffsetInfo.join(';'),
      orderCountInfo: context.orderCountInfo.join(';'),
    };
  }

  #backlog(group: string, topic: string, queueId: number): number {
    const next = this.#nextRead.get(queueKey(group, topic, queueId)) ?? this.#o.consumerOffsetManager.queryOffset(group, topic, queueId);
    return Math.max(0, this.#o.store.getMaxOffsetInQueue(topic, queueId) - Math.max(0, next));
  }

  /** The next queue offset to read; a queue never popped starts as RocketMQ's getInitOffset does (see README). */
  #readOffset(group: string, topic: string, queueId: number, initMode: number): number {
    const key = queueKey(group, topic, queueId);
    let next = this.#nextRead.get(key);
    if (next !== undefined) return next;
    const { store, consumerOffsetManager } = this.#o;
    const committed = consumerOffsetManager.queryOffset(group, topic, queueId);
    if (committed >= 0) {
      next = committed;
    } else {
      const min = store.getMinOffsetInQueue(topic, queueId);
      const max = store.getMaxOffsetInQueue(topic, queueId);
      // RocketMQ: MIN mode and retry topics start at the first message; MAX mode at the last one, unless the queue
      // still holds its very first message (initPopOffsetByCheckMsgInMem), then at it.
      next = initMode === ConsumeInitMode.MIN || topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || min === 0 ? min : Math.max(min, max - 1);
    }
    this.#nextRead.set(key, next);
    return next;
  }

  /** Commits what a restart must not read again: the next read offset (FIFO: the first unresolved offset). */
  #commit(group: string, topic: string, queueId: number, clientAddress: string): void {
    const key = queueKey(group, topic, queueId);
    let offset = this.#nextRead.get(key);
    if (offset === undefined) return;
    const set = this.#fifoQueues.get(key);
    if (set) for (const entry of set) offset = Math.min(offset, entry.queueOffset);
    this.#o.consumerOffsetManager.commitOffset(clientAddress, group, topic, queueId, offset);
  }

  async #popQueue(context: PopContext, topic: string, queueId: number, isRetry: boolean): Promise<void> {
    const { request } = context;
    const lockKey = queueKey(request.group, topic, queueId);
    if (this.#popping.has(lockKey)) return;
    if (isRetry && !this.#o.topicConfigManager.get(topic)) return;
    const want = request.batch - context.messages.length;
    if (want <= 0) {
      context.restNum += this.#backlog(request.group, topic, queueId);
      return;
    }
    this.#popping.add(lockKey);
    try {
      const picked = this.#pick(context, topic, queueId, want);
      if (picked.length === 0 || request.cancelled?.()) {
        if (picked.length === 0) this.#commit(request.group, topic, queueId, request.clientAddress ?? 'pop');
        return;
      }
      await this.#takeAndRecord(context, topic, queueId, isRetry, picked);
    } finally {
      this.#popping.delete(lockKey);
    }
  }

  /** Chooses the messages of one queue: FIFO re-deliveries first (when unblocked), then new ones from the next read offset. */
  #pick(context: PopContext, topic: string, queueId: number, want: number): Picked[] {
    const { request, popTime, fifo } = context;
    const key = queueKey(request.group, topic, queueId);
    const picked: Picked[] = [];
    if (fifo) {
      const unresolved = [...(this.#fifoQueues.get(key) ?? [])];
      if (unresolved.some((entry) => entry.deadline > popTime || entry.busy)) return picked; // blocked until acked or expired
      unresolved.sort((a, b) => a.queueOffset - b.queueOffset);
      for (const entry of unresolved) {
        if (picked.length >= want) return picked;
        const record = this.#o.store.lookMessageByOffset(entry.commitLogOffset);
        if (!record) {
          this.#remove(entry); // the commit log no longer has it (retention)
          continue;
        }
        picked.push({ record, queueOffset: entry.queueOffset, commitLogOffset: entry.commitLogOffset, attempt: entry.attempt + 1, previous: entry });
      }
    }
    let next = this.#readOffset(request.group, topic, queueId, request.initMode ?? ConsumeInitMode.MAX);
    const filter = tagsCodeFilter(context.subscription);
    for (let round = 0; round < 2 && picked.length < want; round++) {
      const result: GetMessageResult = this.#o.store.getMessage(request.group, topic, queueId, next, want - picked.length, filter, PULL_BYTES_MAX);
      if (result.status === 'OFFSET_TOO_SMALL' || result.status === 'OFFSET_OVERFLOW_BADLY' || result.status === 'OFFSET_FOUND_NULL') {
        if (result.nextBeginOffset === next) break;
        next = result.nextBeginOffset; // the offset is no longer valid: move to where the queue is
        continue;
      }
      if (result.status === 'NO_MATCHED_MESSAGE' || result.status === 'MESSAGE_WAS_REMOVING') next = Math.max(next, result.nextBeginOffset);
      if (result.status !== 'FOUND') break;
      for (let i = 0; i < result.messages.length; i++) {
        const record = result.messages[i]!;
        if (context.subscription && !tagMatches(context.subscription, record)) continue;
        if (context.sql && !context.sql.matches(readStoredRecord(record).properties)) continue;
        picked.push({ record, queueOffset: result.queueOffsets[i]!, commitLogOffset: Number(record.readBigInt64BE(28)), attempt: record.readInt32BE(reconsumeTimesPosition(record)) + 1, previous: undefined });
      }
      next = result.nextBeginOffset;
      context.restNum += Math.max(0, result.maxOffset - next);
      break;
    }
    this.#nextRead.set(key, Math.max(this.#nextRead.get(key) ?? next, next));
    return picked;
  }

  /** Dead-letters what used up its attempts, records the pop (ck) and fills the answer. */
  async #takeAndRecord(context: PopContext, topic: string, queueId: number, isRetry: boolean, picked: Picked[]): Promise<void> {
    const { request, popTime, fifo } = context;
    const maxAttempts = this.maxAttempts(request.group);
    const delivered: Picked[] = [];
    for (const item of picked) {
      if (fifo && item.previous && item.attempt > maxAttempts) {
        await this.#deadLetter(item.previous, 'dlq');
        continue;
      }
      delivered.push(item);
    }
    if (delivered.length === 0) {
      this.#commit(request.group, topic, queueId, request.clientAddress ?? 'pop');
      return;
    }
    const startOffset = delivered[0]!.queueOffset;
    const entries: Inflight[] = [];
    for (const item of delivered) {
      if (item.previous) this.#remove(item.previous);
      entries.push(this.#add({ group: request.group, topic, queueId, queueOffset: item.queueOffset, commitLogOffset: item.commitLogOffset, attempt: item.attempt, ckQueueOffset: startOffset, popTime, invisibleMs: request.invisibleMs, fifo, reviveOffset: Number.POSITIVE_INFINITY }));
    }
    const nextBegin = this.#nextRead.get(queueKey(request.group, topic, queueId)) ?? startOffset;
    this.#commit(request.group, topic, queueId, request.clientAddress ?? 'pop');
    try {
      const reviveOffset = await this.#appendRecord({
        k: 'ck', g: request.group, t: topic, q: queueId, pt: popTime, it: request.invisibleMs, f: fifo ? 1 : 0, so: startOffset, nb: nextBegin,
        m: delivered.map((item) => ({ o: item.queueOffset, c: item.commitLogOffset, a: item.attempt })),
      });
      for (const entry of entries) entry.reviveOffset = reviveOffset;
    } catch (err) {
      // Not recorded: the messages are not handed out; they come back once their (now) invisible time ends.
      for (const entry of entries) {
        entry.deadline = Date.now();
        entry.reviveOffset = 0;
        this.#heap.push({ deadline: entry.deadline, entry });
      }
      this.#o.logger.warn('POP checkpoint not written; the messages will be delivered again', { group: request.group, topic, queueId, error: (err as Error).message });
      return;
    }
    const brokerName = this.#o.config.brokerName;
    const offsets = delivered.map((item) => item.queueOffset);
    context.startOffsetInfo.push(startOffsetInfoEntry(topic, queueId, startOffset));
    context.msgOffsetInfo.push(msgOffsetInfoEntry(topic, queueId, offsets));
    for (const item of delivered) {
      const handle: ReceiptHandle = { ckQueueOffset: startOffset, popTime, invisibleTime: request.invisibleMs, reviveQid: fifo ? POP_ORDER_REVIVE_QUEUE : 0, retryFlag: retryFlagOf(topic), brokerName, queueId, queueOffset: item.queueOffset };
      const extraInfo = buildReceiptHandle(handle);
      if (fifo) context.orderCountInfo.push(orderCountInfoEntry(topic, queueId, item.queueOffset, item.attempt - 1));
      let record = item.record;
      if (isRetry) record = reencodeForTopic(record, request.topic, { [PROPERTY_POP_CK]: extraInfo });
      const message = readStoredRecord(record);
      context.messages.push({
        topic: request.topic,
        storedTopic: topic,
        queueId,
        queueOffset: item.queueOffset,
        commitLogOffset: item.commitLogOffset,
        deliveryAttempt: item.attempt,
        receiptHandle: buildReceiptHandle({ ...handle, commitLogOffset: item.commitLogOffset }),
        extraInfo,
        popTime,
        invisibleMs: request.invisibleMs,
        record,
        message,
      });
    }
  }

  // ---------------------------------------------------------------- long polling

  #waitForArrival(topics: string[], timeoutMs: number): Promise<'woken' | 'timeout' | 'full'> {
    if (this.#waiterCount >= POP_POLLING_REQUESTS_MAX) return Promise.resolve('full');
    for (const topic of topics) if ((this.#waiters.get(topic)?.size ?? 0) >= POP_POLLING_PER_TOPIC_MAX) return Promise.resolve('full');
    return new Promise((resolve) => {
      let done = false;
      const waiter: Waiter = {
        topics,
        wake: () => finish('woken'),
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const finish = (outcome: 'woken' | 'timeout') => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const topic of topics) {
          const set = this.#waiters.get(topic);
          set?.delete(waiter);
          if (set && set.size === 0) this.#waiters.delete(topic);
        }
        this.#waiterCount--;
        resolve(outcome);
      };
      this.#waiterCount++;
      for (const topic of topics) {
        let set = this.#waiters.get(topic);
        if (!set) this.#waiters.set(topic, (set = new Set()));
        set.add(waiter);
      }
    });
  }

  /** A message arrived on a topic (the store's arrival listener), or a FIFO queue of it became poppable. */
  notifyMessageArriving(topic: string): void {
    const set = this.#waiters.get(topic);
    if (!set) return;
    for (const waiter of [...set]) waiter.wake();
  }

  // ---------------------------------------------------------------- ack / change / DLQ

  #resolveHandle(request: PopHandleRequest): { entry: Inflight; handle: ReceiptHandle } | PopHandleResult {
    const handle = parseReceiptHandle(request.receiptHandle);
    if (!handle) return { status: 'INVALID_HANDLE', remark: `the receipt handle is malformed: ${preview(request.receiptHandle)}` };
    const queueOffset = handle.queueOffset ?? request.queueOffset;
    if (queueOffset === undefined) return { status: 'INVALID_HANDLE', remark: 'the receipt handle has no queue offset' };
    if (request.queueId !== undefined && request.queueId !== handle.queueId) return { status: 'INVALID_HANDLE', remark: `the receipt handle is for queue ${handle.queueId}, not ${request.queueId}` };
    if (handle.brokerName !== this.#o.config.brokerName) return { status: 'INVALID_HANDLE', remark: `the receipt handle is for broker ${handle.brokerName}, not ${this.#o.config.brokerName}` };
    const topic = realTopicOf(request.topic, request.group, handle.retryFlag);
    if (!this.#o.topicConfigManager.get(topic)) return { status: 'TOPIC_NOT_EXIST', remark: `topic[${topic}] not exist, apply first please!` };
    const entry = this.#inflight.get(inflightKey(request.group, topic, handle.queueId, queueOffset));
    if (!entry || entry.popTime !== handle.popTime) {
      return { status: 'EXPIRED_HANDLE', remark: `the receipt handle is expired: the message at ${topic}:${handle.queueId}:${queueOffset} was acked or delivered again since` };
    }
    if (entry.busy) return { status: 'EXPIRED_HANDLE', remark: 'the message is being acked or delivered again' };
    if (entry.deadline <= Date.now()) return { status: 'EXPIRED_HANDLE', remark: 'the receipt handle is expired: its invisible time has passed' };
    return { entry, handle };
  }

  async ack(request: PopHandleRequest): Promise<PopHandleResult> {
    const resolved = this.#resolveHandle(request);
    if ('status' in resolved) return resolved;
    const { entry } = resolved;
    entry.busy = true;
    try {
      await this.#appendRecord({ k: 'ack', g: entry.group, t: entry.topic, q: entry.queueId, pt: entry.popTime, os: [entry.queueOffset] });
    } catch (err) {
      entry.busy = false;
      return { status: 'SYSTEM_ERROR', remark: (err as Error).message };
    }
    this.#resolved(entry);
    return { status: 'OK' };
  }

  /** Ends an entry (acked, revived or dead-lettered): FIFO queues move their committed offset and wake pollers. */
  #resolved(entry: Inflight): void {
    this.#remove(entry);
    if (entry.fifo) {
      this.#commit(entry.group, entry.topic, entry.queueId, 'ack');
      if (!this.#fifoQueues.has(queueKey(entry.group, entry.topic, entry.queueId))) this.notifyMessageArriving(entry.topic);
    }
  }

  async changeInvisible(request: PopHandleRequest & { invisibleMs: number }): Promise<ChangeInvisibleResult> {
    const invisibleCheck = this.#checkInvisible(request.invisibleMs);
    if (invisibleCheck) return { status: 'ILLEGAL_INVISIBLE_TIME', remark: invisibleCheck };
    const resolved = this.#resolveHandle(request);
    if ('status' in resolved) return resolved;
    const { entry, handle } = resolved;
    const popTime = Date.now();
    entry.busy = true;
    let reviveOffset: number;
    try {
      reviveOffset = await this.#appendRecord({
        k: 'chg', g: entry.group, t: entry.topic, q: entry.queueId, pt: popTime, it: request.invisibleMs, f: entry.fifo ? 1 : 0, so: entry.ckQueueOffset, prev: entry.popTime,
        m: [{ o: entry.queueOffset, c: entry.commitLogOffset, a: entry.attempt }],
      });
    } catch (err) {
      entry.busy = false;
      return { status: 'SYSTEM_ERROR', remark: (err as Error).message };
    }
    this.#remove(entry);
    this.#add({ ...entry, popTime, invisibleMs: request.invisibleMs, reviveOffset });
    const next: ReceiptHandle = { ...handle, popTime, invisibleTime: request.invisibleMs, queueOffset: entry.queueOffset };
    return {
      status: 'OK',
      receiptHandle: buildReceiptHandle({ ...next, commitLogOffset: entry.commitLogOffset }),
      extraInfo: buildReceiptHandle({ ...next, commitLogOffset: undefined }),
      popTime,
      invisibleMs: request.invisibleMs,
      reviveQid: handle.reviveQid,
    };
  }

  async forwardToDeadLetter(request: PopHandleRequest): Promise<PopHandleResult> {
    const resolved = this.#resolveHandle(request);
    if ('status' in resolved) return resolved;
    try {
      await this.#deadLetter(resolved.entry, 'dlq');
    } catch (err) {
      return { status: 'SYSTEM_ERROR', remark: (err as Error).message };
    }
    return { status: 'OK' };
  }

  // ---------------------------------------------------------------- revive

  /** Ends the invisible time of due entries: normal ones go to the retry topic (or the DLQ), FIFO queues are woken. */
  async #reviveDue(): Promise<void> {
    if (this.#reviving || !this.#started) return;
    this.#reviving = true;
    try {
      const now = Date.now();
      while (this.#heap.size > 0 && this.#heap.peekKey() <= now) {
        const item = this.#heap.pop()!;
        const entry = item.entry;
        if (this.#inflight.get(entry.key) !== entry || entry.deadline !== item.deadline || entry.busy) continue;
        if (entry.fifo) {
          if (entry.attempt >= this.maxAttempts(entry.group)) await this.#deadLetter(entry, 'dlq');
          else this.notifyMessageArriving(entry.topic);
          continue;
        }
        try {
          if (entry.attempt >= this.maxAttempts(entry.group)) await this.#deadLetter(entry, 'dlq');
          else await this.#reviveToRetry(entry);
        } catch (err) {
          this.#o.logger.warn('POP revive failed; retried later', { group: entry.group, topic: entry.topic, queueOffset: entry.queueOffset, error: (err as Error).message });
          entry.deadline = Date.now() + 1_000;
          this.#heap.push({ deadline: entry.deadline, entry });
          break;
        }
      }
    } finally {
      this.#reviving = false;
    }
  }

  async #reviveToRetry(entry: Inflight): Promise<void> {
    const raw = this.#o.store.lookMessageByOffset(entry.commitLogOffset);
    entry.busy = true;
    try {
      if (raw) {
        const original = readStoredRecord(raw);
        const retryTopic = entry.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? entry.topic : popRetryTopic(entry.topic, entry.group);
        const created = this.#o.topicConfigManager.createTopicIfAbsent(retryTopic, 1, PermName.PERM_READ | PermName.PERM_WRITE);
        if (created.created) this.#o.registerBrokerAll();
        const props = { ...original.properties };
        if (original.reconsumeTimes === 0 || props[PROPERTY_FIRST_POP_TIME] === undefined) props[PROPERTY_FIRST_POP_TIME] = String(entry.popTime);
        delete props[PROPERTY_POP_CK];
        await this.#putCopy(original, retryTopic, 0, props, original.reconsumeTimes + 1);
      }
      await this.#appendRecord({ k: 'ack', g: entry.group, t: entry.topic, q: entry.queueId, pt: entry.popTime, os: [entry.queueOffset], r: 'revive' });
    } catch (err) {
      entry.busy = false;
      throw err;
    }
    this.#resolved(entry);
  }

  /** Copies the message to %DLQ%<group> and ends it. */
  async #deadLetter(entry: Inflight, reason: 'dlq'): Promise<void> {
    entry.busy = true;
    try {
      const raw = this.#o.store.lookMessageByOffset(entry.commitLogOffset);
      if (raw) {
        const original = readStoredRecord(raw);
        const dlqTopic = DLQ_GROUP_TOPIC_PREFIX + entry.group;
        const created = this.#o.topicConfigManager.createTopicIfAbsent(dlqTopic, 1, PermName.PERM_READ | PermName.PERM_WRITE);
        if (created.created) this.#o.registerBrokerAll();
        const props = { ...original.properties };
        const originTopic = entry.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? (props.RETRY_TOPIC ?? entry.topic) : entry.topic;
        props.DLQ_ORIGIN_TOPIC = originTopic.startsWith(RETRY_GROUP_TOPIC_PREFIX) ? originTopic.slice(RETRY_GROUP_TOPIC_PREFIX.length + entry.group.length + 1) : originTopic;
        if (props.UNIQ_KEY) props.DLQ_ORIGIN_MESSAGE_ID = props.UNIQ_KEY;
        delete props[PROPERTY_POP_CK];
        await this.#putCopy(original, dlqTopic, 0, props, Math.max(original.reconsumeTimes, entry.attempt));
      }
      await this.#appendRecord({ k: 'ack', g: entry.group, t: entry.topic, q: entry.queueId, pt: entry.popTime, os: [entry.queueOffset], r: reason });
    } catch (err) {
      entry.busy = false;
      throw err;
    }
    this.#resolved(entry);
  }

  async #putCopy(original: StoredRecord, topic: string, queueId: number, props: Record<string, string>, reconsumeTimes: number): Promise<void> {
    const host = this.#o.storeHost();
    const message = messageFromRecord(original, topic, queueId, props, { sysFlag: original.sysFlag & ~0xc & ~0x30, bornHost: host, storeHost: host, reconsumeTimes });
    const put = await this.#o.store.putMessage(message);
    if (put.status !== 'PUT_OK' && put.status !== 'FLUSH_DISK_TIMEOUT') throw new Error(`copying the message to ${topic} failed: ${put.status}`);
  }

  /** Batch ack (BATCH_ACK_MESSAGE): one record per (queue, pop); stale offsets are counted, not failed. */
  async ackOffsets(group: string, topic: string, queueId: number, popTime: number, queueOffsets: number[]): Promise<{ acked: number; stale: number }> {
    const entries: Inflight[] = [];
    let stale = 0;
    const now = Date.now();
    for (const queueOffset of queueOffsets) {
      const entry = this.#inflight.get(inflightKey(group, topic, queueId, queueOffset));
      if (!entry || entry.popTime !== popTime || entry.busy || entry.deadline <= now) stale++;
      else entries.push(entry);
    }
    if (entries.length === 0) return { acked: 0, stale };
    for (const entry of entries) entry.busy = true;
    try {
      await this.#appendRecord({ k: 'ack', g: group, t: topic, q: queueId, pt: popTime, os: entries.map((entry) => entry.queueOffset) });
    } catch (err) {
      for (const entry of entries) entry.busy = false;
      throw err;
    }
    for (const entry of entries) this.#resolved(entry);
    return { acked: entries.length, stale };
  }
}

interface PopContext {
  request: PopReceiveRequest;
  popTime: number;
  fifo: boolean;
  subscription: SubscriptionData | null;
  /** SQL92 selector (parity's broker/filter/sql92), checked on each message's properties. */
  sql: Sql92Filter | null;
  messages: PoppedMessage[];
  restNum: number;
  startOffsetInfo: string[];
  msgOffsetInfo: string[];
  orderCountInfo: string[];
}

interface Picked {
  record: Buffer;
  queueOffset: number;
  commitLogOffset: number;
  attempt: number;
  /** The unresolved entry a FIFO re-delivery replaces. */
  previous: Inflight | undefined;
}

function preview(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}… (${text.length} characters)` : text;
}

/** Position of RECONSUMETIMES in a stored record (after the hosts, whose sizes depend on the v6 flags). */
function reconsumeTimesPosition(record: Buffer): number {
  const sysFlag = record.readInt32BE(36);
  const bornHostBytes = sysFlag & 0x10 ? 20 : 8;
  const storeHostBytes = sysFlag & 0x20 ? 20 : 8;
  return 48 + bornHostBytes + 8 + storeHostBytes;
}

/** The exact tag check after the consume queue's hash filter (hash collisions must not deliver other tags). */
function tagMatches(subscription: SubscriptionData, record: Buffer): boolean {
  const stored = readStoredRecord(record);
  const tags = stored.properties.TAGS;
  return tags !== undefined && subscription.tagsSet.includes(tags);
}

/** Re-encodes a stored record under another topic with extra properties (a POP retry copy handed out as its topic). */
export function reencodeForTopic(raw: Buffer, topic: string, extraProperties: Record<string, string>): Buffer {
  const stored = readStoredRecord(raw);
  const props = { ...decodePropertiesString(stored.propertiesString), ...extraProperties };
  const prepared = prepareRecord({
    topic,
    queueId: stored.queueId,
    flag: stored.flag,
    sysFlag: stored.sysFlag,
    body: stored.body,
    propertiesString: encodePropertiesString(props),
    bornTimestamp: stored.bornTimestamp,
    bornHost: stored.bornHost,
    storeHost: stored.storeHost,
    reconsumeTimes: stored.reconsumeTimes,
    preparedTransactionOffset: stored.preparedTransactionOffset,
  });
  const out = Buffer.alloc(prepared.length);
  writeRecord(out, 0, prepared, stored.queueOffset, stored.commitLogOffset, stored.storeTimestamp);
  return out;
}
