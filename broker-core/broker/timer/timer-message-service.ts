/**
 * Timer messages (RocketMQ 5.x RIP-43): a message with TIMER_DELIVER_MS (epoch ms), TIMER_DELAY_SEC or
 * TIMER_DELAY_MS is delivered to its topic at that time, not before, up to timerMaxDelaySec (3 days) ahead.
 *
 * In-process API (broker.timer):
 *   transform(message, props) → { kind: 'NOT_TIMER' } | { kind: 'TIMER', deliverMs } | { kind: 'ILLEGAL', remark }
 *     what the send path calls (remoting sends; the gRPC endpoint puts delivery_timestamp in TIMER_DELIVER_MS and calls
 *     the same): a due time in the future turns the message into a timer message (below); a past one leaves it alone
 *     (delivered at once, as RocketMQ); beyond timerMaxDelaySec, or not a number, is ILLEGAL (MESSAGE_ILLEGAL, as
 *     RocketMQ's WHEEL_TIMER_MSG_ILLEGAL). A message with a delay level keeps the level and loses the TIMER_ properties.
 *   pendingByTopic() → Map<topic, count> (GET_TIMER_METRICS, the console's Topic page)
 *
 * Storage, as RocketMQ: the message is stored in `rmq_sys_wheel_timer` queue 0 with TIMER_OUT_MS (the due time),
 * REAL_TOPIC and REAL_QID; at its time it is copied to REAL_TOPIC / REAL_QID with TIMER_ENQUEUE_MS and
 * TIMER_DEQUEUE_MS added (REAL_* removed). Which timer-queue entries are still due lives in memory (a heap by due
 * time, filled by reading the timer queue as it grows) and in `config/timerCheckpoint.json`: the first entry not yet
 * delivered, and a bitmap of the delivered ones after it, written every few seconds. A restart reads the timer queue
 * from there, so nothing stored is lost; what was delivered after the last checkpoint write (a kill -9) is delivered
 * again: timer delivery is at-least-once, as in RocketMQ.
 */
import path from 'node:path';
import { TIMER_CHECKPOINT_INTERVAL_MS, TIMER_PENDING_MESSAGES_MAX, TIMER_SCAN_BATCH_MESSAGES, TIMER_TICK_MS } from '../../config/limits';
import type { MessageStore, MessageToStore } from '../../store/message-store';
import type { Logger } from '../../util/logger';
import { MinHeap } from '../../util/min-heap';
import { readJsonFile, writeFileAtomic } from '../config/json-file';
import { encodePropertiesString, messageFromRecord, readStoredRecord } from '../message/message-util';
import type { JavaPropertiesMap } from '../message/java-properties-map';
import { PermName, type TopicConfigManager } from '../topics/topic-config-manager';

export const TIMER_TOPIC = 'rmq_sys_wheel_timer';
export const TimerProperty = {
  TIMER_DELIVER_MS: 'TIMER_DELIVER_MS',
  TIMER_DELAY_SEC: 'TIMER_DELAY_SEC',
  TIMER_DELAY_MS: 'TIMER_DELAY_MS',
  TIMER_OUT_MS: 'TIMER_OUT_MS',
  TIMER_ENQUEUE_MS: 'TIMER_ENQUEUE_MS',
  TIMER_DEQUEUE_MS: 'TIMER_DEQUEUE_MS',
  TIMER_DEL_UNIQKEY: 'TIMER_DEL_UNIQKEY',
} as const;
const TIMER_GROUP = 'CID_RMQ_SYS_TIMER';

export type TimerTransform = { kind: 'NOT_TIMER' } | { kind: 'TIMER'; deliverMs: number } | { kind: 'ILLEGAL'; remark: string };

interface Pending {
  deliverMs: number;
  queueOffset: number;
  commitLogOffset: number;
  topic: string;
}

export interface TimerMessageServiceOptions {
  store: MessageStore;
  topicConfigManager: TopicConfigManager;
  storePathRootDir: string;
  timerMaxDelaySec: () => number;
  logger: Logger;
}

const INTEGER = /^-?\d{1,19}$/;

/** The due time a message asks for, or null when it asks for none; NaN when a TIMER_ property is not a number. */
export function requestedDeliverMs(read: (name: string) => string | undefined, now: number): number | null {
  const parse = (text: string) => (INTEGER.test(text.trim()) ? Number(text.trim()) : Number.NaN);
  const delaySec = read(TimerProperty.TIMER_DELAY_SEC);
  if (delaySec !== undefined) return now + parse(delaySec) * 1000;
  const delayMs = read(TimerProperty.TIMER_DELAY_MS);
  if (delayMs !== undefined) return now + parse(delayMs);
  const deliverMs = read(TimerProperty.TIMER_DELIVER_MS);
  if (deliverMs !== undefined) return parse(deliverMs);
  return null;
}

