/**
 * The one path from commit-log records to the derived files (RocketMQ's ReputMessageService#doDispatch over its
 * CommitLogDispatchers). Live writes dispatch the records of each write round; recovery replays the records it
 * scans through the very same dispatchers. Every dispatcher is idempotent: replaying a record that is already
 * indexed changes nothing, so recovery may start its replay anywhere before the point it knows is done.
 *
 *   write round ─┐
 *                ├─> Dispatcher ─> BuildConsumeQueue ─> consume queue files
 *   recovery ────┘              └> BuildIndex        ─> index files
 */
import type { ConsumeQueue } from './consume-queue';
import type { ConsumeQueueTable } from './consume-queue-table';
import type { IndexService } from './index-service';
import { SYSFLAG_TRANSACTION_MASK, SYSFLAG_TRANSACTION_PREPARED, SYSFLAG_TRANSACTION_ROLLBACK, javaStringHashCode, type RecordMeta } from './record';

export const SCHEDULE_TOPIC = 'SCHEDULE_TOPIC_XXXX';

/** The properties the store itself looks at, read in one pass over the properties string. */
export interface StoreProperties {
  TAGS?: string;
  KEYS?: string;
  UNIQ_KEY?: string;
  DELAY?: string;
  WAIT?: string;
}

const STORE_PROPERTY_NAMES = new Set(['TAGS', 'KEYS', 'UNIQ_KEY', 'DELAY', 'WAIT']);

export function storeProperties(text: string): StoreProperties {
  const out: StoreProperties = {};
  let from = 0;
  while (from < text.length) {
    let end = text.indexOf('\u0002', from);
    if (end < 0) end = text.length;
    const separator = text.indexOf('\u0001', from);
    if (separator > from && separator < end) {
      const name = text.slice(from, separator);
      if (STORE_PROPERTY_NAMES.has(name)) out[name as keyof StoreProperties] = text.slice(separator + 1, end);
    }
    from = end + 1;
  }
  return out;
}

/** What one commit-log record contributes to the consume queue and the index (RocketMQ's DispatchRequest). */
export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  msgSize: number;
  queueOffset: number;
  sysFlag: number;
  storeTimestamp: number;
  properties: StoreProperties;
}

/** The request for a record read back from the commit log (recovery, verify). */
export function dispatchRequestOf(meta: RecordMeta, commitLogOffset: number): DispatchRequest {
  return {
    topic: meta.topic,
    queueId: meta.queueId,
    commitLogOffset,
    msgSize: meta.totalSize,
    queueOffset: meta.queueOffset,
    sysFlag: meta.sysFlag,
    storeTimestamp: meta.storeTimestamp,
    properties: storeProperties(meta.propertiesString),
  };
}

export interface CommitLogDispatcher {
  dispatch(request: DispatchRequest): void;
  /** Hands what the dispatched records buffered to the OS (end of a write round, of a replay batch). */
  writeOut(): void;
}

/** Prepared and rolled-back transaction halves are not consumable: they get no consume queue entry. */
export function isConsumable(sysFlag: number): boolean {
  const tranType = sysFlag & SYSFLAG_TRANSACTION_MASK;
  return tranType !== SYSFLAG_TRANSACTION_PREPARED && tranType !== SYSFLAG_TRANSACTION_ROLLBACK;
}

export class Dispatcher implements CommitLogDispatcher {
  readonly #dispatchers: CommitLogDispatcher[] = [];

  /** Adds a dispatcher; it sees every record dispatched after this call, live or replayed. */
  add(dispatcher: CommitLogDispatcher): void {
    this.#dispatchers.push(dispatcher);
  }

  dispatch(request: DispatchRequest): void {
    for (const dispatcher of this.#dispatchers) dispatcher.dispatch(request);
  }

  writeOut(): void {
    for (const dispatcher of this.#dispatchers) dispatcher.writeOut();
  }
}

export interface TouchedQueue {
  queue: ConsumeQueue;
  /** Tags code of the last entry added in the round (what held pulls filter on). */
  tagsCode: number;
}

export class BuildConsumeQueue implements CommitLogDispatcher {
  readonly #queues: ConsumeQueueTable;
  readonly #delayLevelsMs: number[];
  #touched = new Map<ConsumeQueue, number>();
  /** Entries added since the counter was last read (replay reports it). */
  entriesAdded = 0;

  constructor(queues: ConsumeQueueTable, delayLevelsMs: number[]) {
    this.#queues = queues;
    this.#delayLevelsMs = delayLevelsMs;
  }

  dispatch(request: DispatchRequest): void {
    if (!isConsumable(request.sysFlag)) return;
    const queue = this.#queues.getOrCreate(request.topic, request.queueId);
    const tagsCode = this.tagsCode(request);
    if (queue.append(request.commitLogOffset, request.msgSize, tagsCode, request.queueOffset)) {
      this.#touched.set(queue, tagsCode);
      this.entriesAdded++;
    }
  }

  /** The tag hash, or for SCHEDULE_TOPIC_XXXX the delivery time (RocketMQ's tagsCode of a delayed message). */
  tagsCode(request: DispatchRequest): number {
    if (request.topic === SCHEDULE_TOPIC) {
      const level = Number(request.properties.DELAY ?? 0);
      const clamped = Math.min(Math.max(level, 1), this.#delayLevelsMs.length);
      return request.storeTimestamp + (this.#delayLevelsMs[clamped - 1] ?? 0);
    }
    const tags = request.properties.TAGS;
    return tags ? javaStringHashCode(tags) : 0;
  }

  writeOut(): void {
    for (const queue of this.#touched.keys()) queue.writeOut();
  }

  /** Queues that got entries since the last call, with their newest entry's tags code. */
  takeTouched(): TouchedQueue[] {
    const touched = [...this.#touched].map(([queue, tagsCode]) => ({ queue, tagsCode }));
    this.#touched.clear();
    return touched;
  }
}

export class BuildIndex implements CommitLogDispatcher {
  readonly #index: IndexService;

  constructor(index: IndexService) {
    this.#index = index;
  }

  dispatch(request: DispatchRequest): void {
    if ((request.sysFlag & SYSFLAG_TRANSACTION_MASK) === SYSFLAG_TRANSACTION_ROLLBACK) return;
    this.#index.put(indexKeys(request.topic, request.properties), request.commitLogOffset, request.storeTimestamp);
  }

  writeOut(): void {
    this.#index.writeOut();
  }
}

/** `topic#key` for the UNIQ_KEY and every KEYS token. */
export function indexKeys(topic: string, properties: StoreProperties): string[] {
  const keys: string[] = [];
  if (properties.UNIQ_KEY) keys.push(`${topic}#${properties.UNIQ_KEY}`);
  if (properties.KEYS) for (const key of properties.KEYS.split(' ')) if (key) keys.push(`${topic}#${key}`);
  return keys;
}

export function parseDelayLevelsMs(text: string): number[] {
  const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return text.split(/\s+/).filter(Boolean).map((item) => {
    const match = /^(\d+)([smhd])$/.exec(item);
    return match ? Number(match[1]) * unit[match[2]!]! : 0;
  });
}
