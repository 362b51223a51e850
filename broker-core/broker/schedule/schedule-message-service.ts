/**
 * Delay levels: messages parked in SCHEDULE_TOPIC_XXXX (queue = level − 1) are re-put to their REAL_TOPIC /
 * REAL_QID once storeTimestamp + delay(level) has passed. Progress per level in <store>/config/delayOffset.json.
 */
import path from 'node:path';
import { stringifyJavaJson } from '../../protocol/fastjson';
import type { MessageStore } from '../../store/message-store';
import type { Logger } from '../../util/logger';
import { readJsonFile, writeFileAtomic } from '../config/json-file';
import { integerOf, objectOf } from '../../protocol/json-shape';
import { readStoredRecord } from '../message/message-util';
import { rewrittenProperties } from '../message/reput-properties';
import { TopicValidator } from '../topics/topic-config-manager';
import { SCHEDULE_BATCH_MESSAGES_MAX, SCHEDULE_TICK_MS } from '../../config/limits';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDelayLevels(text: string): number[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const match = /^(\d+)([smhd])$/.exec(item);
      if (!match) throw new Error(`bad messageDelayLevel item: ${item}`);
      return Number(match[1]) * UNIT_MS[match[2]!]!;
    });
}

export class ScheduleMessageService {
  readonly offsetTable = new Map<number, number>();
  readonly #delaysMs: number[];
  readonly #filePath: string;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #dirty = false;
  /** The earliest due time of a message seen waiting in the last pass (ms), for a timer sharper than the tick. */
  #nextDue = Number.POSITIVE_INFINITY;
  #dueTimer: NodeJS.Timeout | undefined;

  constructor(
    storePathRootDir: string,
    messageDelayLevel: string,
    private readonly store: MessageStore,
    private readonly logger: Logger,
  ) {
    this.#delaysMs = parseDelayLevels(messageDelayLevel);
    this.#filePath = path.join(storePathRootDir, 'config', 'delayOffset.json');
  }

  load(): void {
    const raw = objectOf(readJsonFile(this.#filePath, this.logger));
    for (const [levelText, value] of Object.entries(objectOf(raw?.offsetTable) ?? {})) {
      const level = integerOf(levelText, 1, 2 ** 31 - 1);
      const queueOffset = integerOf(value, 0);
      if (level !== undefined && queueOffset !== undefined) this.offsetTable.set(level, queueOffset);
      else this.logger.error('delayOffset.json entry skipped: not a delay level and queue offset', { file: this.#filePath, level: levelText });
    }
  }

  persist(): void {
    const table = new Map([...this.offsetTable].sort(([a], [b]) => a - b).map(([l, o]) => [String(l), o]));
    writeFileAtomic(this.#filePath, stringifyJavaJson(new Map<string, unknown>([['offsetTable', table]]), { numericKeysUnquoted: true }));
    this.#dirty = false;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), SCHEDULE_TICK_MS);
    this.#timer.unref();
  }

  shutdown(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#dueTimer) clearTimeout(this.#dueTimer);
    this.#timer = undefined;
    if (this.#dirty) this.persist();
  }

  /** One pass over every level; exported for tests. */
  async tick(now = Date.now()): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      this.#nextDue = Number.POSITIVE_INFINITY;
      for (let level = 1; level <= this.#delaysMs.length; level++) await this.#deliverLevel(level, now);
      if (this.#dirty) this.persist();
      // A message due before the next tick gets its own timer, so it is delivered on time, not up to a tick late.
      const wait = this.#nextDue - Date.now();
      if (this.#timer && wait < SCHEDULE_TICK_MS) {
        if (this.#dueTimer) clearTimeout(this.#dueTimer);
        this.#dueTimer = setTimeout(() => void this.tick(), Math.max(0, wait));
        this.#dueTimer.unref();
      }
    } catch (err) {
      this.logger.warn('schedule tick failed', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.#running = false;
    }
  }

  async #deliverLevel(level: number, now: number): Promise<void> {
    const queueId = level - 1;
    const topic = TopicValidator.RMQ_SYS_SCHEDULE_TOPIC;
    let queueOffset = this.offsetTable.get(level) ?? 0;
    if (queueOffset >= this.store.getMaxOffsetInQueue(topic, queueId)) return;
    const result = this.store.getMessage('SCHEDULE', topic, queueId, queueOffset, SCHEDULE_BATCH_MESSAGES_MAX);
    if (result.status !== 'FOUND') {
      if (result.nextBeginOffset !== queueOffset && (result.status === 'OFFSET_TOO_SMALL' || result.status === 'OFFSET_OVERFLOW_BADLY')) {
        this.offsetTable.set(level, result.nextBeginOffset);
        this.#dirty = true;
      }
      return;
    }
    for (let i = 0; i < result.messages.length; i++) {
      const record = readStoredRecord(result.messages[i]!);
      const dueAt = record.storeTimestamp + this.#delaysMs[level - 1]!;
      if (dueAt > now) {
        this.#nextDue = Math.min(this.#nextDue, dueAt);
        return;
      }
      // Delivered with the properties it was scheduled with (DELAY, REAL_TOPIC, REAL_QID, WAIT kept), as RocketMQ does.
      const realTopic = record.properties.REAL_TOPIC;
      const realQueueId = Number(record.properties.REAL_QID ?? 0);
      if (realTopic) {
        const put = await this.store.putMessage({
          topic: realTopic,
          queueId: realQueueId,
          flag: record.flag,
          sysFlag: record.sysFlag & ~0x30,
          body: record.body,
          propertiesString: rewrittenProperties(record.propertiesString),
          bornTimestamp: record.bornTimestamp,
          bornHost: record.bornHost,
          storeHost: record.storeHost,
          reconsumeTimes: record.reconsumeTimes,
          preparedTransactionOffset: 0,
        });
        if (put.status !== 'PUT_OK' && put.status !== 'FLUSH_DISK_TIMEOUT') {
          this.logger.warn('scheduled message re-put failed; will retry', { status: put.status, realTopic });
          return;
        }
      }
      queueOffset = (result.queueOffsets[i] ?? queueOffset) + 1;
      this.offsetTable.set(level, queueOffset);
      this.#dirty = true;
    }
  }
}
