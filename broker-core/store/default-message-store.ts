/**
 * The file store: commit log + consume queues + index + checkpoint, in RocketMQ's layout under
 * storePathRootDir (protocol.md §5.1).
 *
 * Write path (one event-loop turn = one round): putMessage encodes the records at reserved offsets and
 * waits for the round; the round hands every queued byte to the OS in one vectored write per file,
 * dispatches the records to consume queues and the index, writes those, and then answers the puts. Under
 * SYNC_FLUSH a put also waits for an fdatasync covering its bytes; puts arriving together share one
 * (group commit). A put is therefore acknowledged only once its bytes are in the OS (ASYNC) or on disk (SYNC):
 * killing the process never loses an acknowledged message.
 *
 * Recovery: the `abort` file exists while the store runs. Clean shutdown → restart from the checkpoint.
 * Otherwise (or with a bad checkpoint) the commit log is scanned from a safe point with CRC checks, a torn
 * tail is cut, consume queues and index are cut to match, and dispatch is replayed.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { MESSAGE_BODY_BYTES_MAX, MESSAGE_PROPERTIES_BYTES_MAX, SYSTEM_TOPIC_NAME_CHARS_MAX } from '../config/limits';
import { errorMessage } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
import { CommitLog } from './commit-log';
import { ConsumeQueue, type CqEntry } from './consume-queue';
import { IndexService } from './index-service';
import type {
  FlushDiskType,
  GetMessageResult,
  GetMessageStatus,
  MessageArrivingListener,
  MessageStore,
  MessageToStore,
  PutMessageResult,
  QueryMessageResult,
  StoreRuntimeInfo,
  TagsCodeFilter,
} from './message-store';
import {
  MAGIC_V1,
  MAGIC_V2,
  SYSFLAG_TRANSACTION_MASK,
  SYSFLAG_TRANSACTION_PREPARED,
  SYSFLAG_TRANSACTION_ROLLBACK,
  checkRecord,
  javaStringHashCode,
  offsetMsgId,
  prepareRecord,
  recordStoreTimestamp,
  writeRecord,
  type PreparedRecord,
  type RecordMeta,
} from './record';

export const SCHEDULE_TOPIC = 'SCHEDULE_TOPIC_XXXX';

export interface DefaultMessageStoreOptions {
  storePathRootDir: string;
  flushDiskType?: FlushDiskType;
  /** "1s 5s 10s …": delivery times of SCHEDULE_TOPIC_XXXX entries (their tags code). */
  messageDelayLevel?: string;
  maxMessageSizeBytes?: number;
  logger?: Logger;
  /** Commit-log file size (RocketMQ mappedFileSizeCommitLog, 1 GiB). */
  commitLogFileBytes?: number;
  /** Consume-queue entries per file (300 000 = 6 000 000 bytes). */
  consumeQueueEntriesPerFile?: number;
  indexHashSlotNum?: number;
  indexNum?: number;
  /** ASYNC_FLUSH interval (flushIntervalCommitLog). */
  flushIntervalCommitLogMs?: number;
  /** Consume queue + index flush and checkpoint interval. */
  flushIntervalConsumeQueueMs?: number;
  /** How long a SYNC_FLUSH put waits for its fdatasync before answering FLUSH_DISK_TIMEOUT. */
  syncFlushTimeoutMs?: number;
  /** Commit-log files older than this many hours are deleted (at a deleteWhen hour or when the disk is full). */
  fileReservedTimeHours?: number;
  /** Hours of the day ("04" or "04;05") when expired files are deleted. */
  deleteWhen?: string;
  /** Disk usage (percent) above which the oldest files are deleted regardless of age. */
  diskMaxUsedSpaceRatio?: number;
  cleanIntervalMs?: number;
  /** Entries a filtered pull scans at most (maxFilterMessageCount). */
  maxFilterMessageCount?: number;
  now?: () => number;
}

interface Checkpoint {
  physicMsgTimestamp: number;
  logicsMsgTimestamp: number;
  indexMsgTimestamp: number;
  confirmPhyOffset: number;
  logicsPhyOffset: number;
  indexPhyOffset: number;
}

interface RoundItem {
  records: PreparedRecord[];
  props: StoreProperties[];
  offsets: number[];
  queueOffset: number;
  storeTimestamp: number;
  dispatchToQueue: boolean;
}