export class TimerMessageService {
  readonly #o: TimerMessageServiceOptions;
  readonly #heap = new MinHeap<Pending>((pending) => pending.deliverMs);
  readonly #pendingByTopic = new Map<string, number>();
  /** Timer-queue offsets below this were read into the heap. */
  #scanned = 0;
  /** First timer-queue offset not known delivered (the checkpoint base). */
  #base = 0;
  /** Delivered offsets at or above #base (bit i = #base + i). */
  #delivered = new Set<number>();
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #running = false;
  #started = false;
  readonly #file: string;

  constructor(options: TimerMessageServiceOptions) {
    this.#o = options;
    this.#file = path.join(options.storePathRootDir, 'config', 'timerCheckpoint.json');
  }

  get pendingCount(): number {
    return this.#heap.size;
  }

  pendingByTopic(): Map<string, number> {
    return new Map(this.#pendingByTopic);
  }

  start(): void {
    if (!this.#o.topicConfigManager.get(TIMER_TOPIC)) this.#o.topicConfigManager.createTopicIfAbsent(TIMER_TOPIC, 1, PermName.PERM_READ | PermName.PERM_WRITE);
    this.#load();
    this.#scan();
    this.#started = true;
    this.#timer = setInterval(() => void this.tick(), TIMER_TICK_MS);
    this.#timer.unref();
    this.#checkpointTimer = setInterval(() => this.#persistSafely(), TIMER_CHECKPOINT_INTERVAL_MS);
    this.#checkpointTimer.unref();
  }

  shutdown(): void {
    this.#started = false;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#checkpointTimer) clearInterval(this.#checkpointTimer);
    this.#persistSafely();
  }

  /** Turns a message into a timer message when it asks for a future due time (see the top comment). */
  transform(message: MessageToStore, props: JavaPropertiesMap, now = Date.now()): TimerTransform {
    const timerNames = [TimerProperty.TIMER_DELIVER_MS, TimerProperty.TIMER_DELAY_SEC, TimerProperty.TIMER_DELAY_MS];
    const asks = timerNames.some((name) => props.get(name) !== undefined);
    if (Number(props.get('DELAY') ?? 0) > 0) {
      if (asks) {
        for (const name of timerNames) props.remove(name);
        message.propertiesString = props.toPropertiesString();
      }
      return { kind: 'NOT_TIMER' };
    }
    if (!asks || message.topic === TIMER_TOPIC || props.get(TimerProperty.TIMER_OUT_MS) !== undefined) return { kind: 'NOT_TIMER' };
    const deliverMs = requestedDeliverMs((name) => props.get(name), now);
    const maxDelayMs = this.#o.timerMaxDelaySec() * 1000;
    const illegal = `timer message illegal, the delay time should not be bigger than the max delay ${maxDelayMs}ms; or if set del msg, the delay time should be bigger than the current time`;
    if (deliverMs === null || !Number.isSafeInteger(deliverMs)) return { kind: 'ILLEGAL', remark: illegal };
    if (deliverMs <= now) {
      if (props.get(TimerProperty.TIMER_DEL_UNIQKEY) !== undefined) return { kind: 'ILLEGAL', remark: illegal };
      return { kind: 'NOT_TIMER' };
    }
    if (deliverMs - now > maxDelayMs) return { kind: 'ILLEGAL', remark: illegal };
    if (this.#heap.size >= TIMER_PENDING_MESSAGES_MAX) {
      return { kind: 'ILLEGAL', remark: `timer message is under flow control, max num limit is ${TIMER_PENDING_MESSAGES_MAX}` };
    }
    props.put(TimerProperty.TIMER_OUT_MS, String(deliverMs));
    props.put('REAL_TOPIC', message.topic);
    props.put('REAL_QID', String(message.queueId));
    message.topic = TIMER_TOPIC;
    message.queueId = 0;
    message.propertiesString = props.toPropertiesString();
    return { kind: 'TIMER', deliverMs };
  }

  /** The store's arrival listener saw the timer queue grow. */
  notifyMessageArriving(topic: string): void {
    if (topic !== TIMER_TOPIC || !this.#started) return;
    this.#scan();
    if (this.#heap.size > 0 && this.#heap.peekKey() <= Date.now() + TIMER_TICK_MS) setImmediate(() => void this.tick());
  }

  #load(): void {
    const raw = readJsonFile(this.#file, this.#o.logger) as { queueOffset?: unknown; delivered?: unknown } | undefined;
    const min = this.#o.store.getMinOffsetInQueue(TIMER_TOPIC, 0);
    const base = typeof raw?.queueOffset === 'number' && Number.isSafeInteger(raw.queueOffset) && raw.queueOffset >= 0 ? raw.queueOffset : min;
    this.#base = Math.max(base, min);
    this.#scanned = this.#base;
    if (typeof raw?.delivered === 'string' && base >= min) {
      const bits = Buffer.from(raw.delivered, 'base64');
      for (let i = 0; i < bits.length * 8; i++) if (bits[i >> 3]! & (1 << (i & 7))) this.#delivered.add(base + i);
    }
  }

  /** Reads timer-queue entries not read yet into the heap. */
  #scan(): void {
    const { store } = this.#o;
    const max = store.getMaxOffsetInQueue(TIMER_TOPIC, 0);
    while (this.#scanned < max) {
      const result = store.getMessage(TIMER_GROUP, TIMER_TOPIC, 0, this.#scanned, TIMER_SCAN_BATCH_MESSAGES);
      if (result.status !== 'FOUND') {
        if (result.nextBeginOffset > this.#scanned) {
          this.#scanned = result.nextBeginOffset;
          continue;
        }
        break;
      }
      for (let i = 0; i < result.messages.length; i++) {
        const queueOffset = result.queueOffsets[i]!;
        if (this.#delivered.has(queueOffset)) continue;
        const record = readStoredRecord(result.messages[i]!);
        const deliverMs = Number(record.properties[TimerProperty.TIMER_OUT_MS]);
        const topic = record.properties.REAL_TOPIC ?? '';
        this.#push({ deliverMs: Number.isFinite(deliverMs) ? deliverMs : 0, queueOffset, commitLogOffset: record.commitLogOffset, topic });
      }
      this.#scanned = result.nextBeginOffset;
    }
  }

  /** Delivers what is due; exported for tests. */
  async tick(now = Date.now()): Promise<void> {
    if (this.#running || !this.#started) return;
    this.#running = true;
    try {
      while (this.#heap.size > 0 && this.#heap.peekKey() <= now) {
        const pending = this.#heap.peek()!;
        if (!(await this.#deliver(pending))) break;
        this.#pop();
        this.#markDelivered(pending.queueOffset);
      }
    } catch (err) {
      this.#o.logger.warn('timer delivery failed; retried on the next tick', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.#running = false;
    }
  }

  async #deliver(pending: Pending): Promise<boolean> {
    const raw = this.#o.store.lookMessageByOffset(pending.commitLogOffset);
    if (!raw) return true; // gone with the commit log's retention
    const record = readStoredRecord(raw);
    const props = { ...record.properties };
    const realTopic = props.REAL_TOPIC;
    if (!realTopic) return true;
    const realQueueId = Number(props.REAL_QID ?? 0);
    delete props.REAL_TOPIC;
    delete props.REAL_QID;
    props[TimerProperty.TIMER_ENQUEUE_MS] = String(record.storeTimestamp);
    props[TimerProperty.TIMER_DEQUEUE_MS] = String(Date.now());
    const queueId = Number.isInteger(realQueueId) && realQueueId >= 0 ? realQueueId : 0;
    const put = await this.#o.store.putMessage(messageFromRecord(record, realTopic, queueId, props));
    if (put.status !== 'PUT_OK' && put.status !== 'FLUSH_DISK_TIMEOUT') {
      this.#o.logger.warn('timer message re-put failed; will retry', { status: put.status, realTopic });
      return false;
    }
    return true;
  }

  #markDelivered(queueOffset: number): void {
    this.#delivered.add(queueOffset);
    this.#dirty = true;
    // Move the base past a delivered prefix so the bitmap stays short.
    while (this.#delivered.has(this.#base)) {
      this.#delivered.delete(this.#base);
      this.#base++;
    }
  }

  #persistSafely(): void {
    if (!this.#dirty && !(this.#base < this.#scanned && this.#heap.size === 0)) return;
    try {
      // Nothing pending: everything read is delivered.
      if (this.#heap.size === 0) {
        this.#base = this.#scanned;
        this.#delivered.clear();
      }
      let bitCount = 0;
      for (const offset of this.#delivered) bitCount = Math.max(bitCount, offset - this.#base + 1);
      const bytes = Buffer.alloc(Math.ceil(bitCount / 8));
      for (const offset of this.#delivered) {
        const bit = offset - this.#base;
        bytes[bit >> 3]! |= 1 << (bit & 7);
      }
      writeFileAtomic(this.#file, JSON.stringify({ version: 1, queueOffset: this.#base, delivered: bytes.toString('base64') }));
      this.#dirty = false;
    } catch (err) {
      this.#o.logger.warn('writing the timer checkpoint failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  #push(pending: Pending): void {
    this.#heap.push(pending);
    this.#pendingByTopic.set(pending.topic, (this.#pendingByTopic.get(pending.topic) ?? 0) + 1);
  }

  #pop(): void {
    const top = this.#heap.pop()!;
    const count = (this.#pendingByTopic.get(top.topic) ?? 1) - 1;
    if (count > 0) this.#pendingByTopic.set(top.topic, count);
    else this.#pendingByTopic.delete(top.topic);
  }
}
