/**
 * The file store: commit log + consume queues + index + checkpoint, in RocketMQ's layout under
 * storePathRootDir (protocol.md §5.1). This façade wires the parts together and implements MessageStore; the
 * work is in the parts:
 *
 *   write-round.ts      puts → commit log (one vectored write per round) → Dispatcher → consume queues, index
 *   flush-service.ts    fdatasync of the commit log (ASYNC timer, SYNC group commit) and of the derived files,
 *                       then the checkpoint (store-checkpoint.ts), all off the event loop
 *   recovery.ts         start: checkpoint or scan, cut a torn tail, replay the Dispatcher
 *   message-reader.ts   pulls, time and key lookups
 *   retention.ts        deletion of expired commit-log files, consume queues and index following
 * Each kind of file sits in a SegmentFileQueue (segment-file-queue.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MESSAGE_BODY_BYTES_MAX } from '../config/limits';
import { errorMessage } from '../util/errors';
import { silentLogger, type Logger } from '../util/logger';
import { CommitLog } from './commit-log';
import { ConsumeQueueTable } from './consume-queue-table';
import { BuildConsumeQueue, BuildIndex, Dispatcher, parseDelayLevelsMs, type CommitLogDispatcher } from './dispatcher';
import { FlushService, type FlushEvent } from './flush-service';
import { IndexService } from './index-service';
import { MessageReader } from './message-reader';
import type {
  FlushDiskType,
  GetMessageResult,
  MessageArrivingListener,
  MessageStore,
  MessageToStore,
  PutMessageResult,
  QueryMessageResult,
  StoreRuntimeInfo,
  TagsCodeFilter,
  RecordFilter,
} from './message-store';
import { MAGIC_V1, MAGIC_V2, checkRecord, recordStoreTimestamp } from './record';
import { recoverStore } from './recovery';
import { RetentionService } from './retention';
import { WriteRoundService } from './write-round';

export { SCHEDULE_TOPIC } from './dispatcher';

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

type ResolvedOptions = Required<Omit<DefaultMessageStoreOptions, 'logger' | 'now' | 'storePathRootDir' | 'flushDiskType' | 'messageDelayLevel'>>;

function resolveOptions(options: DefaultMessageStoreOptions): ResolvedOptions {
  return {
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
}

export class DefaultMessageStore implements MessageStore {
  readonly rootDir: string;
  readonly flushDiskType: FlushDiskType;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #opts: ResolvedOptions;
  readonly #commitLog: CommitLog;
  readonly #queues: ConsumeQueueTable;
  readonly #index: IndexService;
  readonly #dispatcher = new Dispatcher();
  readonly #buildConsumeQueue: BuildConsumeQueue;
  readonly #flushService: FlushService;
  readonly #writer: WriteRoundService;
  readonly #reader: MessageReader;
  readonly #retention: RetentionService;
  #listener: MessageArrivingListener | undefined;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #timers: NodeJS.Timeout[] = [];
  #bootTimestamp = 0;
  #recoveryReport = '';

  constructor(options: DefaultMessageStoreOptions) {
    this.rootDir = path.resolve(options.storePathRootDir);
    this.flushDiskType = options.flushDiskType ?? 'ASYNC_FLUSH';
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#opts = resolveOptions(options);
    const delayLevelsMs = parseDelayLevelsMs(options.messageDelayLevel ?? '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h');
    this.#commitLog = new CommitLog(path.join(this.rootDir, 'commitlog'), this.#opts.commitLogFileBytes, this.#logger);
    this.#queues = new ConsumeQueueTable(path.join(this.rootDir, 'consumequeue'), this.#opts.consumeQueueEntriesPerFile, this.#logger);
    this.#index = new IndexService(path.join(this.rootDir, 'index'), { hashSlotNum: this.#opts.indexHashSlotNum, indexNum: this.#opts.indexNum }, this.#logger);
    this.#buildConsumeQueue = new BuildConsumeQueue(this.#queues, delayLevelsMs);
    this.#dispatcher.add(this.#buildConsumeQueue);
    this.#dispatcher.add(new BuildIndex(this.#index));
    const parts = { commitLog: this.#commitLog, queues: this.#queues, index: this.#index };
    this.#flushService = new FlushService({
      ...parts,
      checkpointFile: this.#checkpointFile,
      syncFlushTimeoutMs: this.#opts.syncFlushTimeoutMs,
      dispatchedOffset: () => this.#writer.dispatchedOffset,
      lastStoreTimestamp: () => this.#writer.lastStoreTimestamp,
    });
    this.#writer = new WriteRoundService({
      ...parts,
      dispatcher: this.#dispatcher,
      buildConsumeQueue: this.#buildConsumeQueue,
      flushService: this.#flushService,
      flushDiskType: this.flushDiskType,
      maxMessageSizeBytes: this.#opts.maxMessageSizeBytes,
      syncFlushTimeoutMs: this.#opts.syncFlushTimeoutMs,
      logger: this.#logger,
      now: this.#now,
      isRunning: () => this.#state === 'running',
      listener: () => this.#listener,
    });
    this.#reader = new MessageReader({ ...parts, maxFilterMessageCount: this.#opts.maxFilterMessageCount });
    this.#retention = new RetentionService(this.rootDir, this.#opts, parts, this.#logger);
  }

  get #abortFile(): string {
    return path.join(this.rootDir, 'abort');
  }
  get #checkpointFile(): string {
    return path.join(this.rootDir, 'checkpoint');
  }

  /** What the last start found and did (for logs, runtime info and tests). */
  get recoveryReport(): string {
    return this.#recoveryReport;
  }

  /** Adds a dispatcher fed with every record written from now on (and replayed by later recoveries). */
  addDispatcher(dispatcher: CommitLogDispatcher): void {
    this.#dispatcher.add(dispatcher);
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('store already started');
    fs.mkdirSync(this.rootDir, { recursive: true });
    const recovery = recoverStore({
      commitLog: this.#commitLog,
      queues: this.#queues,
      index: this.#index,
      dispatcher: this.#dispatcher,
      buildConsumeQueue: this.#buildConsumeQueue,
      checkpointFile: this.#checkpointFile,
      abortFile: this.#abortFile,
      logger: this.#logger,
    });
    this.#writer.resume(recovery.end);
    await this.#flushService.flushLogicsAndCheckpoint();
    await this.#queues.writeList();
    fs.writeFileSync(this.#abortFile, '');
    this.#bootTimestamp = this.#now();
    this.#recoveryReport = recovery.report;
    if (recovery.repaired) this.#logger.warn('store recovery', { report: recovery.report });
    else this.#logger.info('store recovered', { report: recovery.report, commitLogMaxOffset: recovery.end });
    this.#state = 'running';

    if (this.flushDiskType === 'ASYNC_FLUSH') this.#every(this.#opts.flushIntervalCommitLogMs, () => this.#flushService.flushCommitLog());
    this.#every(this.#opts.flushIntervalConsumeQueueMs, () => this.#flushService.flushLogicsAndCheckpoint());
    this.#every(this.#opts.cleanIntervalMs, () => this.cleanFilesNow());
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
    await this.#writer.pending?.catch(() => undefined); // its puts report the failure
    const healthy = this.#writer.writeError === null;
    if (healthy) {
      await this.#flushService.flushCommitLog();
      await this.#flushService.flushLogicsAndCheckpoint();
      await this.#queues.writeList();
    }
    this.#queues.close();
    this.#index.close();
    this.#commitLog.close();
    if (healthy) fs.rmSync(this.#abortFile, { force: true });
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
    this.#queues.close();
    this.#index.closeAbruptly();
    this.#commitLog.close();
  }

  // ---------------------------------------------------------------- MessageStore

  putMessage(message: MessageToStore): Promise<PutMessageResult> {
    return this.#writer.putMessages([message]);
  }

  putMessages(messages: MessageToStore[]): Promise<PutMessageResult> {
    return this.#writer.putMessages(messages);
  }

  getMessage(_group: string, topic: string, queueId: number, queueOffset: number, maxMsgNums: number, filter?: TagsCodeFilter, maxTotalBytes = 256 * 1024, recordFilter?: RecordFilter): GetMessageResult {
    return this.#reader.getMessage(topic, queueId, queueOffset, maxMsgNums, filter, maxTotalBytes, recordFilter);
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.get(topic, queueId)?.maxOffset ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.#queues.get(topic, queueId)?.minOffset ?? 0;
  }

  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number, boundary: 'lower' | 'upper' = 'lower'): number {
    return this.#reader.getOffsetInQueueByTime(topic, queueId, timestamp, boundary);
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    return this.#reader.getEarliestMessageTime(topic, queueId);
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, queueOffset: number): number {
    return this.#reader.getMessageStoreTimeStamp(topic, queueId, queueOffset);
  }

  lookMessageByOffset(commitLogOffset: number): Buffer | null {
    return this.#reader.lookMessageByOffset(commitLogOffset);
  }

  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult {
    return this.#reader.queryMessage(topic, key, maxNum, beginTimestamp, endTimestamp);
  }

  getMinPhyOffset(): number {
    return this.#commitLog.minOffset;
  }

  getMaxPhyOffset(): number {
    return this.#commitLog.maxOffset;
  }

  deleteTopics(topics: Iterable<string>): void {
    const doomed = new Set(topics);
    this.#queues.deleteTopics(doomed);
    this.#writer.forgetQueues(doomed);
  }

  listConsumeQueues(): Map<string, number[]> {
    return this.#queues.list();
  }

  setMessageArrivingListener(listener: MessageArrivingListener): void {
    this.#listener = listener;
  }

  /** One retention pass (see retention.ts); `force` deletes the oldest files whatever their age. */
  cleanFilesNow(options: { force?: boolean; now?: number } = {}): number {
    return this.#retention.cleanFilesNow(options.now ?? this.#now(), options.force ?? false);
  }

  /** Told the duration of each commit-log fdatasync round, ms (the broker's flush-latency histogram). */
  setFlushListener(listener: (durationMs: number) => void): void {
    this.#flushService.onFlush = (event) => {
      if (event.kind === 'commitLog') listener(event.durationMs);
    };
  }

  /** Told about every finished flush, commit log and derived files alike. */
  setFlushEventListener(listener: ((event: FlushEvent) => void) | null): void {
    this.#flushService.onFlush = listener;
  }

  runtimeInfo(): StoreRuntimeInfo {
    let earliest = 0;
    const head = this.#commitLog.read(this.#commitLog.minOffset, 128);
    if (head && checkRecord(head, 0, head.length, false).kind !== 'blank' && [MAGIC_V1, MAGIC_V2].includes(head.readInt32BE(4))) earliest = recordStoreTimestamp(head);
    const { ratio, usedBytes } = this.#retention.diskUsage();
    const stats = this.#writer.stats;
    return {
      commitLogMinOffset: this.#commitLog.minOffset,
      commitLogMaxOffset: this.#commitLog.maxOffset,
      dispatchBehindBytes: Math.max(0, this.#commitLog.maxOffset - this.#writer.dispatchedOffset),
      unflushedBytes: Math.max(0, this.#commitLog.maxOffset - this.#commitLog.flushedOffset),
      commitLogDiskRatio: ratio,
      diskUsedBytes: usedBytes,
      consumeQueueDiskRatio: ratio,
      putMessageTimesTotal: stats.putTimes,
      putMessageSizeTotal: stats.putBytes,
      putMessageFailedTimes: stats.putFailed,
      putMessageEntireTimeMaxMs: stats.putMaxMs,
      bootTimestamp: this.#bootTimestamp,
      earliestMessageTimestamp: earliest,
      storePathRootDir: this.rootDir,
    };
  }
}