interface Round {
  items: RoundItem[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

const CHECKPOINT_BYTES = 64;
const CLEAN_FILES_PER_RUN = 10;

function parseDelayLevelsMs(text: string): number[] {
  const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return text.split(/\s+/).filter(Boolean).map((item) => {
    const m = /^(\d+)([smhd])$/.exec(item);
    return m ? Number(m[1]) * unit[m[2]!]! : 0;
  });
}

/** The properties the store itself looks at, read in one pass over the properties string. */
interface StoreProperties {
  TAGS?: string;
  KEYS?: string;
  UNIQ_KEY?: string;
  DELAY?: string;
  WAIT?: string;
}

const STORE_PROPERTY_NAMES = new Set(['TAGS', 'KEYS', 'UNIQ_KEY', 'DELAY', 'WAIT']);

function storeProperties(text: string): StoreProperties {
  const out: StoreProperties = {};
  let from = 0;
  while (from < text.length) {
    let end = text.indexOf('\u0002', from);
    if (end < 0) end = text.length;
    const sep = text.indexOf('\u0001', from);
    if (sep > from && sep < end) {
      const name = text.slice(from, sep);
      if (STORE_PROPERTY_NAMES.has(name)) out[name as keyof StoreProperties] = text.slice(sep + 1, end);
    }
    from = end + 1;
  }
  return out;
}

function writeFileAtomicSync(file: string, data: Buffer | string): void {
  const temp = `${file}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

export class DefaultMessageStore implements MessageStore {
  readonly rootDir: string;
  readonly flushDiskType: FlushDiskType;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #opts: Required<Omit<DefaultMessageStoreOptions, 'logger' | 'now' | 'storePathRootDir' | 'flushDiskType' | 'messageDelayLevel'>>;
  readonly #delayLevelsMs: number[];
  readonly #commitLog: CommitLog;
  readonly #index: IndexService;
  readonly #queues = new Map<string, ConsumeQueue>();
  /** Next queue offset per topic@queueId, assigned at append time (CommitLog.topicQueueTable). */
  readonly #queueOffsets = new Map<string, number>();
  #listener: MessageArrivingListener | undefined;
  #round: Round | null = null;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #writeError: string | null = null;
  #timers: NodeJS.Timeout[] = [];
  #queueListDirty = false;
  #dispatchedOffset = 0;
  #lastStoreTimestamp = 0;
  #flushLoop: Promise<void> | null = null;
  readonly #stats = { putTimes: 0, putBytes: 0, putFailed: 0, putMaxMs: 0, boot: 0, recovery: '' as string };

  constructor(options: DefaultMessageStoreOptions) {
    this.rootDir = path.resolve(options.storePathRootDir);
    this.flushDiskType = options.flushDiskType ?? 'ASYNC_FLUSH';
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#opts = {
      maxMessageSizeBytes: options.maxMessageSizeBytes ?? MESSAGE_BODY_BYTES_MAX,
      commitLogFileBytes: options.commitLogFileBytes ?? 1024 * 1024 * 1024,
      consumeQueueEntriesPerFile: options.consumeQueueEntriesPerFile ?? 300_000,
      indexHashSlotNum: options.indexHashSlotNum ?? 1_000_000,
      indexNum: options.indexNum ?? 4_000_000,
      flushIntervalCommitLogMs: options.flushIntervalCommitLogMs ?? 500,
      flushIntervalConsumeQueueMs: options.flushIntervalConsumeQueueMs ?? 1000,
      syncFlushTimeoutMs: options.syncFlushTimeoutMs ?? 5000,
      fileReservedTimeHours: options.fileReservedTimeHours ?? 72,
      deleteWhen: options.deleteWhen ?? '04',
      diskMaxUsedSpaceRatio: options.diskMaxUsedSpaceRatio ?? 75,
      cleanIntervalMs: options.cleanIntervalMs ?? 10_000,
      maxFilterMessageCount: options.maxFilterMessageCount ?? 16_000,
    };
    this.#delayLevelsMs = parseDelayLevelsMs(options.messageDelayLevel ?? '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h');
    this.#commitLog = new CommitLog(path.join(this.rootDir, 'commitlog'), this.#opts.commitLogFileBytes, this.#logger);
    this.#index = new IndexService(path.join(this.rootDir, 'index'), { hashSlotNum: this.#opts.indexHashSlotNum, indexNum: this.#opts.indexNum }, this.#logger);
  }

  get #abortFile(): string {
    return path.join(this.rootDir, 'abort');
  }
  get #checkpointFile(): string {
    return path.join(this.rootDir, 'checkpoint');
  }
  get #queueListFile(): string {
    return path.join(this.rootDir, 'consumequeue', 'queues.json');
  }

  /** What the last start found and did (for logs, runtime info and tests). */
  get recoveryReport(): string {
    return this.#stats.recovery;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('store already started');
    fs.mkdirSync(path.join(this.rootDir, 'consumequeue'), { recursive: true });
    const checkpoint = this.#readCheckpoint();
    const aborted = fs.existsSync(this.#abortFile);
    this.#commitLog.load();
    const hasData = this.#commitLog.segmentCount > 0;
    let abnormal = hasData && (aborted || checkpoint === null);
    this.#loadQueues();
    this.#index.load(abnormal);

    let end = 0;
    const notes: string[] = [];
    let verifyFrom: number | null = null;
    if (hasData && !abnormal && checkpoint) {
      end = checkpoint.confirmPhyOffset;
      // As RocketMQ's normal recovery: the last three files are read back with their CRCs, so a damaged record
      // is found at start, not by a consumer. The data must end exactly where the checkpoint says.
      verifyFrom = this.#verifyFrom();
      const verify = this.#commitLog.scan(verifyFrom, true, () => {}, { countDropped: false });
      if (verify.crcMismatches > 0) notes.push(`${verify.crcMismatches} records with a body CRC mismatch found and kept (see the warnings for their offsets)`);
      if (!this.#looksLikeEnd(end) || verify.end !== end) {
        this.#logger.warn('the commit log does not end where the checkpoint says; recovering as after a crash', { confirmPhyOffset: end, verifiedTo: verify.end, reason: verify.reason });
        abnormal = true;
      }
    }
    let scanFrom = this.#commitLog.minOffset;
    if (abnormal) {
      const safe = checkpoint ? Math.min(checkpoint.confirmPhyOffset, checkpoint.logicsPhyOffset, checkpoint.indexPhyOffset) : this.#commitLog.minOffset;
      scanFrom = Math.max(this.#commitLog.minOffset, safe - (safe % this.#commitLog.segmentBytes));
      if (verifyFrom !== null) scanFrom = Math.min(scanFrom, verifyFrom);
      const scan = this.#commitLog.scan(scanFrom, true, () => {});
      end = scan.end;
      notes.push(`abnormal recovery (${aborted ? 'abort marker present' : 'no valid checkpoint'}): scanned ${scan.records} records from ${scanFrom}, end ${end}`);
      if (scan.droppedBytes > 0) notes.push(`dropped ${scan.droppedBytes} bytes after ${end} (${scan.reason ?? 'torn tail'})`);
      if (scan.crcMismatches > 0 && verifyFrom === null) notes.push(`${scan.crcMismatches} records with a body CRC mismatch kept`);
    }
    if (!hasData) end = checkpoint?.confirmPhyOffset ?? 0;
    this.#commitLog.setEnd(hasData ? end : Math.max(end, 0));

    let cqDropped = 0;
    for (const queue of this.#queues.values()) {
      cqDropped += queue.truncateDirty(end);
      queue.correctMinOffset(this.#commitLog.minOffset);
    }
    if (cqDropped > 0) notes.push(`dropped ${cqDropped} consume queue entries beyond the commit log`);
    this.#index.truncateDirty(end);

    let replayFrom = abnormal ? scanFrom : checkpoint ? Math.min(checkpoint.logicsPhyOffset, checkpoint.indexPhyOffset) : end;
    const { missing, shortened } = this.#damagedQueues(hasData);
    if (missing.length > 0) {
      replayFrom = this.#commitLog.minOffset;
      notes.push(`rebuilding consume queues from the commit log (missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`);
    }
    if (shortened.length > 0) {
      // Entries past a shortened queue's last one point at records after its lastPhyEnd: replaying from there refills it.
      replayFrom = Math.min(replayFrom, ...shortened.map((s) => s.lastPhyEnd));
      for (const s of shortened) this.#logger.warn('consume queue is shorter than recorded at the last shutdown; rebuilding it from the commit log', s);
      notes.push(`rebuilding shortened consume queues from the commit log (${shortened.slice(0, 5).map((s) => `${s.queue}: ${s.entries} of ${s.recorded} entries`).join(', ')}${shortened.length > 5 ? ', …' : ''})`);
    }
    replayFrom = Math.max(replayFrom, this.#commitLog.minOffset);
    if (hasData && replayFrom < end) {
      let replayed = 0;
      this.#commitLog.scan(replayFrom, false, (meta, offset) => {
        if (this.#dispatchRecovered(meta, offset)) replayed++;
      });
      for (const queue of this.#queues.values()) queue.writeOut();
      this.#index.writeOut();
      notes.push(`replayed dispatch from ${replayFrom}: ${replayed} consume queue entries added`);
    }
    this.#dispatchedOffset = end;
    for (const [key, queue] of this.#queues) this.#queueOffsets.set(key, queue.nextOffset);

    await this.#flushQueuesAndCheckpoint();
    this.#writeQueueList();
    fs.writeFileSync(this.#abortFile, '');
    this.#stats.boot = this.#now();
    this.#stats.recovery = notes.join('; ') || (hasData ? `normal recovery at ${end}` : 'empty store');
    if (notes.length > 0) this.#logger.warn('store recovery', { report: this.#stats.recovery });
    else this.#logger.info('store recovered', { report: this.#stats.recovery, commitLogMaxOffset: end });
    this.#state = 'running';

    if (this.flushDiskType === 'ASYNC_FLUSH') this.#every(this.#opts.flushIntervalCommitLogMs, () => this.#commitLog.flush());
    this.#every(this.#opts.flushIntervalConsumeQueueMs, () => this.#flushQueuesAndCheckpoint());
    this.#every(this.#opts.cleanIntervalMs, async () => this.cleanFilesNow());
  }

  #every(ms: number, task: () => Promise<unknown> | unknown): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.#state !== 'running') return;
      running = true;
      Promise.resolve()
        .then(task)
        .catch((err: unknown) => this.#logger.error('store background task failed', { error: errorMessage(err) }))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  async shutdown(): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    if (this.#round) await this.#round.promise.catch(() => {});
    await this.#flushLoop?.catch(() => {});
    if (this.#writeError === null) {
      await this.#commitLog.flush();
      await this.#flushQueuesAndCheckpoint();
      this.#writeQueueList();
    }
    for (const queue of this.#queues.values()) queue.close();
    this.#index.close();
    this.#commitLog.close();
    if (this.#writeError === null) fs.rmSync(this.#abortFile, { force: true });
    this.#state = 'stopped';
  }

  /**
   * For tests: leaves the files as a kill -9 would (written bytes stay, nothing is flushed, no checkpoint,
   * the abort marker stays) and releases the file descriptors.
   */
  closeAbruptly(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#state = 'stopped';
    for (const queue of this.#queues.values()) queue.close();
    this.#index.closeAbruptly();
    this.#commitLog.close();
  }

  // ---------------------------------------------------------------- recovery helpers

  #readCheckpoint(): Checkpoint | null {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(this.#checkpointFile);
    } catch {
      return null;
    }
    if (raw.length < CHECKPOINT_BYTES || Number(raw.readBigInt64BE(56)) !== zlib.crc32(raw.subarray(0, 56))) {
      this.#logger.warn('checkpoint file is damaged; recovering as after a crash', { file: this.#checkpointFile, bytes: raw.length });
      return null;
    }
    return {
      physicMsgTimestamp: Number(raw.readBigInt64BE(0)),
      logicsMsgTimestamp: Number(raw.readBigInt64BE(8)),
      indexMsgTimestamp: Number(raw.readBigInt64BE(16)),
      confirmPhyOffset: Number(raw.readBigInt64BE(32)),
      logicsPhyOffset: Number(raw.readBigInt64BE(40)),
      indexPhyOffset: Number(raw.readBigInt64BE(48)),
    };
  }

  #writeCheckpoint(cp: Checkpoint): void {
    const buf = Buffer.alloc(CHECKPOINT_BYTES);
    buf.writeBigInt64BE(BigInt(cp.physicMsgTimestamp), 0);
    buf.writeBigInt64BE(BigInt(cp.logicsMsgTimestamp), 8);
    buf.writeBigInt64BE(BigInt(cp.indexMsgTimestamp), 16);
    buf.writeBigInt64BE(0n, 24); // masterFlushedOffset (no replication)
    buf.writeBigInt64BE(BigInt(cp.confirmPhyOffset), 32);
    buf.writeBigInt64BE(BigInt(cp.logicsPhyOffset), 40);
    buf.writeBigInt64BE(BigInt(cp.indexPhyOffset), 48);
    buf.writeBigInt64BE(BigInt(zlib.crc32(buf.subarray(0, 56))), 56);
    writeFileAtomicSync(this.#checkpointFile, buf);
  }

  /** After a clean shutdown the checkpoint's offset is the write position: nothing may follow it. */
  #looksLikeEnd(offset: number): boolean {
    const starts = this.#commitLog.segmentStarts();
    const first = starts[0] ?? 0;
    const lastEnd = (starts[starts.length - 1] ?? 0) + this.#commitLog.segmentBytes;
    if (offset < first || offset > lastEnd) return false;
    const scan = this.#commitLog.scan(offset, false, () => {});
    return scan.end === offset && scan.droppedBytes === 0;
  }

  #loadQueues(): void {
    const root = path.join(this.rootDir, 'consumequeue');
    for (const topic of fs.readdirSync(root)) {
      const topicDir = path.join(root, topic);
      if (!fs.statSync(topicDir).isDirectory()) continue;
      for (const qid of fs.readdirSync(topicDir)) {
        if (!/^\d+$/.test(qid)) continue;
        const queue = new ConsumeQueue(root, topic, Number(qid), this.#opts.consumeQueueEntriesPerFile, this.#logger);
        queue.load();
        this.#queues.set(`${topic}@${qid}`, queue);
      }
    }
  }

  /** Where normal recovery starts verifying: the start of the third-to-last commit-log file (RocketMQ's choice). */
  #verifyFrom(): number {
    const starts = this.#commitLog.segmentStarts();
    return starts[Math.max(0, starts.length - 3)] ?? this.#commitLog.minOffset;
  }

  /**
   * Queues recorded in queues.json whose folders are gone (a deleted consumequeue folder is rebuilt), and queues
   * holding fewer entries than queues.json recorded at the last start or shutdown (a truncated or damaged file).
   */
  #damagedQueues(hasData: boolean): { missing: string[]; shortened: { queue: string; entries: number; recorded: number; lastPhyEnd: number }[] } {
    let listed: string[] = [];
    let recorded: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(fs.readFileSync(this.#queueListFile, 'utf8')) as { queues?: unknown; maxOffsets?: unknown };
      listed = Array.isArray(parsed.queues) ? parsed.queues.filter((key): key is string => typeof key === 'string') : [];
      recorded = typeof parsed.maxOffsets === 'object' && parsed.maxOffsets !== null ? (parsed.maxOffsets as Record<string, unknown>) : {};
    } catch {
      // No list: a store from before the list existed, or the whole consumequeue folder was deleted.
      return { missing: hasData && this.#queues.size === 0 ? ['*'] : [], shortened: [] };
    }
    const missing = listed.filter((key) => !this.#queues.has(key) || this.#queues.get(key)!.maxOffset === 0);
    const shortened = [];
    for (const [key, queue] of this.#queues) {
      const was = recorded[key];
      if (typeof was === 'number' && queue.maxOffset > 0 && queue.maxOffset < was) {
        shortened.push({ queue: key, entries: queue.maxOffset, recorded: was, lastPhyEnd: queue.lastPhyEnd });
      }
    }
    return { missing, shortened };
  }

  /** The queue list, and each queue's entry count (what the next start checks the files against). */
  #writeQueueList(): void {
    this.#queueListDirty = false;
    const keys = [...this.#queues.keys()].sort();
    const maxOffsets = Object.fromEntries(keys.map((key) => [key, this.#queues.get(key)!.maxOffset]));
    writeFileAtomicSync(this.#queueListFile, JSON.stringify({ queues: keys, maxOffsets }));
  }

  #dispatchRecovered(meta: RecordMeta, offset: number): boolean {
    const tranType = meta.sysFlag & SYSFLAG_TRANSACTION_MASK;
    const props = storeProperties(meta.propertiesString);
    let added = false;
    if (tranType !== SYSFLAG_TRANSACTION_PREPARED && tranType !== SYSFLAG_TRANSACTION_ROLLBACK) {
      const queue = this.#queue(meta.topic, meta.queueId);
      added = queue.append(offset, meta.totalSize, this.#tagsCode(meta.topic, props, meta.storeTimestamp), meta.queueOffset);
    }
    if (tranType !== SYSFLAG_TRANSACTION_ROLLBACK) this.#index.put(this.#indexKeys(meta.topic, props), offset, meta.storeTimestamp);
    return added;
  }

  // ---------------------------------------------------------------- write path

  #queue(topic: string, queueId: number): ConsumeQueue {
    const key = `${topic}@${queueId}`;
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = new ConsumeQueue(path.join(this.rootDir, 'consumequeue'), topic, queueId, this.#opts.consumeQueueEntriesPerFile, this.#logger);
      queue.load();
      this.#queues.set(key, queue);
      this.#queueListDirty = true;
    }
    return queue;
  }

  #tagsCode(topic: string, props: StoreProperties, storeTimestamp: number): number {
    if (topic === SCHEDULE_TOPIC) {
      const level = Number(props.DELAY ?? 0);
      const clamped = Math.min(Math.max(level, 1), this.#delayLevelsMs.length);
      return storeTimestamp + (this.#delayLevelsMs[clamped - 1] ?? 0);
    }
    const tags = props.TAGS;
    return tags ? javaStringHashCode(tags) : 0;
  }

  #indexKeys(topic: string, props: StoreProperties): string[] {
    const keys: string[] = [];
    const uniq = props.UNIQ_KEY;
    if (uniq) keys.push(`${topic}#${uniq}`);
    const userKeys = props.KEYS;
    if (userKeys) for (const k of userKeys.split(' ')) if (k) keys.push(`${topic}#${k}`);
    return keys;
  }

  #validate(message: MessageToStore): PutMessageResult | null {
    if (message.body.length > this.#opts.maxMessageSizeBytes) {
      return { status: 'MESSAGE_ILLEGAL', remark: `message body of ${message.body.length} bytes exceeds the limit of ${this.#opts.maxMessageSizeBytes} bytes` };
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

  async putMessage(message: MessageToStore): Promise<PutMessageResult> {
    return this.putMessages([message]);
  }

  async putMessages(messages: MessageToStore[]): Promise<PutMessageResult> {
    const started = this.#now();
    if (this.#state !== 'running') return { status: 'SERVICE_NOT_AVAILABLE', remark: 'store is not running' };
    if (this.#writeError !== null) return { status: 'SERVICE_NOT_AVAILABLE', remark: `store stopped accepting writes after an I/O error: ${this.#writeError}` };
    const first = messages[0];
    if (!first) return { status: 'MESSAGE_ILLEGAL', remark: 'no messages' };
    for (const message of messages) {
      const invalid = this.#validate(message);
      if (invalid) {
        this.#stats.putFailed++;
        return invalid;
      }
      if (message.topic !== first.topic || message.queueId !== first.queueId) return { status: 'MESSAGE_ILLEGAL', remark: 'a batch must share one topic and queue' };
    }
    const records = messages.map(prepareRecord);
    const props = messages.map((m) => storeProperties(m.propertiesString));
    const total = records.reduce((sum, r) => sum + r.length, 0);
    let at: number;
    try {
      at = this.#commitLog.reserve(total);
    } catch (err) {
      this.#stats.putFailed++;
      if (err instanceof RangeError) return { status: 'MESSAGE_ILLEGAL', remark: err.message };
      return this.#failWrites(err);
    }
    const tranType = first.sysFlag & SYSFLAG_TRANSACTION_MASK;
    const dispatchToQueue = tranType !== SYSFLAG_TRANSACTION_PREPARED && tranType !== SYSFLAG_TRANSACTION_ROLLBACK;
    const key = `${first.topic}@${first.queueId}`;
    const queueOffset = dispatchToQueue ? (this.#queueOffsets.get(key) ?? this.#queues.get(key)?.nextOffset ?? 0) : 0;
    if (dispatchToQueue) this.#queueOffsets.set(key, queueOffset + records.length);
    const storeTimestamp = this.#now();
    const buf = Buffer.allocUnsafe(total);
    const offsets: number[] = [];
    let pos = 0;
    for (let i = 0; i < records.length; i++) {
      offsets.push(at + pos);
      pos = writeRecord(buf, pos, records[i]!, dispatchToQueue ? queueOffset + i : 0, at + pos, storeTimestamp);
    }
    this.#commitLog.put(at, buf);
    const round = this.#currentRound();
    round.items.push({ records, props, offsets, queueOffset, storeTimestamp, dispatchToQueue });
    try {
      await round.promise;
    } catch (err) {
      this.#stats.putFailed++;
      return { status: 'UNKNOWN_ERROR', remark: `write failed: ${errorMessage(err)}` };
    }
    let status: PutMessageResult['status'] = 'PUT_OK';
    if (this.flushDiskType === 'SYNC_FLUSH' && props[0]!.WAIT !== 'false') {
      const flushed = await this.#waitFlushed(at + total);
      if (!flushed) status = 'FLUSH_DISK_TIMEOUT';
    }
    this.#stats.putTimes += messages.length;
    this.#stats.putBytes += total;
    this.#stats.putMaxMs = Math.max(this.#stats.putMaxMs, this.#now() - started);
    return {
      status,
      appendResult: {
        commitLogOffset: at,
        wroteBytes: total,
        queueOffset,
        msgId: offsets.map((o) => offsetMsgId(first.storeHost, o)).join(','),
        storeTimestamp,
        messageCount: records.length,
      },
      ...(status === 'FLUSH_DISK_TIMEOUT' ? { remark: `fdatasync did not complete within ${this.#opts.syncFlushTimeoutMs} ms; the message is stored but not yet confirmed on disk` } : {}),
    };
  }

  #failWrites(err: unknown): PutMessageResult {
    this.#writeError = errorMessage(err);
    this.#logger.error('store write failed; refusing further writes until restart', { error: this.#writeError });
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
    const touched = new Map<string, { queue: ConsumeQueue; tagsCode: number }>();
    try {
      this.#commitLog.writeOut();
      for (const item of round.items) {
        for (let i = 0; i < item.records.length; i++) {
          const r = item.records[i]!;
          const m = r.message;
          const offset = item.offsets[i]!;
          if (item.dispatchToQueue) {
            const queue = this.#queue(m.topic, m.queueId);
            const tagsCode = this.#tagsCode(m.topic, item.props[i]!, item.storeTimestamp);
            queue.append(offset, r.length, tagsCode, item.queueOffset + i);
            touched.set(`${m.topic}@${m.queueId}`, { queue, tagsCode });
          }
          if ((m.sysFlag & SYSFLAG_TRANSACTION_MASK) !== SYSFLAG_TRANSACTION_ROLLBACK) this.#index.put(this.#indexKeys(m.topic, item.props[i]!), offset, item.storeTimestamp);
          this.#lastStoreTimestamp = item.storeTimestamp;
        }
      }
      for (const { queue } of touched.values()) queue.writeOut();
      this.#index.writeOut();
      this.#dispatchedOffset = this.#commitLog.maxOffset;
      if (this.#queueListDirty) this.#writeQueueList();
    } catch (err) {
      this.#failWrites(err);
      round.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    round.resolve();
    if (this.#listener) {
      for (const { queue, tagsCode } of touched.values()) {
        try {
          this.#listener(queue.topic, queue.queueId, queue.maxOffset, tagsCode);
        } catch (err) {
          this.#logger.warn('message arriving listener failed', { error: errorMessage(err) });
        }
      }
    }
  }

  /** Waits until the commit log is flushed up to `end` (group commit); false on timeout. */
  async #waitFlushed(end: number): Promise<boolean> {
    const deadline = this.#now() + this.#opts.syncFlushTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#opts.syncFlushTimeoutMs);
    });
    try {
      while (this.#commitLog.flushedOffset < end) {
        const flush = this.#flushLoop ?? (this.#flushLoop = this.#commitLog.flush().then(() => undefined).finally(() => {
          this.#flushLoop = null;
        }));
        const result = await Promise.race([flush.then(() => 'ok' as const), timeout]);
        if (result === 'timeout' || this.#now() > deadline) return this.#commitLog.flushedOffset >= end;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  async #flushQueuesAndCheckpoint(): Promise<void> {
    const confirmPhyOffset = this.#commitLog.flushedOffset;
    const dispatched = Math.min(this.#dispatchedOffset, this.#commitLog.maxOffset);
    await Promise.all([...this.#queues.values()].map((q) => q.flush()));
    this.#index.flush();
    this.#writeCheckpoint({
      physicMsgTimestamp: this.#lastStoreTimestamp,
      logicsMsgTimestamp: this.#lastStoreTimestamp,
      indexMsgTimestamp: this.#index.lastUpdateTimestamp,
      confirmPhyOffset,
      logicsPhyOffset: dispatched,
      indexPhyOffset: dispatched,
    });
  }

  // ---------------------------------------------------------------- read path

  getMessage(
    _group: string,
    topic: string,
    queueId: number,
    queueOffset: number,
    maxMsgNums: number,
    filter?: TagsCodeFilter,
    maxTotalBytes = 256 * 1024,
  ): GetMessageResult {
    const queue = this.#queues.get(`${topic}@${queueId}`);
    const result = (status: GetMessageStatus, nextBeginOffset: number, minOffset = 0, maxOffset = 0): GetMessageResult => ({
      status, nextBeginOffset, minOffset, maxOffset, messages: [], queueOffsets: [], bufferTotalSize: 0,
    });
    if (!queue || queue.maxOffset === 0) return result('NO_MESSAGE_IN_QUEUE', 0);
    const min = queue.minOffset;
    const max = queue.maxOffset;
    if (queueOffset < min) return result('OFFSET_TOO_SMALL', min, min, max);
    if (queueOffset === max) return result('OFFSET_OVERFLOW_ONE', queueOffset, min, max);
    if (queueOffset > max) return result('OFFSET_OVERFLOW_BADLY', min === 0 ? min : max, min, max);

    const selected: { entry: CqEntry; queueOffset: number }[] = [];
    let bytes = 0;
    let scanned = 0;
    let removed = false;
    let offset = queueOffset;
    const commitLogMin = this.#commitLog.minOffset;
    outer: while (offset < max && scanned < this.#opts.maxFilterMessageCount) {
      const batch = queue.readEntries(offset, Math.min(max - offset, 512));
      if (batch.length === 0) break;
      for (const entry of batch) {
        if (selected.length >= maxMsgNums) break outer;
        if (entry.size > 0) {
          if (entry.commitLogOffset < commitLogMin) removed = true;
          else if (!filter || filter(entry.tagsCode)) {
            if (selected.length > 0 && bytes + entry.size > maxTotalBytes) break outer;
            selected.push({ entry, queueOffset: offset });
            bytes += entry.size;
          }
        }
        offset++;
        scanned++;
      }
    }
    const messages: Buffer[] = [];
    const queueOffsets: number[] = [];
    let total = 0;
    // Read runs of adjacent records with one read each.
    for (let i = 0; i < selected.length; ) {
      let j = i + 1;
      let runEnd = selected[i]!.entry.commitLogOffset + selected[i]!.entry.size;
      while (j < selected.length && selected[j]!.entry.commitLogOffset === runEnd) {
        runEnd += selected[j]!.entry.size;
        j++;
      }
      const start = selected[i]!.entry.commitLogOffset;
      const run = this.#commitLog.read(start, runEnd - start);
      for (let k = i; k < j; k++) {
        const e = selected[k]!.entry;
        const record = run ? run.subarray(e.commitLogOffset - start, e.commitLogOffset - start + e.size) : this.#commitLog.read(e.commitLogOffset, e.size);
        if (!record) {
          removed = true;
          continue;
        }
        messages.push(record);
        queueOffsets.push(selected[k]!.queueOffset);
        total += record.length;
      }
      i = j;
    }
    let status: GetMessageStatus = messages.length > 0 ? 'FOUND' : removed ? 'MESSAGE_WAS_REMOVING' : 'NO_MATCHED_MESSAGE';
    if (messages.length === 0 && selected.length > 0 && !removed) status = 'OFFSET_FOUND_NULL';
    return { status, nextBeginOffset: offset, minOffset: min, maxOffset: max, messages, queueOffsets, bufferTotalSize: total };
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.get(`${topic}@${queueId}`)?.maxOffset ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.get(`${topic}@${queueId}`)?.minOffset ?? 0;
  }

  #storeTimeAt(queue: ConsumeQueue, queueOffset: number): number {
    const entry = queue.readEntry(queueOffset);
    if (!entry || entry.size <= 0) return -1;
    const head = this.#commitLog.read(entry.commitLogOffset, Math.min(entry.size, 128));
    return head ? recordStoreTimestamp(head) : -1;
  }

  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number, boundary: 'lower' | 'upper' = 'lower'): number {
    const queue = this.#queues.get(`${topic}@${queueId}`);
    if (!queue) return 0;
    let lo = queue.minOffset;
    let hi = queue.maxOffset - 1;
    if (hi < lo) return queue.maxOffset;
    if (boundary === 'lower') {
      // First offset stored at or after `timestamp`.
      let answer = queue.maxOffset;
      while (lo <= hi) {
        const mid = Math.floor((lo + hi) / 2);
        const t = this.#storeTimeAt(queue, mid);
        if (t >= timestamp) {
          answer = mid;
          hi = mid - 1;
        } else lo = mid + 1;
      }
      return answer;
    }
    let answer = queue.minOffset;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = this.#storeTimeAt(queue, mid);
      if (t <= timestamp) {
        answer = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return answer;
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    const queue = this.#queues.get(`${topic}@${queueId}`);
    if (!queue || queue.maxOffset <= queue.minOffset) return -1;
    return this.#storeTimeAt(queue, queue.minOffset);
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number {
    const queue = this.#queues.get(`${topic}@${queueId}`);
    if (!queue) return 0;
    return Math.max(0, this.#storeTimeAt(queue, queueOffset));
  }

  lookMessageByOffset(commitLogOffset: number): Buffer | null {
    const record = this.#commitLog.readRecord(commitLogOffset);
    if (!record) return null;
    const check = checkRecord(record, 0, record.length, false);
    return check.kind === 'record' && check.meta.physicalOffset === commitLogOffset ? record : null;
  }

  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult {
    const candidates = this.#index.query(`${topic}#${key}`, Math.max(1, maxNum) * 2, beginTimestamp, endTimestamp);
    const messages: Buffer[] = [];
    for (const offset of candidates) {
      if (messages.length >= maxNum) break;
      const record = this.lookMessageByOffset(offset);
      if (!record) continue;
      const check = checkRecord(record, 0, record.length, false);
      if (check.kind !== 'record' || check.meta.topic !== topic) continue;
      const found = storeProperties(check.meta.propertiesString);
      const matches = found.UNIQ_KEY === key || (found.KEYS ?? '').split(' ').includes(key);
      if (matches) messages.push(record);
    }
    return { messages, indexLastUpdateTimestamp: this.#index.lastUpdateTimestamp, indexLastUpdatePhyoffset: this.#index.endPhyOffset };
  }

  getMinPhyOffset(): number {
    return this.#commitLog.minOffset;
  }

  getMaxPhyOffset(): number {
    return this.#commitLog.maxOffset;
  }

  deleteTopics(topics: Iterable<string>): void {
    const doomed = new Set(topics);
    for (const [key, queue] of [...this.#queues]) {
      if (!doomed.has(queue.topic)) continue;
      queue.destroy();
      this.#queues.delete(key);
      this.#queueOffsets.delete(key);
    }
    for (const topic of doomed) fs.rmSync(path.join(this.rootDir, 'consumequeue', topic), { recursive: true, force: true });
    this.#writeQueueList();
  }

  listConsumeQueues(): Map<string, number[]> {
    const result = new Map<string, number[]>();
    for (const queue of this.#queues.values()) {
      const ids = result.get(queue.topic) ?? [];
      ids.push(queue.queueId);
      result.set(queue.topic, ids);
    }
    for (const ids of result.values()) ids.sort((a, b) => a - b);
    return result;
  }

  setMessageArrivingListener(listener: MessageArrivingListener): void {
    this.#listener = listener;
  }

  setFlushListener(listener: (durationMs: number) => void): void {
    this.#commitLog.onFlushed = listener;
  }

  // ---------------------------------------------------------------- retention

  #diskUsedRatio(): number {
    return this.#diskUsage().ratio;
  }

  /** Used share and bytes of the store's file system (0 when it cannot be read). */
  #diskUsage(): { ratio: number; usedBytes: number } {
    try {
      const s = fs.statfsSync(this.rootDir);
      return s.blocks > 0 ? { ratio: (s.blocks - s.bavail) / s.blocks, usedBytes: (s.blocks - s.bfree) * s.bsize } : { ratio: 0, usedBytes: 0 };
    } catch {
      return { ratio: 0, usedBytes: 0 };
    }
  }

  /**
   * One retention pass: at a deleteWhen hour, commit-log files older than fileReservedTime go; above
   * diskMaxUsedSpaceRatio the oldest go regardless of age. Consume queues and index follow the new min offset.
   */
  cleanFilesNow(options: { force?: boolean; now?: number } = {}): number {
    const now = options.now ?? this.#now();
    const hours = this.#opts.deleteWhen.split(';').map((h) => Number(h));
    const atDeleteHour = hours.includes(new Date(now).getHours());
    const diskFull = this.#diskUsedRatio() * 100 > this.#opts.diskMaxUsedSpaceRatio;
    let deleted = 0;
    if (diskFull || options.force) {
      deleted = this.#commitLog.deleteExpired(Infinity, true, CLEAN_FILES_PER_RUN);
      if (diskFull) this.#logger.warn('disk usage above diskMaxUsedSpaceRatio; oldest commit log files deleted', { deleted, ratio: this.#opts.diskMaxUsedSpaceRatio });
    } else if (atDeleteHour) {
      deleted = this.#commitLog.deleteExpired(now - this.#opts.fileReservedTimeHours * 3_600_000, false, CLEAN_FILES_PER_RUN);
    }
    if (deleted > 0) {
      const min = this.#commitLog.minOffset;
      for (const queue of this.#queues.values()) queue.correctMinOffset(min);
      this.#index.deleteBelow(min);
    }
    return deleted;
  }

  runtimeInfo(): StoreRuntimeInfo {
    let earliest = 0;
    const head = this.#commitLog.read(this.#commitLog.minOffset, 128);
    if (head && checkRecord(head, 0, head.length, false).kind !== 'blank' && [MAGIC_V1, MAGIC_V2].includes(head.readInt32BE(4))) earliest = recordStoreTimestamp(head);
    const { ratio, usedBytes } = this.#diskUsage();
    return {
      commitLogMinOffset: this.#commitLog.minOffset,
      commitLogMaxOffset: this.#commitLog.maxOffset,
      dispatchBehindBytes: Math.max(0, this.#commitLog.maxOffset - this.#dispatchedOffset),
      unflushedBytes: Math.max(0, this.#commitLog.maxOffset - this.#commitLog.flushedOffset),
      commitLogDiskRatio: ratio,
      diskUsedBytes: usedBytes,
      consumeQueueDiskRatio: ratio,
      putMessageTimesTotal: this.#stats.putTimes,
      putMessageSizeTotal: this.#stats.putBytes,
      putMessageFailedTimes: this.#stats.putFailed,
      putMessageEntireTimeMaxMs: this.#stats.putMaxMs,
      bootTimestamp: this.#stats.boot,
      earliestMessageTimestamp: earliest,
      storePathRootDir: this.rootDir,
    };
  }
}
